"""Tilt-axis position from the aligned projections (the direction: :mod:`.axis_direction`).

Position (centre of mass): across the axis, the centre of mass of each
aligned projection follows ``u₀ + x cos θ + z sin θ`` for an object at
(x, z) from the axis; a least-squares fit gives the axis column ``u₀``.

Otherwise the offset that minimises the reprojection error of a small SIRT
reconstruction (:func:`estimate_axis_offset_by_consistency`), searched coarse to fine.

References
----------
.. [1] M. C. Scott et al., Nature 483, 444 (2012), supplementary methods
   (centre of mass across the axis).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from insitu_tem.analysis.tomo.reconstruct import reconstruct


def _parabola(grid: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    k = int(np.clip(np.argmin(scores), 1, grid.size - 2))
    s0, s1, s2 = scores[k - 1 : k + 2]
    step = grid[1] - grid[0]
    curvature = s0 - 2 * s1 + s2
    delta = float(np.clip(0.5 * (s0 - s2) / curvature, -1, 1)) if curvature > 0 else 0.0
    return float(grid[k] + delta * step), float(step / np.sqrt(12))


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


def _offset_error(sinograms: np.ndarray, tilts: np.ndarray, offset: float) -> float:
    return reconstruct(
        sinograms, tilts, method="sirt", iterations=20, axis_offset_px=offset, smooth_px=0.0
    ).reprojection_error


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
    """Reprojection errors at ``offsets``, up to three at a time (the sparse products release the
    GIL; three keep two cores busy through the 1-px search's first three offsets)."""
    offsets = list(offsets)
    if len(offsets) < 2:
        return [_offset_error(sinograms, tilts, o) for o in offsets]
    with ThreadPoolExecutor(min(3, len(offsets))) as pool:
        return list(pool.map(lambda o: _offset_error(sinograms, tilts, o), offsets))


def _scan(sinograms: np.ndarray, tilts: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    return _parabola(grid, np.array(_errors(sinograms, tilts, grid)))


def _descend(sinograms: np.ndarray, tilts: np.ndarray, centre: float) -> tuple[float, float]:
    """Parabola through the minimum of the error on a 1-px grid, walked from ``centre`` (±1 px)
    until the minimum is not at the grid's edge (at most 10 px further)."""
    errors = {}
    grid = float(np.round(centre)) + np.arange(-1.0, 1.01, 1.0)
    for _ in range(5):
        missing = [o for o in grid if o not in errors]
        errors.update(zip(missing, _errors(sinograms, tilts, missing)))
        grid = np.array(sorted(errors))
        k = int(np.argmin([errors[o] for o in grid]))
        if 0 < k < grid.size - 1:
            break
        grid = np.array([grid[k] + (-2.0 if k == 0 else 2.0), grid[k] + (-1.0 if k == 0 else 1.0)])
    grid = np.array(sorted(errors))
    return _parabola(grid, np.array([errors[o] for o in grid]))


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
    offset, sigma : float
        px (full resolution); σ is the final grid step × factor / √12.
    """
    tilts = np.asarray(tilts_deg, dtype=float)
    cols = aligned.shape[2]
    factor = max(1, cols // max_width)
    width = cols // factor
    if near is None:
        coarse_factor = max(1, cols // 64)
        small = cols // coarse_factor
        grid = np.arange(-small / 4, small / 4 + 1e-9, max(small / 16, 1.0))
        vertex, step_sigma = _scan(_binned_rows(aligned, n_slices // 2, small), tilts, grid)
        if coarse_only:
            return vertex * coarse_factor, step_sigma * coarse_factor
        centre = vertex * coarse_factor / factor
    else:
        centre = near / factor
    offset, sigma = _descend(_binned_rows(aligned, n_slices, width), tilts, centre)
    return offset * factor, sigma * factor
