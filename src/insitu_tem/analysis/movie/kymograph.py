"""Kymographs: intensity along a line or polyline (averaged across a width) vs time.

Points are (row, col) in px. The line is sampled every ``step`` px of arc
length; at each sample, ``width`` points spaced 1 px along the local normal
are interpolated (bilinear) and averaged. With drift shifts the line follows
the specimen: in frame ``i`` it is sampled at ``points + shifts_px[i]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage

from insitu_tem.core.model import Axis
from insitu_tem.analysis.movie.drift import iter_frames


@dataclass(frozen=True)
class LineSampling:
    """Where a line is sampled.

    Attributes
    ----------
    centres_rc : numpy.ndarray
        (n_samples, 2) sample points on the line, (row, col) px.
    normals_rc : numpy.ndarray
        (n_samples, 2) unit normals, (row, col).
    distance_px : numpy.ndarray
        Arc length of each sample from the first vertex, px.
    offsets_px : numpy.ndarray
        Offsets across the line averaged together, px.
    shear : float
        Along-line displacement per px across (0: straight across); a sample at offset ``v``
        lies ``shear * v`` px further along, so a straight front crossing the line obliquely
        is sampled parallel to itself.
    """

    centres_rc: np.ndarray
    normals_rc: np.ndarray
    distance_px: np.ndarray
    offsets_px: np.ndarray
    shear: float = 0.0

    def coordinates(self, shift_px=(0.0, 0.0)) -> np.ndarray:
        """(2, n_samples * n_offsets) (row, col) coordinates for ``map_coordinates``."""
        tangents = np.column_stack([-self.normals_rc[:, 1], self.normals_rc[:, 0]])
        direction = self.normals_rc + self.shear * tangents
        across = self.offsets_px[None, :, None] * direction[:, None, :]
        points = self.centres_rc[:, None, :] + across + np.asarray(shift_px, dtype=float)
        return points.reshape(-1, 2).T

    def calibrated_distance(self, row: Axis, col: Axis) -> np.ndarray:
        """Arc length of each sample in calibrated units (handles non-square pixels)."""
        steps = np.diff(self.centres_rc, axis=0) * np.array([row.scale, col.scale])
        return np.concatenate([[0.0], np.cumsum(np.hypot(steps[:, 0], steps[:, 1]))])


@dataclass(frozen=True)
class Kymograph:
    """Intensity along a line vs frame.

    Attributes
    ----------
    image : numpy.ndarray
        (n_frames, n_samples) float32 mean intensity across the width.
    sampling : LineSampling
        Geometry of the samples.
    width_px : float
        Averaging width across the line, px.
    ok : bool
        False when stopped before the last frame (remaining rows are NaN).
    reason : str
        Why ``ok`` is False (naming the frame by its 0-based index).
    stopped_at : int or None
        Index (0-based) of the first frame not sampled when stopped early (None otherwise).
    """

    image: np.ndarray
    sampling: LineSampling
    width_px: float
    ok: bool = True
    reason: str = ""
    stopped_at: int | None = None

    @property
    def distance_px(self) -> np.ndarray:
        """Arc length of each column from the line start, px."""
        return self.sampling.distance_px


def sample_line(
    points_rc, *, width: float = 1.0, step: float = 1.0, shear: float = 0.0
) -> LineSampling:
    """Sample positions along a polyline.

    Parameters
    ----------
    points_rc : array_like
        (n_vertices >= 2, 2) vertices, (row, col) px.
    width : float
        Width averaged across the line, px (1 = the line itself).
    step : float
        Spacing of samples along the line, px.
    shear : float
        Along-line displacement per px across (:attr:`LineSampling.shear`).
    """
    vertices = np.asarray(points_rc, dtype=float)
    if vertices.ndim != 2 or vertices.shape[1] != 2 or len(vertices) < 2:
        raise ValueError("give at least two (row, col) points for a line")
    if not (width >= 1 and step > 0):
        raise ValueError(f"width must be >= 1 px and step > 0 px, got width={width}, step={step}")
    segments = np.diff(vertices, axis=0)
    lengths = np.hypot(segments[:, 0], segments[:, 1])
    if lengths.sum() < step:
        raise ValueError("the line is shorter than one sample step; drag a longer line")
    keep = lengths > 0
    vertices = np.vstack([vertices[:1], vertices[1:][keep]])
    arc = np.concatenate([[0.0], np.cumsum(lengths[keep])])
    distance = np.arange(0.0, arc[-1] + 1e-9, step)
    centres = np.column_stack([np.interp(distance, arc, vertices[:, k]) for k in (0, 1)])
    segment = np.clip(np.searchsorted(arc, distance, side="right") - 1, 0, len(arc) - 2)
    tangents = (segments[keep] / lengths[keep][:, None])[segment]
    normals = np.column_stack([tangents[:, 1], -tangents[:, 0]])
    n_across = max(1, int(round(width)))
    offsets = np.arange(n_across) - (n_across - 1) / 2.0
    return LineSampling(centres, normals, distance, offsets, float(shear))


def kymograph(
    movie,
    points_rc,
    *,
    width: float = 1.0,
    step: float = 1.0,
    shear: float = 0.0,
    shifts_px=None,
    chunk: int = 16,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Kymograph:
    """Intensity along a (poly)line in every frame.

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array.
    points_rc : array_like
        Line vertices, (row, col) px in frame-0 coordinates.
    width : float
        Averaging width across the line, px.
    step : float
        Sample spacing along the line, px.
    shear : float
        Along-line displacement per px across (:attr:`LineSampling.shear`).
    shifts_px : array_like, optional
        (t, 2) drift from :func:`~insitu_tem.analysis.movie.drift.measure_drift`;
        the line then follows the specimen.
    chunk : int
        Frames read at a time from lazy movies.
    progress, should_stop : callable, optional
        Progress report and early stop.

    Returns
    -------
    Kymograph
    """
    if getattr(movie, "ndim", 0) != 3:
        raise ValueError("a kymograph needs a (t, y, x) movie")
    sampling = sample_line(points_rc, width=width, step=step, shear=shear)
    n = movie.shape[0]
    shifts = np.zeros((n, 2)) if shifts_px is None else np.asarray(shifts_px, dtype=float)
    if shifts.shape != (n, 2):
        raise ValueError(f"shifts_px must be ({n}, 2), got {shifts.shape}")
    image = np.full((n, len(sampling.distance_px)), np.nan, dtype=np.float32)
    n_across = len(sampling.offsets_px)
    for i, frame in enumerate(iter_frames(movie, chunk=chunk)):
        if should_stop is not None and should_stop():
            why = f"stopped at frame {i} of {n}"
            return Kymograph(image, sampling, float(width), False, why, stopped_at=i)
        values = ndimage.map_coordinates(
            np.asarray(frame, dtype=np.float32),
            sampling.coordinates(shifts[i]),
            order=1,
            mode="nearest",
        )
        image[i] = values.reshape(-1, n_across).mean(axis=1)
        if progress is not None:
            progress((i + 1) / n, f"kymograph: frame {i + 1}/{n}")
    return Kymograph(image, sampling, float(width))


def band(movie, sampling: LineSampling, shifts_px=None, *, chunk: int = 16) -> np.ndarray:
    """(n_frames, n_samples, n_offsets) float32 intensities :func:`kymograph` averages across
    the width (bilinear, at ``sampling``, following ``shifts_px`` (t, 2) px when given)."""
    n = movie.shape[0]
    shifts = np.zeros((n, 2)) if shifts_px is None else np.asarray(shifts_px, dtype=float)
    shape = (sampling.distance_px.size, sampling.offsets_px.size)
    out = np.empty((n, *shape), dtype=np.float32)
    for i, frame in enumerate(iter_frames(movie, chunk=chunk)):
        out[i] = ndimage.map_coordinates(
            np.asarray(frame, dtype=np.float32),
            sampling.coordinates(shifts[i]),
            order=1,
            mode="nearest",
        ).reshape(shape)
    return out
