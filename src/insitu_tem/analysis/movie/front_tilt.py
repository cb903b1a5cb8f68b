"""Tilt of a front across a straight line's width, from when strips of the band change.

A front crossing the line at an angle reaches the strips of the band (parallel to the line, at
offsets ``v`` across it) at along-line positions ``u = a(t) + b v``; averaging the band straight
across smears it over ``b × width``. Each strip's samples are tested for one change in time
(:func:`~insitu_tem.analysis.movie.front_states.change_points`); the samples that change
significantly, with the front's sign, give points (change frame ``f``, ``u``, ``v``). Within each
change frame the spread of ``u`` with ``v`` is the tilt: ``b`` is the least-squares slope of
``u - ū(f)`` against ``v - v̄(f)`` (one-hot frames; a robust second pass drops points beyond 3
robust σ). Sampling the band along ``u + b v`` (:attr:`LineSampling.shear`) then sees the front
sharp, and the position where it crosses ``v = 0`` is the width-averaged one.

The 1σ of ``b`` adds to the fit's statistical one the front's shape across the band that every
frame shares (the strips' mean residuals, a rough front's local shape): a shape that does not
average out over frames tilts the fit by its unseen straight part. The tilt is the front's
local one, within the band; a front rough on scales longer than the band's width crosses the
line at another mean angle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift import iter_frames
from insitu_tem.analysis.movie.front_states import (
    CHANGE_Z,
    ORDER_Z,
    change_points,
    direction_and_sign,
    initial_beam,
    moving_edge,
    order_evidence,
    robust_sigma,
)
from insitu_tem.analysis.movie.kymograph import sample_line

STRIP_PX = 4.0
MIN_POINTS = 12
MAX_SHEAR = 3.0
STEEP_Z = 3.0


@dataclass(frozen=True)
class FrontTilt:
    """Tilt of the front across the line.

    Attributes
    ----------
    shear : float
        Along-line displacement of the front per px across the line (0 when not measured).
    shear_sigma : float
        1σ of ``shear``, statistical and the front's shape across the band (NaN when not
        measured).
    n_points : int
        Samples that changed significantly and entered the fit.
    ok : bool
        False when too few strips' samples changed (``shear`` is then 0).
    reason : str
        Why ``ok`` is False.
    declined_shear : float
        When no front changes the straight band in order but its strips, read with the moving
        edge's sign, change along a tilt beyond ``STEEP_Z`` times its statistical σ (the strips
        do change along a tilt; the front's shape sets how well it gives the front's angle): that
        tilt (0 otherwise). The band is not sampled along it; it says why the front was not found.
    declined_sigma : float
        1σ of ``declined_shear`` as of ``shear`` (NaN when that is 0).
    """

    shear: float
    shear_sigma: float
    n_points: int
    ok: bool = True
    reason: str = ""
    declined_shear: float = 0.0
    declined_sigma: float = np.nan


def strip_kymographs(movie, points_rc, *, width: float, shifts_px=None) -> tuple[np.ndarray, ...]:
    """(frames, samples, strips) intensity of strips ``STRIP_PX`` wide across the band and the
    strips' centre offsets (px)."""
    sampling = sample_line(points_rc, width=width)
    offsets = sampling.offsets_px
    n_strips = max(2, int(round(offsets.size / STRIP_PX)))
    edges = np.linspace(0, offsets.size, n_strips + 1).astype(int)
    n = movie.shape[0]
    shifts = np.zeros((n, 2)) if shifts_px is None else np.asarray(shifts_px, dtype=float)
    strips = np.empty((n, sampling.distance_px.size, n_strips))
    for i, frame in enumerate(iter_frames(movie)):
        values = ndimage.map_coordinates(
            np.asarray(frame, dtype=np.float32),
            sampling.coordinates(shifts[i]),
            order=1,
            mode="nearest",
        ).reshape(-1, offsets.size)
        strips[i] = np.add.reduceat(values, edges[:-1], axis=1) / np.diff(edges)
    centres = np.add.reduceat(offsets, edges[:-1]) / np.diff(edges)
    return strips, centres


def _slope(f: np.ndarray, u: np.ndarray, v: np.ndarray, keep: np.ndarray) -> tuple[float, ...]:
    frames, index = np.unique(f[keep], return_inverse=True)
    counts = np.bincount(index).astype(float)
    du = u[keep] - (np.bincount(index, u[keep]) / counts)[index]
    dv = v[keep] - (np.bincount(index, v[keep]) / counts)[index]
    spread = float(np.sum(dv**2))
    if spread <= 0:
        return 0.0, np.inf, np.zeros(u.size), 0.0
    slope = float(np.sum(du * dv) / spread)
    residual = np.zeros(u.size)
    residual[keep] = du - slope * dv
    dof = max(int(keep.sum()) - frames.size - 1, 1)
    sigma = float(np.sqrt(np.sum(residual**2) / dof / spread))
    shape = float(np.sqrt(_shape_variance(residual[keep], v[keep]) * keep.sum() / spread))
    return slope, sigma, residual, shape


