"""Tilt-axis direction and position from the projections themselves.

Direction (common line): in parallel projection, summing an image across
the tilt axis gives the object's mass profile along the axis, the same at
every tilt. For a trial direction φ the profiles along it are compared
through their Fourier moduli (blind to shifts along the axis); their spread
across tilts is smallest at the true φ [1]_.

Position (centre of mass): across the axis, the centre of mass of each
aligned projection follows ``u₀ + x cos θ + z sin θ`` for an object at
(x, z) from the axis; a least-squares fit gives the axis column ``u₀``.

References
----------
.. [1] R. A. Crowther, D. J. DeRosier and A. Klug, Proc. R. Soc. A 317, 319
   (1970) (common lines).
.. [2] M. C. Scott et al., Nature 483, 444 (2012), supplementary methods
   (centre of mass across the axis).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.tomo.reconstruct import reconstruct


def _profiles(stack: np.ndarray, angle_deg: float) -> np.ndarray:
    """Every image summed across direction φ: (n, length) profiles along it."""
    n, rows, cols = stack.shape
    phi = np.deg2rad(angle_deg)
    r = np.arange(rows)[:, None] - (rows - 1) / 2
    c = np.arange(cols)[None, :] - (cols - 1) / 2
    t = (r * np.cos(phi) + c * np.sin(phi)).ravel() + (rows + cols) / 2
    low = np.floor(t).astype(np.int64)
    frac = t - low
    length = rows + cols + 2
    flat = stack.reshape(n, -1)
    index = (np.arange(n)[:, None] * length + low[None, :]).ravel()
    profile = np.bincount(index, (flat * (1 - frac)[None, :]).ravel(), minlength=n * length)
    profile += np.bincount(index + 1, (flat * frac[None, :]).ravel(), minlength=n * length)
    return profile.reshape(n, length)


def _spread(stack: np.ndarray, angle_deg: float) -> float:
    profiles = _profiles(stack, angle_deg)
    profiles /= np.maximum(np.abs(profiles.sum(axis=1, keepdims=True)), 1e-12)
    moduli = np.abs(np.fft.rfft(profiles - profiles.mean(axis=1, keepdims=True), axis=1))[:, 1:]
    mean = moduli.mean(axis=0)
    return float(((moduli - mean) ** 2).sum() / max((mean**2).sum(), 1e-30))


def _binned(stack: np.ndarray, size: int) -> np.ndarray:
    factor = max(1, min(stack.shape[1:]) // size)
    n, rows, cols = stack.shape
    rows, cols = rows // factor * factor, cols // factor * factor
    view = stack[:, :rows, :cols].reshape(n, rows // factor, factor, cols // factor, factor)
    binned = view.mean(axis=(2, 4), dtype=np.float64)
    return binned - np.median(binned, axis=(1, 2), keepdims=True)


def _parabola(grid: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    k = int(np.clip(np.argmin(scores), 1, grid.size - 2))
    s0, s1, s2 = scores[k - 1 : k + 2]
    step = grid[1] - grid[0]
    curvature = s0 - 2 * s1 + s2
    delta = float(np.clip(0.5 * (s0 - s2) / curvature, -1, 1)) if curvature > 0 else 0.0
    return float(grid[k] + delta * step), float(step / np.sqrt(12))


def estimate_axis_angle(
    stack: np.ndarray, *, search_deg: tuple[float, float] = (-90.0, 90.0)
) -> tuple[float, float]:
    """Tilt-axis direction φ by common lines, degrees (module docstring).

    A 2° grid on 96-px images, then a 0.25° grid on 192-px images and a
    parabola through the minimum.

    Parameters
    ----------
    stack : ndarray
        (n_tilts, rows, cols) raw projections (background-subtracted by the median of each).
    search_deg : (float, float)
        Range searched, degrees.

    Returns
    -------
    angle, sigma : float
        φ and the grid-limited 1σ, degrees. Objects that leave the field of
        view along the axis (wires) bias φ towards the image axes; give the
        angle when it is known.
    """
    coarse, fine = _binned(np.asarray(stack), 96), _binned(np.asarray(stack), 192)
    grid = np.arange(search_deg[0], search_deg[1], 2.0)
    best = grid[int(np.argmin([_spread(coarse, a) for a in grid]))]
    grid = best + 0.25 * np.arange(-8, 9)
    angle, sigma = _parabola(grid, np.array([_spread(fine, a) for a in grid]))
    return (angle + 90.0) % 180.0 - 90.0, sigma


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


def estimate_axis_offset_by_consistency(
    aligned: np.ndarray, tilts_deg, *, n_slices: int = 24
) -> tuple[float, float]:
    """Tilt-axis column minus the centre column that best explains the aligned series, px.

    A SIRT-20 reconstruction of ``n_slices`` rows (binned to ≤ 128 columns)
    fits the data best when the axis is right; the reprojection error is
    scanned on a grid of 1/16 of the width and refined on a 1-px grid with a
    parabola. Works where the centre of mass cannot (objects leaving the
    field of view, slabs).

    Returns
    -------
    offset, sigma : float
        px (full resolution); σ is the final grid step × factor / √12.
    """
    tilts = np.asarray(tilts_deg, dtype=float)
    n, rows, cols = aligned.shape
    factor = max(1, cols // 128)
    width = cols // factor
    rows_used = np.linspace(0, rows - 1, min(n_slices, rows)).astype(int)
    sinograms = (
        aligned[:, rows_used, : width * factor]
        .reshape(n, rows_used.size, width, factor)
        .mean(axis=3)
    )
    grid = np.arange(-width / 4, width / 4 + 1e-9, max(width / 16, 1.0))
    errors = [_offset_error(sinograms, tilts, o) for o in grid]
    best = float(grid[int(np.argmin(errors))])
    grid = best + np.arange(-3.0, 3.01, 1.0)
    offset, sigma = _parabola(grid, np.array([_offset_error(sinograms, tilts, o) for o in grid]))
    return offset * factor, sigma * factor
