"""Holder-log time for movie frames: absolute time stamps where both have them, plus a user offset.

A frame at movie time t (s from the movie's start) is at log time
``t + (movie_start − log_start) + offset_s``. The offset corrects the clocks of the camera PC and
the holder PC, which can differ by seconds; it is set from one event seen in both (e.g. the bias
switched on, visible as the front starting to move, and as a step in the current).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from insitu_tem.core.holder_log import HolderLog
from insitu_tem.core.model import Dataset


def log_times(
    frame_time_s: np.ndarray, log: HolderLog, *, movie_start: datetime | None, offset_s: float = 0.0
) -> np.ndarray:
    """Log times (s from the log's start) of movie frames at ``frame_time_s``.

    Without absolute start times on both sides, the movie's t = 0 is the log's t = 0 (plus offset).
    """
    base = 0.0
    if movie_start is not None and log.start is not None:
        base = (movie_start - log.start).total_seconds()
    return np.asarray(frame_time_s, dtype=float) + base + float(offset_s)


def movie_clock(movie: Dataset) -> tuple[np.ndarray, datetime | None]:
    """Frame times (s from the movie's start) and the movie's absolute start, where its file
    records them (``start_time`` and ``frame_times_s`` metadata: Velox, DigitalMicrograph, the
    sample movie), else the time axis and None."""
    times = movie.axes[0].coordinates()
    recorded = movie.metadata.get("frame_times_s")
    if recorded is not None and len(recorded) == times.size:
        times = np.asarray(recorded, dtype=float)
    start = movie.metadata.get("start_time")
    try:
        return times, datetime.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        return times, None


def offset_from_event(
    *, movie_event_s: float, log_event_s: float, frame_time_base_s: float = 0.0
) -> float:
    """The offset that puts an event at ``movie_event_s`` in the movie at ``log_event_s`` in the
    log.

    ``frame_time_base_s`` is ``(movie_start − log_start)`` when both are known (else 0).
    """
    return float(log_event_s - movie_event_s - frame_time_base_s)


def channel_at(log: HolderLog, name: str, time_s: np.ndarray | float) -> np.ndarray:
    """A channel linearly interpolated at log times ``time_s`` (NaN outside the log, and
    everywhere for a channel with no finite reading, e.g. one that was not connected)."""
    channel = log.channel(name)
    valid = np.isfinite(channel.values)
    if not valid.any():
        return np.full(np.shape(time_s), np.nan)
    return np.interp(
        np.asarray(time_s, dtype=float),
        log.time_s[valid],
        channel.values[valid],
        left=np.nan,
        right=np.nan,
    )


def find_current_channel(log: HolderLog) -> str | None:
    """The first channel in amperes (e.g. Protochips "Channel A Current"), or None."""
    for name, channel in log.channels.items():
        if channel.units in ("A", "mA", "µA", "nA") and np.any(np.isfinite(channel.values)):
            return name
    return None


def current_in_amperes(log: HolderLog, name: str) -> np.ndarray:
    """A current channel converted to A."""
    factor = {"A": 1.0, "mA": 1e-3, "µA": 1e-6, "nA": 1e-9}[log.channel(name).units]
    return log.channel(name).values * factor
