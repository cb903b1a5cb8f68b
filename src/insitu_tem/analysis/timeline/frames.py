"""The holder log on the movie's time axis: charge passed and logged channels at every frame,
and the front position against charge (see ``front_charge``).

The GUI's timeline panel, the timeline figure and ``insitu-tem front --log`` all call
:func:`frame_timeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from insitu_tem.analysis.timeline.charge import ChargePassed, charge_passed
from insitu_tem.analysis.timeline.sync import (
    channel_at,
    current_in_amperes,
    find_current_channel,
    log_times,
)
from insitu_tem.core.holder_log import HolderLog


@dataclass(frozen=True)
class FrameTimeline:
    """Log quantities at the movie's frames.

    Attributes
    ----------
    frame_time_s : ndarray
        Movie time of each frame (s).
    log_time_s : ndarray
        The same instants on the log's clock (s from the log's start).
    offset_s : float
        The user's clock offset that was applied (s).
    current_channel : str or None
        The channel integrated for the charge.
    charge_C, charge_sigma_C : ndarray
        Charge passed since the log's start and its 1σ at each frame (C); NaN outside the log.
    channels : dict of str to ndarray
        Every logged channel interpolated at the frames.
    units : dict of str to str
        Units of ``channels``.
    ok : bool
    reason : str
    """

    frame_time_s: np.ndarray
    log_time_s: np.ndarray
    offset_s: float
    current_channel: str | None
    charge_C: np.ndarray
    charge_sigma_C: np.ndarray
    channels: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    reason: str = ""


def frame_timeline(
    frame_time_s: np.ndarray,
    log: HolderLog,
    *,
    movie_start: datetime | None = None,
    offset_s: float = 0.0,
    current_channel: str | None = None,
    relative_accuracy: float = 0.0,
) -> FrameTimeline:
    """Charge and channels of ``log`` at the movie frames ``frame_time_s`` (s).

    Parameters
    ----------
    frame_time_s : ndarray
        Movie time of each frame (s from the movie's start).
    log : HolderLog
    movie_start : datetime, optional
        Absolute start of the movie (camera clock), when the file records it.
    offset_s : float, optional
        Clock correction (s) added to the frames' log times; see
        :func:`~insitu_tem.analysis.timeline.sync.offset_from_event`.
    current_channel : str, optional
        The current to integrate (default: the first channel in amperes).
    relative_accuracy : float, optional
        The current meter's relative 1σ accuracy.
    """
    frames = np.asarray(frame_time_s, dtype=float)
    times = log_times(frames, log, movie_start=movie_start, offset_s=offset_s)
    channels = {name: channel_at(log, name, times) for name in log.channels}
    units = {name: channel.units for name, channel in log.channels.items()}
    name = current_channel or find_current_channel(log)
    if name is None:
        nan = np.full(frames.shape, np.nan)
        return FrameTimeline(
            frames,
            times,
            offset_s,
            None,
            nan,
            nan,
            channels,
            units,
            ok=False,
            reason="the log has no current channel (A); charge cannot be integrated",
        )
    charge: ChargePassed = charge_passed(
        log.time_s, current_in_amperes(log, name), relative_accuracy=relative_accuracy
    )
    value, sigma = charge.at(times)
    outside = int(np.count_nonzero(np.isnan(value)))
    reason = (
        f"{outside} frames lie outside the log; check the clock offset"
        if outside
        else charge.reason
    )
    return FrameTimeline(
        frames,
        times,
        offset_s,
        name,
        value,
        sigma,
        channels,
        units,
        ok=charge.ok and outside < frames.size,
        reason=reason,
    )
