"""The data model shared by readers, analyses and panels.

A :class:`Dataset` is an array (numpy, or dask when loaded lazily) with one
calibrated :class:`Axis` per dimension. Axes are in (row, col) order; the
kinds and their axis names are:

================  ==========================================  =====================
kind              dimensions                                  typical units
================  ==========================================  =====================
movie             (t, y, x)                                   s, nm, nm
image             (y, x)                                      nm, nm
pattern           (ky, kx)                                    1/nm, 1/nm
pattern_series    (position, ky, kx) or (scan_y, scan_x, ...)  nm, 1/nm, 1/nm
spectrum          (E,)                                        eV
spectrum_series   (position, E) or (scan_y, scan_x, E)        nm, eV
================  ==========================================  =====================
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from insitu_tem.core.units import FRAME, UNCALIBRATED, is_valid_scale

KINDS = ("movie", "image", "pattern", "pattern_series", "spectrum", "spectrum_series")

SIGNAL_NDIM = {
    "movie": 2,
    "image": 2,
    "pattern": 2,
    "pattern_series": 2,
    "spectrum": 1,
    "spectrum_series": 1,
}


class DataError(ValueError):
    """A file or array that cannot be used, with a message saying what to do."""


@dataclass(frozen=True)
class Axis:
    """One calibrated dimension of a dataset.

    Attributes
    ----------
    name : str
        ``"t"``, ``"y"``, ``"x"``, ``"ky"``, ``"kx"``, ``"position"``,
        ``"scan_y"``, ``"scan_x"`` or ``"E"``.
    size : int
        Number of samples along the axis.
    scale : float
        Step between samples, in ``units``.
    offset : float
        Coordinate of sample 0, in ``units``.
    units : str
        Canonical unit (``nm``, ``1/nm``, ``eV``, ``s``) or ``px`` when
        uncalibrated.
    """

    name: str
    size: int
    scale: float = 1.0
    offset: float = 0.0
    units: str = UNCALIBRATED

    def __post_init__(self) -> None:
        if int(self.size) < 0:
            raise DataError(f"axis {self.name!r} has negative size {self.size}")
        if not is_valid_scale(self.scale):
            raise DataError(
                f"axis {self.name!r} has scale {self.scale!r}; give a finite positive "
                "scale (e.g. --scale VALUE --units UNIT)"
            )

    @property
    def calibrated(self) -> bool:
        """True when the axis carries physical units."""
        return self.units not in (UNCALIBRATED, FRAME)

    def coordinates(self) -> np.ndarray:
        """Calibrated coordinate of every sample, in ``units``."""
        return self.offset + self.scale * np.arange(self.size, dtype=float)

    def to_value(self, index: float) -> float:
        """Calibrated coordinate of a (fractional) sample index."""
        return self.offset + self.scale * float(index)

    def to_index(self, value: float) -> float:
        """Fractional sample index of a calibrated coordinate."""
        return (float(value) - self.offset) / self.scale

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form: name, size, scale, offset, units."""
        return {
            "name": self.name,
            "size": int(self.size),
            "scale": float(self.scale),
            "offset": float(self.offset),
            "units": self.units,
        }


@dataclass(frozen=True, eq=False)
class Dataset:
    """An array with calibrated axes, as read from one signal of one file.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    array : numpy.ndarray or dask.array.Array
        The data, never modified in place by insitu-tem.
    axes : tuple of Axis
        One per array dimension, same order.
    metadata : dict
        Flat facts worth keeping: ``beam_energy_kV``, ``title``,
        ``original_dtype``, ``signal_index`` ...
    source : str
        Path of the file it came from ("" for generated data).
    warnings : tuple of str
        Anything odd noticed while reading (calibration, dtype, units).
    signals : tuple of str
        Titles of all signals in the source file (one entry for single-signal
        files).
    """

    kind: str
    array: Any
    axes: tuple[Axis, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    warnings: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DataError(f"unknown dataset kind {self.kind!r}; expected one of {KINDS}")
        if len(self.axes) != self.array.ndim:
            raise DataError(
                f"{len(self.axes)} axes given for a {self.array.ndim}-D array of kind {self.kind}"
            )
        for axis, size in zip(self.axes, self.array.shape):
            if axis.size != size:
                raise DataError(f"axis {axis.name!r} has size {axis.size} but the array has {size}")

    @property
    def shape(self) -> tuple[int, ...]:
        """Array shape, (row, col) order."""
        return tuple(int(n) for n in self.array.shape)

    @property
    def dtype(self) -> np.dtype:
        """Array dtype."""
        return np.dtype(self.array.dtype)

    @property
    def lazy(self) -> bool:
        """True when the array is a dask array (not yet in memory)."""
        return not isinstance(self.array, np.ndarray)

    @property
    def navigation_axes(self) -> tuple[Axis, ...]:
        """Axes that index frames, probe positions or spectra."""
        return self.axes[: len(self.axes) - SIGNAL_NDIM[self.kind]]

    @property
    def signal_axes(self) -> tuple[Axis, ...]:
        """Axes of one frame, pattern or spectrum."""
        return self.axes[len(self.axes) - SIGNAL_NDIM[self.kind] :]

    def axis(self, name: str) -> Axis:
        """Return the axis called ``name``; raise KeyError when absent."""
        for axis in self.axes:
            if axis.name == name:
                return axis
        raise KeyError(f"{self.kind} dataset has no axis {name!r}")

    def with_axes(self, axes: tuple[Axis, ...], *, warnings: tuple[str, ...] = ()) -> "Dataset":
        """Copy with new axes (e.g. a calibration override); the array is shared."""
        return replace(self, axes=tuple(axes), warnings=self.warnings + tuple(warnings))

    def frame(self, index: int) -> np.ndarray:
        """One navigation item as an in-memory numpy array (frame, pattern, spectrum)."""
        n_nav = len(self.navigation_axes)
        if n_nav == 0:
            return np.asarray(self.array)
        flat = self.array.reshape((-1,) + self.shape[n_nav:])
        return np.asarray(flat[int(index)])

    @property
    def n_items(self) -> int:
        """Number of frames, patterns or spectra (1 for single-item kinds)."""
        return int(np.prod([a.size for a in self.navigation_axes], dtype=int))

    def summary(self) -> dict[str, Any]:
        """Plain-JSON description: kind, shape, dtype, axes, lazy, signals, warnings."""
        return {
            "kind": self.kind,
            "shape": list(self.shape),
            "dtype": str(self.dtype),
            "axes": [axis.as_dict() for axis in self.axes],
            "lazy": self.lazy,
            "signals": list(self.signals),
            "warnings": list(self.warnings),
        }
