"""The Gauss-Newton fit of :mod:`.disk_registration`: every disk's window of a pattern fitted
with the reference's window of that disk moved by d and scaled, ``I(x) = a·T(x − d) + b``, all
disks stepping together, and each located disk's 1σ from a sandwich over the pixels before the
blur (the blurred pixels share their noise)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

BLUR_PX = 1.0
"""1σ of the Gaussian both patterns are blurred by before they are compared, px: a disk edge
sharper than a pixel samples differently at every sub-pixel position, which biases any
interpolated comparison (0.1 px on a disk with a 1 px edge); after this blur the pixel grid's
sampling no longer shows (Poisson summation: its terms fall as exp(−2π²σ²), 3e-9 here)."""
MAX_STEPS = 20
"""Gauss-Newton steps before a registration that has not converged is given up."""
TOLERANCE_PX = 1e-4
STEP_SIGMAS = 0.1
"""A registration has converged when its last step moved the disk by less than
:data:`TOLERANCE_PX` or than this fraction of the disk's 1σ (a step the noise cannot tell)."""


@dataclass(frozen=True)
class Blurred:
    """A background-free pattern blurred by :data:`BLUR_PX`: cubic-spline coefficients of it and
    of its gradient (3, rows, cols; a pattern compared with a template: of it alone), the
    variance of each blurred pixel and of each pixel before the blur (rows, cols), counts²."""

    coefficients: np.ndarray
    variance: np.ndarray
    raw_variance: np.ndarray


def registered(
    template: Blurred, image: Blurred, windows, offsets: np.ndarray, leash: float
) -> list[np.ndarray | None]:
    """For each disk k, (d_row, d_col, σ_row, σ_col) px fitting
    ``I(x) ≈ a·T(x + offsets[k] − d) + b`` over its ``windows[k]`` pixels x of the pattern
    ``image`` (``offsets[k]``: from its pixels to the template's at d = 0), or None (not
    located: not converged, moved farther than ``leash`` px). All disks take their Gauss-Newton
    steps together: one interpolation of the stacked windows per step."""
    results: list[np.ndarray | None] = [None] * len(windows)
    fits = [_Fit(k, *window, offsets[k]) for k, window in enumerate(windows)]
    for fit in fits:
        fit.values = ndimage.map_coordinates(
            image.coefficients[0], [fit.rows, fit.cols], order=3, mode="mirror", prefilter=False
        )
        fit.variance = image.variance[fit.rows, fit.cols]
        fit.scale, fit.level = _scale_and_level(template, fit)
    for _ in range(MAX_STEPS):
        if not fits:
            break
        rows = np.concatenate([f.rows for f in fits])
        cols = np.concatenate([f.cols for f in fits])
        sizes = [len(f.rows) for f in fits]
        offset = np.repeat([f.offset for f in fits], sizes, axis=0)
        shift = np.repeat([f.shift for f in fits], sizes, axis=0)
        at = [rows + offset[:, 0] - shift[:, 0], cols + offset[:, 1] - shift[:, 1]]
        sampled = [
            ndimage.map_coordinates(c, at, order=3, mode="mirror", prefilter=False)
            for c in template.coefficients
        ]
        var_t = ndimage.map_coordinates(template.variance, at, order=1, mode="nearest")
        weighted, inverse, chi2, done = _steps(fits, sizes, *sampled, var_t, leash)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        finished = [k for k, fit in enumerate(fits) if done[k]]
        if finished:
            rows = [weighted[bounds[k] : bounds[k + 1]] for k in finished]
            spreads = _sandwiches(image, template, [fits[k] for k in finished], rows)
            for k, spread in zip(finished, spreads):
                covariance = inverse[k] @ spread @ inverse[k]
                results[fits[k].index] = np.concatenate(
                    [fits[k].shift, np.sqrt(np.diag(covariance)[:2] * max(chi2[k], 1.0))]
                )
        remaining = [fit for k, fit in enumerate(fits) if done[k] is None]
        fits = remaining
    return results


@dataclass
class _Fit:
    """One disk's registration under way: its window's pixels, the pattern's values there, the
    offset into the template and the current shift (px), scale and level."""

    index: int
    rows: np.ndarray
    cols: np.ndarray
    offset: np.ndarray
    values: np.ndarray | None = None
    variance: np.ndarray | None = None
    shift: np.ndarray = field(default_factory=lambda: np.zeros(2))
    scale: float = 1.0
    level: float = 0.0


