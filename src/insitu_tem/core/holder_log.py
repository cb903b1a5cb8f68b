"""Holder logs: channels sampled at recorded times, an absolute start time and live notes.

A :class:`HolderLog` keeps the times as recorded (not resampled onto a uniform grid), because
charge integration and synchronisation with the movie need the real time stamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from insitu_tem.core.model import DataError


@dataclass(frozen=True)
class LogChannel:
    """One logged quantity: values at the log's time stamps, in ``units`` (SI names: A, V, Ω,
    °C…)."""

    name: str
    units: str
    values: np.ndarray


@dataclass(frozen=True)
class LogNote:
    """A live note typed during the experiment, at ``time_s`` seconds from the log's start."""

    time_s: float
    text: str


@dataclass(frozen=True)
class HolderLog:
    """A holder log read from one file.

    Attributes
    ----------
    source : str
        The file it was read from.
    format : str
        ``"protochips"``, ``"impulse"``, ``"dens"`` or ``"csv"``.
    start : datetime or None
        Absolute time of ``time_s == 0`` (naive, the holder PC's clock), None when not recorded.
    time_s : ndarray
        Recorded sample times in s from ``start``, non-decreasing.
    channels : dict of str to LogChannel
        The logged quantities, in file order.
    notes : tuple of LogNote
        Live notes, in time order.
    metadata : dict
        Header entries of the file (calibration file, gases, sample...).
    warnings : tuple of str
        What the reader left out or doubted, one sentence each (e.g. an unterminated last row,
        which may have been cut while the file was written).
    """

    source: str
    format: str
    start: datetime | None
    time_s: np.ndarray
    channels: dict[str, LogChannel]
    notes: tuple[LogNote, ...] = ()
    metadata: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        time = np.asarray(self.time_s, dtype=float)
        if time.ndim != 1 or time.size < 2:
            raise DataError("a holder log needs at least two time stamps")
        if not np.all(np.isfinite(time)) or np.any(np.diff(time) < 0):
            raise DataError("the log's time column is not increasing; give the right time column")
        for channel in self.channels.values():
            if np.shape(channel.values) != time.shape:
                raise DataError(
                    f"channel {channel.name!r} has {np.size(channel.values)} values "
                    f"for {time.size} time stamps"
                )

    def channel(self, name: str) -> LogChannel:
        """The channel called ``name`` (raises ``KeyError`` listing the channels otherwise)."""
        if name not in self.channels:
            raise KeyError(f"no channel {name!r}; channels: {', '.join(self.channels)}")
        return self.channels[name]

    def summary(self) -> dict:
        """The JSON form of ``insitu-tem log``: start, time_s, channels with units, notes,
        warnings."""
        return {
            "source": self.source,
            "format": self.format,
            "start": None if self.start is None else self.start.isoformat(),
            "time_s": self.time_s,
            "channels": {
                name: {"units": c.units, "values": c.values} for name, c in self.channels.items()
            },
            "notes": [{"time_s": n.time_s, "text": n.text} for n in self.notes],
            "metadata": self.metadata,
            "warnings": list(self.warnings),
        }
