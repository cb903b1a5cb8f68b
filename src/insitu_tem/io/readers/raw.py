"""What a reader hands back before kinds and units are decided."""

from __future__ import annotations

import logging

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawAxis:
    """One axis as stored in a file.

    Attributes
    ----------
    name : str
        Name in the file ("x", "Energy loss", "dy", ...).
    size : int
        Samples along the axis.
    scale, offset : float
        Step and origin in ``units``.
    units : str
        The file's unit string, not yet normalised.
    navigate : bool
        True for frame/probe axes, False for the axes of one image/spectrum.
    """

    name: str
    size: int
    scale: float = 1.0
    offset: float = 0.0
    units: str = ""
    navigate: bool = False


@dataclass(frozen=True, eq=False)
class RawSignal:
    """One signal of a file: its array, stored axes and a few facts.

    Attributes
    ----------
    array : array-like
        numpy or dask array in the file's dtype.
    axes : tuple of RawAxis
        One per array dimension, same order.
    title : str
        Signal title shown to the user when a file holds several.
    signal_type : str
        "EELS", "diffraction", "image", "time_series" or "" when unknown.
    metadata : dict
        ``beam_energy_kV`` and other flat facts.
    """

    array: Any
    axes: tuple[RawAxis, ...]
    title: str = ""
    signal_type: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


class CapturedLog(logging.Handler):
    """Collect a library logger's records instead of letting them print on stderr."""

    def __init__(self, name: str) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []
        self._logger = logging.getLogger(name)
        self._saved: tuple[int, bool, list[logging.Handler]] = (logging.NOTSET, True, [])

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> "CapturedLog":
        self._saved = (self._logger.level, self._logger.propagate, list(self._logger.handlers))
        for handler in self._saved[2]:
            self._logger.removeHandler(handler)
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        for handler in self._saved[2]:
            self._logger.addHandler(handler)
        self._logger.setLevel(self._saved[0])
        self._logger.propagate = self._saved[1]