def _scale_and_level(template: Blurred, fit: _Fit) -> tuple[float, float]:
    """The scale a and level b of ``I ≈ a·T + b`` over ``fit``'s window at its start (weighted by
    the pattern's noise; 1 and 0 if a is not positive). Gauss-Newton linearises a·T(x − d) about
    the current a, so a first step from a = 1 moves d by the true scale × the true shift: a faint
    pattern against a bright template took a step the noise could not tell and counted as
    converged near its start."""
    at = [fit.rows + fit.offset[0], fit.cols + fit.offset[1]]
    fitted = ndimage.map_coordinates(
        template.coefficients[0], at, order=3, mode="mirror", prefilter=False
    )
    root = 1.0 / np.sqrt(fit.variance)
    design = np.column_stack([fitted, np.ones_like(fitted)]) * root[:, None]
    (scale, level), *_ = np.linalg.lstsq(design, fit.values * root, rcond=None)
    return (float(scale), float(level)) if scale > 0 else (1.0, 0.0)


def _steps(fits: list[_Fit], sizes, fitted, fitted_r, fitted_c, var_t, leash: float):
    """One Gauss-Newton step of every fit given the template (and its gradient and variance)
    sampled at their stacked windows (``sizes`` pixels each). Returns the weighted design rows
    (stacked), each fit's inverse normal matrix and χ²/dof, and per fit None while under way,
    False when given up, True when converged."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    scale = np.repeat([f.scale for f in fits], sizes)
    level = np.repeat([f.level for f in fits], sizes)
    weight = 1.0 / (np.concatenate([f.variance for f in fits]) + scale**2 * var_t)
    design = np.column_stack([-scale * fitted_r, -scale * fitted_c, fitted, np.ones_like(fitted)])
    misfit = np.concatenate([f.values for f in fits]) - scale * fitted - level
    weighted = design * weight[:, None]
    normal = np.add.reduceat(weighted[:, :, None] * design[:, None, :], starts)
    rhs = np.add.reduceat(weighted * misfit[:, None], starts)
    chi2 = np.add.reduceat(weight * misfit**2, starts) / np.maximum(np.asarray(sizes) - 4, 1)
    solvable = np.abs(np.linalg.det(normal)) > 0
    inverse = np.full_like(normal, np.nan)
    inverse[solvable] = np.linalg.inv(normal[solvable])
    step = np.einsum("kij,kj->ki", inverse, rhs)
    done: list[bool | None] = []
    for fit, k_step, k_inverse, k_chi2, ok in zip(fits, step, inverse, chi2, solvable):
        fit.shift, fit.scale = fit.shift + k_step[:2], fit.scale + k_step[2]
        fit.level = fit.level + k_step[3]
        if not ok or np.hypot(*fit.shift) > leash or fit.scale <= 0:
            done.append(False)
            continue
        naive = np.sqrt(np.diag(k_inverse)[:2] * max(k_chi2, 1.0))
        limit = max(TOLERANCE_PX, STEP_SIGMAS * float(np.min(naive)))
        done.append(True if np.max(np.abs(k_step[:2])) < limit else None)
    return weighted, inverse, chi2, done


def _sandwiches(image: Blurred, template: Blurred, fits, rows) -> np.ndarray:
    """(k, c, c) Σ_p var_p u_p u_pᵀ over the pixels p before the blur of each fit's window, u
    its weighted design rows ``rows[k]`` (its pixels, c) spread back by the blur (the blurred
    pixels share their noise), var the pattern's and the template's (scale² ×) noise: the
    middle of each estimate's covariance N⁻¹ (Σ …) N⁻¹. All fits share one blur of a stack of
    equal boxes."""
    pad = int(np.ceil(4.0 * BLUR_PX)) + 1
    low = np.array([[f.rows.min(), f.cols.min()] for f in fits]) - pad
    high = np.array([[f.rows.max(), f.cols.max()] for f in fits]) + pad
    size = int((high - low).max()) + 1
    spread = np.zeros((len(fits), rows[0].shape[1], size, size))
    for k, (fit, row) in enumerate(zip(fits, rows)):
        spread[k, :, fit.rows - low[k, 0], fit.cols - low[k, 1]] = row
    spread = ndimage.gaussian_filter(spread, (0.0, 0.0, BLUR_PX, BLUR_PX), mode="constant")
    box = np.arange(size)
    pr = low[:, 0, None, None] + box[None, :, None] + np.zeros((1, 1, size), int)
    pc = low[:, 1, None, None] + box[None, None, :] + np.zeros((1, size, 1), int)
    shift = np.round([f.offset - f.shift for f in fits]).astype(int)
    scale = np.array([f.scale for f in fits])
    variance = _at(image.raw_variance, pr, pc) + scale[:, None, None] ** 2 * _at(
        template.raw_variance, pr + shift[:, 0, None, None], pc + shift[:, 1, None, None]
    )
    return np.einsum("kaij,kij,kbij->kab", spread, variance, spread)


def _at(image: np.ndarray, rows, cols) -> np.ndarray:
    """``image`` at whole-pixel (rows, cols), clipped into it."""
    r = np.clip(rows, 0, image.shape[0] - 1).astype(int)
    c = np.clip(cols, 0, image.shape[1] - 1).astype(int)
    return image[r, c]
