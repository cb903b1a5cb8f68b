"""What a reader hands back before kinds and units are decided."""

from __future__ import annotations

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