def _shape_variance(residual: np.ndarray, v: np.ndarray) -> float:
    """Variance (px²) of the front's shape across the band that every frame shares: the strips'
    mean residuals about the straight line, with the line's 2 degrees of freedom (0 for two
    strips, which a line always fits). A shape that each frame shows alike does not average
    out over frames, and its unseen straight part tilts the fit as much as the part seen."""
    strips, index = np.unique(v, return_inverse=True)
    if strips.size <= 2:
        return 0.0
    profile = np.bincount(index, residual) / np.bincount(index)
    return float(np.sum(profile**2) / (strips.size - 2))


def front_tilt(movie, points_rc, *, width: float, shifts_px=None) -> FrontTilt:
    """Tilt of a front across a straight line's band (see the module docstring).

    Parameters
    ----------
    movie : array_like
        (t, y, x) movie.
    points_rc : array_like
        The line's two end points, (row, col) px, frame-0 coordinates.
    width : float
        Width of the band, px.
    shifts_px : array_like, optional
        (t, 2) drift, px.

    Returns
    -------
    FrontTilt
    """
    strips, centres = strip_kymographs(movie, points_rc, width=width, shifts_px=shifts_px)
    if movie.shape[0] < 4:
        return FrontTilt(0.0, np.nan, 0, False, "no front changes the band")
    found = direction_and_sign(strips.mean(axis=2), polarity=None)
    if found is None:
        return _declined(strips, centres)
    f, u, v = _points(strips, centres, found[1])
    if f.size < MIN_POINTS:
        return FrontTilt(0.0, np.nan, f.size, False, "too few samples change in the strips")
    slope, sigma, total, kept = _robust_slope(f, u, v)
    if not np.isfinite(sigma):
        return FrontTilt(0.0, np.nan, kept, False, "the strips change in one frame")
    return FrontTilt(float(np.clip(slope, -MAX_SHEAR, MAX_SHEAR)), total, kept)


def _points(strips: np.ndarray, centres: np.ndarray, sign: int) -> tuple[np.ndarray, ...]:
    """(change frame, sample, strip offset) of every strip sample that changes significantly
    with ``sign``."""
    threshold = CHANGE_Z + np.sqrt(2 * np.log(max(strips.shape[0], 3)))
    points = []
    for j, centre in enumerate(centres):
        series = strips[:, :, j]
        frame, step, z = change_points(series / initial_beam(series)[:, None])
        good = np.flatnonzero((z > threshold) & (np.sign(step) == sign))
        points.extend((frame[k], k, centre) for k in good)
    if not points:
        return np.empty(0), np.empty(0), np.empty(0)
    return tuple(np.array(column, dtype=float) for column in zip(*points))


def _robust_slope(f: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[float, float, float, int]:
    """:func:`_slope` again without the points beyond 3 robust σ of the first pass: the slope,
    its statistical 1σ, its 1σ with the front's shape across the band, and the number of points
    kept."""
    keep = np.ones(f.size, bool)
    residual = _slope(f, u, v, keep)[2]
    keep = np.abs(residual) <= 3 * max(float(robust_sigma(residual[keep])), 1e-9)
    slope, sigma, _, shape = _slope(f, u, v, keep)
    return slope, sigma, float(np.hypot(sigma, shape)), int(keep.sum())


def _declined(strips: np.ndarray, centres: np.ndarray) -> FrontTilt:
    """No front: with the tilt the strips show for the moving edge's sign
    (:attr:`FrontTilt.declined_shear`) when it is beyond ``STEEP_Z`` statistical σ."""
    f, u, v = _points(strips, centres, moving_edge(strips.mean(axis=2))[1])
    shear, shear_sigma = 0.0, np.nan
    if f.size >= MIN_POINTS:
        slope, sigma, total, _ = _robust_slope(f, u, v)
        if abs(slope) > STEEP_Z * sigma:
            shear, shear_sigma = slope, total
    return FrontTilt(0.0, np.nan, 0, False, "no front changes the band", shear, shear_sigma)


def declined_reason(tilt: FrontTilt, image: np.ndarray, *, polarity: int | str, width: float):
    """Why the straight band's kymograph ``image`` (frames, samples) shows no front when
    ``tilt`` has a :attr:`~FrontTilt.declined_shear`: the order test it fails, with its numbers
    (:func:`~insitu_tem.analysis.movie.front_states.order_evidence`), and the tilt's angle from
    square ± 1σ (σ_θ = σ_b / (1 + b²)) and its smear ``|b| × width`` along the band. None when
    there is no such tilt or the kymograph passes that test (the decline has another cause).
    ``polarity`` is :func:`~insitu_tem.analysis.movie.front.track_front`'s."""
    if not tilt.declined_shear:
        return None
    sign = None if polarity == "auto" else int(polarity)
    *_, changed, order = order_evidence(image, polarity=sign)
    if order >= ORDER_Z:
        return None
    shear = abs(tilt.declined_shear)
    test = f"{int(changed.sum())} of {changed.size} samples change with its sign"
    test += f", in order at {order:.1f}σ < {ORDER_Z:g}σ" if np.isfinite(order) else ", too few"
    angle = np.degrees(np.arctan(shear))
    sigma = np.degrees(tilt.declined_sigma / (1 + shear**2))
    return (
        f"no front changes the line's samples in order ({test}); its strips change along a tilt "
        f"of {angle:.0f} ± {sigma:.2g}° from square across the line, which smears it "
        f"over {shear * width:.0f} px along the band: draw the line along the front's motion, "
        "across the front"
    )
