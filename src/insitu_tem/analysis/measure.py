"""Everyday image measurements: line length and direction, the angle between two lines, an
intensity profile along a line with a width, and region statistics — in calibrated units.

Coordinates are (row, col) pixel indices of the image; ``scale`` is the (row, col) pixel
size in the image's units. Directions are degrees counter-clockwise from +x with y up,
like the FFT spot directions.

References
----------
.. [1] scikit-image ``measure.profile_line`` (the profile's sampling: bilinear
   interpolation, ``linewidth`` perpendicular samples averaged).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Segment:
    """A straight line's length and direction.

    Attributes
    ----------
    length : float
        In ``units``.
    angle_deg : float
        Direction from start to end, degrees counter-clockwise from +x with y up, (−180, 180].
    units : str
    """

    length: float
    angle_deg: float
    units: str

    @property
    def d_A(self) -> float | None:
        """The lattice spacing 1/length in Å when the length is reciprocal (1/nm or 1/Å), else None
        (a ruler from the centre of a power spectrum or pattern to a reflection reads g = 1/d)."""
        per_A = {"1/nm": 0.1, "1/Å": 1.0, "1/A": 1.0}.get(self.units)
        if per_A is None or self.length <= 0:
            return None
        return 1.0 / (self.length * per_A)


def segment(start_rc, end_rc, *, scale=(1.0, 1.0), units: str = "px") -> Segment:
    """Length and direction of the line from ``start_rc`` to ``end_rc`` (pixel indices).

    Parameters
    ----------
    start_rc, end_rc : (float, float)
        End points, (row, col) px.
    scale : (float, float)
        Pixel size along (row, col) in ``units``.
    units : str
    """
    d_row = (float(end_rc[0]) - float(start_rc[0])) * float(scale[0])
    d_col = (float(end_rc[1]) - float(start_rc[1])) * float(scale[1])
    return Segment(math.hypot(d_row, d_col), math.degrees(math.atan2(-d_row, d_col)), units)


def angle_between(first: Segment, second: Segment) -> float:
    """Angle from ``first`` to ``second`` in degrees, [0, 180] (directions as drawn)."""
    difference = abs(second.angle_deg - first.angle_deg) % 360.0
    return 360.0 - difference if difference > 180.0 else difference


@dataclass(frozen=True, eq=False)
class LineProfile:
    """Intensity along a line, averaged over its width.

    Attributes
    ----------
    distance : ndarray
        Distance of each sample from the start, ``units``.
    values : ndarray
        Mean intensity across the width at each sample, image units.
    width_px : int
        Width in pixels (samples averaged perpendicular to the line).
    units : str
    """

    distance: np.ndarray
    values: np.ndarray
    width_px: int
    units: str

    def to_csv(self, path: str | Path) -> None:
        """Write ``distance (<units>), intensity`` rows."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [f"distance ({self.units})", f"intensity (mean over {self.width_px} px)"]
            )
            writer.writerows(zip(self.distance.tolist(), self.values.tolist()))


def line_profile(
    image,
    start_rc,
    end_rc,
    *,
    width_px: int = 1,
    scale=(1.0, 1.0),
    units: str = "px",
) -> LineProfile:
    """Intensity profile from ``start_rc`` to ``end_rc`` (both included), one sample per pixel.

    Parameters
    ----------
    image : array_like
        2-D image.
    start_rc, end_rc : (float, float)
        End points, (row, col) px.
    width_px : int
        Number of parallel lines averaged (odd widths are centred on the line).
    scale : (float, float)
        Pixel size along (row, col) in ``units``.
    units : str

    Returns
    -------
    LineProfile
    """
    data = np.asarray(image, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"a line profile needs a 2-D image, not shape {data.shape}")
    if width_px < 1:
        raise ValueError("the profile width must be at least 1 px")
    from skimage.measure import profile_line  # not at the GUI's start

    values = profile_line(
        data,
        tuple(map(float, start_rc)),
        tuple(map(float, end_rc)),
        linewidth=int(width_px),
        order=1,
        mode="nearest",
        reduce_func=np.mean,
    )
    length = segment(start_rc, end_rc, scale=scale).length
    distance = np.linspace(0.0, length, len(values))
    return LineProfile(distance, np.asarray(values, float), int(width_px), units)


@dataclass(frozen=True)
class RegionStatistics:
    """Statistics of the pixels in a rectangle.

    Attributes
    ----------
    mean, std, minimum, maximum, total : float
        Image units (``total`` is the sum: counts for a counting detector).
    n_pixels : int
    area : float
        In ``area_units``.
    area_units : str
    """

    mean: float
    std: float
    minimum: float
    maximum: float
    total: float
    n_pixels: int
    area: float
    area_units: str


def region_statistics(image, bounds, *, scale=(1.0, 1.0), units: str = "px") -> RegionStatistics:
    """Mean, standard deviation, extremes, sum and area of the pixels in ``bounds``.

    Parameters
    ----------
    image : array_like
        2-D image.
    bounds : (int, int, int, int)
        (row0, col0, row1, col1) px, end exclusive; clipped to the image.
    scale : (float, float)
        Pixel size along (row, col) in ``units``.
    units : str
        Length units; the area is in ``units``².
    """
    data = np.asarray(image)
    r0, c0, r1, c1 = (int(round(v)) for v in bounds)
    r0, r1 = sorted((max(r0, 0), min(r1, data.shape[0])))
    c0, c1 = sorted((max(c0, 0), min(c1, data.shape[1])))
    region = np.asarray(data[r0:r1, c0:c1], dtype=np.float64)
    if region.size == 0:
        raise ValueError("the region holds no pixel of the image; draw it over the image")
    return RegionStatistics(
        float(region.mean()),
        float(region.std(ddof=1)) if region.size > 1 else 0.0,
        float(region.min()),
        float(region.max()),
        float(region.sum()),
        int(region.size),
        float(region.size * scale[0] * scale[1]),
        f"{units}²",
    )
