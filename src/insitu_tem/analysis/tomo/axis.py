"""Tilt-axis position from the aligned projections (the direction: :mod:`.axis_direction`).

Position (centre of mass): across the axis, the centre of mass of each
aligned projection follows ``u₀ + x cos θ + z sin θ`` for an object at
(x, z) from the axis; a least-squares fit gives the axis column ``u₀``.

Otherwise the offset that minimises the reprojection error of a small SIRT
reconstruction (:func:`estimate_axis_offset_by_consistency`), searched coarse to fine. Its 1σ:
single-axis slices are reconstructed independently, so the squared error is a sum over
:data:`SLABS` slabs of rows along the axis that are independent. The parabola through the sum at
three offsets about its minimum has its vertex at ``δ = Σ n_g / Σ c_g`` grid steps from the middle
one (``n_g`` half the slab's difference of the outer two, ``c_g`` its second difference): a ratio
of sums of independent terms, whose 1σ is ``√(Σ (n_g − δ c_g)² G/(G − 1)) / Σ c_g`` (the ratio
estimator's, Cochran 1977, §6.3), times the Student-t factor that covers 68 % for ``G − 1``
degrees of freedom. A slab whose own minimum is shallow has small ``c_g`` and weighs little.
The slabs cannot see an error they all share — the parabola's placement of the minimum on the
1-px grid, the small reconstruction's own bias — so the grid's step / √12 is added in quadrature.
On 20 wire phantoms (64 px, 25 tilts, 20 counts/px, seeds 100–119, ``samples.tomo``; errors
0.24 px RMS) the ±1σ covers 85 % (±2σ 100 %; the slabs' term alone 50 % / 75 %, the step / √12
alone 85 %). Until session 30 the 1σ was the grid step / √12 alone: on the real IDP section
(``edstomo_idp``, binned ×2) 0.58 px, now 7.3 px — its slabs along the axis place the minimum
from −40 to +7 px, a reprojection error too flat along the offset to fix it to a pixel.

References
----------
.. [1] M. C. Scott et al., Nature 483, 444 (2012), supplementary methods
   (centre of mass across the axis).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import special

from insitu_tem.analysis.tomo.projector import projector
from insitu_tem.analysis.tomo.reconstruct import reconstruct

SLABS = 6


def _parabola(grid: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    k = int(np.clip(np.argmin(scores), 1, grid.size - 2))
    s0, s1, s2 = scores[k - 1 : k + 2]
    step = grid[1] - grid[0]
    curvature = s0 - 2 * s1 + s2
    delta = float(np.clip(0.5 * (s0 - s2) / curvature, -1, 1)) if curvature > 0 else 0.0
    return float(grid[k] + delta * step), float(step / np.sqrt(12))


@dataclass(frozen=True)
class AxisOffset:
    """Tilt-axis column minus the centre column from the reprojection error.

    Attributes
    ----------
    offset_px, sigma_px : float
        The offset and its 1σ (the slabs along the axis ⊕ the resolution; module docstring), px.
    resolution_px : float
        The search grid's step / √12, px: how finely the grid places the minimum (not a 1σ).
    """

    offset_px: float
    sigma_px: float
    resolution_px: float


def centre_of_mass_across(aligned: np.ndarray) -> np.ndarray:
    """Centre of mass of each projection across the axis (column), px from the centre column."""
    profile = np.clip(aligned.sum(axis=1, dtype=np.float64), 0, None)
    profile -= profile.min(axis=1, keepdims=True)
    columns = np.arange(aligned.shape[2]) - (aligned.shape[2] - 1) / 2
    return (profile * columns).sum(axis=1) / np.maximum(profile.sum(axis=1), 1e-12)


def estimate_axis_offset(aligned: np.ndarray, tilts_deg) -> tuple[float, float]:
    """Tilt-axis column minus the centre column from the centre-of-mass trajectory, px.

    Returns
    -------
    offset : float
        px.
    sigma : float
        1σ from the fit residuals, px.
    """
    theta = np.deg2rad(np.asarray(tilts_deg, dtype=float))
    com = centre_of_mass_across(np.asarray(aligned))
    design = np.stack([np.ones_like(theta), np.cos(theta), np.sin(theta)], axis=1)
    coef, *_ = np.linalg.lstsq(design, com, rcond=None)
    residual = com - design @ coef
    dof = max(theta.size - 3, 1)
    covariance = np.linalg.pinv(design.T @ design) * float(residual @ residual) / dof
    return float(coef[0]), float(np.sqrt(max(covariance[0, 0], 0.0)))


def _slab_errors(sinograms: np.ndarray, tilts: np.ndarray, offset: float) -> np.ndarray:
    """Squared reprojection residual of each slab of :data:`SLABS` (rows along the axis) of a
    SIRT-20 reconstruction, over the whole series' ‖b‖² (single-axis slices are reconstructed
    independently, so the slabs' sum is the whole error's square)."""
    volume = reconstruct(
        sinograms, tilts, method="sirt", iterations=20, axis_offset_px=offset, smooth_px=0.0
    ).volume
    n_tilts, rows, nx = sinograms.shape
    nz = volume.shape[0]
    forward = projector(tilts, nx, nz=nz, axis_offset_px=offset).forward(
        np.ascontiguousarray(volume.transpose(0, 2, 1)).reshape(nz * nx, rows)
    )
    measured = np.asarray(sinograms, dtype=np.float32).transpose(0, 2, 1).reshape(-1, rows)
    per_row = np.square(forward - measured, dtype=np.float64).sum(axis=0)
    total = float(np.square(measured, dtype=np.float64).sum())
    slabs = np.array_split(per_row, min(SLABS, rows))
    return np.array([slab.sum() for slab in slabs]) / max(total, 1e-300)


def _binned_rows(aligned: np.ndarray, n_slices: int, width: int) -> np.ndarray:
    n, rows, cols = aligned.shape
    factor = cols // width
    rows_used = np.linspace(0, rows - 1, min(n_slices, rows)).astype(int)
    return (
        aligned[:, rows_used, : width * factor]
        .reshape(n, rows_used.size, width, factor)
        .mean(axis=3)
    )


def _errors(sinograms: np.ndarray, tilts: np.ndarray, offsets) -> list[float]:
    """Reprojection errors at ``offsets`` (:func:`_slab_error_list` summed)."""
    return [float(np.sqrt(e.sum())) for e in _slab_error_list(sinograms, tilts, offsets)]


def _slab_error_list(sinograms: np.ndarray, tilts: np.ndarray, offsets) -> list[np.ndarray]:
    """:func:`_slab_errors` at ``offsets``, up to three at a time (the sparse products release
    the GIL; three keep two cores busy through the 1-px search's first three offsets)."""
    offsets = list(offsets)
    if len(offsets) < 2:
        return [_slab_errors(sinograms, tilts, o) for o in offsets]
    with ThreadPoolExecutor(min(3, len(offsets))) as pool:
        return list(pool.map(lambda o: _slab_errors(sinograms, tilts, o), offsets))


def _scan(sinograms: np.ndarray, tilts: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    return _parabola(grid, np.array(_errors(sinograms, tilts, grid)))


def _ratio_vertex(grid: np.ndarray, table: np.ndarray) -> tuple[float, float]:
    """Vertex of the parabola through the summed squared errors about their minimum on ``grid``,
    and its 1σ from the slabs (columns of ``table``, module docstring); NaN σ when the slabs
    cannot give one."""
    total = table.sum(axis=1)
    k = int(np.clip(np.argmin(total), 1, grid.size - 2))
    s0, s2, s1 = table[k - 1], table[k + 1], table[k]
    slope, curvature = 0.5 * (s0 - s2), s0 - 2 * s1 + s2
    step = float(grid[1] - grid[0])
    if not curvature.sum() > 0:
        return float(grid[k]), float("nan")
    delta = float(np.clip(slope.sum() / curvature.sum(), -1, 1))
    n = slope.size
    if n < 3:
        return float(grid[k] + delta * step), float("nan")
    spread = np.sum((slope - delta * curvature) ** 2) * n / (n - 1)
    coverage = special.stdtrit(n - 1, special.ndtr(1.0))
    return float(grid[k] + delta * step), float(coverage * np.sqrt(spread) / curvature.sum() * step)


def _descend(sinograms: np.ndarray, tilts: np.ndarray, centre: float) -> tuple[float, float]:
    """Parabola through the minimum of the error on a 1-px grid, walked from ``centre`` (±1 px)
    until the minimum is not at the grid's edge (at most 10 px further); the 1σ from the scatter
    of the slabs' own vertices (module docstring)."""
    errors = {}
    grid = float(np.round(centre)) + np.arange(-1.0, 1.01, 1.0)
    for _ in range(5):
        missing = [o for o in grid if o not in errors]
        errors.update(zip(missing, _slab_error_list(sinograms, tilts, missing)))
        grid = np.array(sorted(errors))
        k = int(np.argmin([errors[o].sum() for o in grid]))
        if 0 < k < grid.size - 1:
            break
        grid = np.array([grid[k] + (-2.0 if k == 0 else 2.0), grid[k] + (-1.0 if k == 0 else 1.0)])
    grid = np.array(sorted(errors))
    return _ratio_vertex(grid, np.array([errors[o] for o in grid]))


def estimate_axis_offset_by_consistency(
    aligned: np.ndarray,
    tilts_deg,
    *,
    n_slices: int = 24,
    near: float | None = None,
    coarse_only: bool = False,
    max_width: int = 128,
) -> tuple[float, float]:
    """Tilt-axis column minus the centre column that best explains the aligned series, px.

    A SIRT-20 reconstruction of ``n_slices`` rows (binned to ≤ ``max_width`` columns)
    fits the data best when the axis is right. The reprojection error is
    scanned coarse to fine: on a grid of 1/16 of the width over ±1/4 of it
    with half the rows binned to ≤ 64 columns, then on a 1-px grid (±1 px, walked
    on while the minimum is at its edge) about the coarse parabola's vertex,
    or about ``near`` when given (a previous estimate), with a parabola. Works where the centre of
    mass cannot (objects leaving the field of view, slabs). ``coarse_only`` stops after the coarse
    grid (a first estimate, e.g. one to be searched about later through ``near``); ``max_width``
    below 128 makes the 1-px search coarser and cheaper (a check of another estimate).

    Returns
    -------
    AxisOffset
        px (full resolution); with ``coarse_only`` its σ is NaN (a first estimate only).
    """
    tilts = np.asarray(tilts_deg, dtype=float)
    cols = aligned.shape[2]
    factor = max(1, cols // max_width)
    width = cols // factor
    if near is None:
        coarse_factor = max(1, cols // 64)
        small = cols // coarse_factor
        grid = np.arange(-small / 4, small / 4 + 1e-9, max(small / 16, 1.0))
        vertex, resolution = _scan(_binned_rows(aligned, n_slices // 2, small), tilts, grid)
        if coarse_only:
            return AxisOffset(vertex * coarse_factor, np.nan, resolution * coarse_factor)
        centre = vertex * coarse_factor / factor
    else:
        centre = near / factor
    offset, sigma = _descend(_binned_rows(aligned, n_slices, width), tilts, centre)
    resolution = factor / np.sqrt(12)
    return AxisOffset(offset * factor, float(np.hypot(sigma * factor, resolution)), resolution)
