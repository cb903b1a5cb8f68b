"""The batched numerics of the disk-edge fit
(:func:`insitu_tem.analysis.diffraction.disk_edges.fit_disk_edges`):
every disk of a batch sampled along its rays in one interpolation, then circle steps with
outlier rejection and the centre's 1σ, disk by disk as rows of arrays.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

SPLINE_PAD = 12
_RAY_STEP = 0.25


def _ray_radii(radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per disk the radii sampled along its rays, ``np.arange(max(0.3 r, 0.5), 1.6 r + 2, 0.25)``
    value for value (zero-padded to the longest), and how many of them there are."""
    first = np.maximum(0.3 * radius, 0.5)
    count = np.ceil((1.6 * radius + 2.0 - first) / _RAY_STEP).astype(int)
    delta = (first + _RAY_STEP) - first
    return first[:, None] + np.arange(count.max())[None, :] * delta[:, None], count


def edge_radii(
    coefficients: np.ndarray, centres: np.ndarray, radius: np.ndarray, angles: np.ndarray
):
    """Per disk (rows of ``centres``, px) and ray: radius of the steepest fall (parabolic vertex)
    and the step height there; all disks sampled in one interpolation of the cubic B-spline
    ``coefficients`` of the pattern, edge-padded by :data:`SPLINE_PAD` px."""
    rho, count = _ray_radii(radius)
    disks = np.arange(len(radius))
    rows = (centres[:, 0] + SPLINE_PAD)[:, None, None] + np.sin(angles)[None, :, None] * rho[
        :, None, :
    ]
    cols = (centres[:, 1] + SPLINE_PAD)[:, None, None] + np.cos(angles)[None, :, None] * rho[
        :, None, :
    ]
    profile = ndimage.map_coordinates(
        coefficients, [rows, cols], order=3, mode="nearest", prefilter=False
    )
    slope = np.gradient(profile, _RAY_STEP, axis=2)
    last = count - 1
    slope[disks, :, last] = (profile[disks, :, last] - profile[disks, :, last - 1]) / _RAY_STEP
    r = radius[:, None, None]
    window = (rho[:, None, :] > 0.5 * r) & (rho[:, None, :] < 1.5 * r)
    k = np.clip(np.argmin(np.where(window, slope, np.inf), axis=2), 1, (count - 2)[:, None])
    minus, mid, plus = (
        np.take_along_axis(slope, (k + shift)[..., None], axis=2)[..., 0] for shift in (-1, 0, 1)
    )
    curvature = minus - 2 * mid + plus
    offset = np.where(
        curvature > 0,
        np.clip(0.5 * (minus - plus) / np.where(curvature > 0, curvature, 1), -0.5, 0.5),
        0,
    )
    edge = np.take_along_axis(rho, k, axis=1) + offset * _RAY_STEP
    valid = np.arange(rho.shape[1])[None, :] < count[:, None]
    beyond = (rho >= 1.3 * radius[:, None]) & valid
    outside = np.where(beyond[:, None, :], profile, 0.0).sum(axis=2) / beyond.sum(axis=1)[:, None]
    before = (
        (rho[:, None, :] >= edge[..., None] - 2.0)
        & (rho[:, None, :] <= edge[..., None])
        & valid[:, None, :]
    )
    height = np.where(before, profile, -np.inf).max(axis=2) - outside
    return edge, height


def _masked_median(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, ``np.median(row[mask_row])`` (every row holds at least one True)."""
    ordered = np.sort(np.where(mask, values, np.inf), axis=1)
    count = mask.sum(axis=1)
    rows = np.arange(len(values))
    low, high = ordered[rows, (count - 1) // 2], ordered[rows, count // 2]
    return np.where(count % 2 == 1, low, (low + high) / 2)


def _circle_steps(design: np.ndarray, target: np.ndarray, weights: np.ndarray, use: np.ndarray):
    """Per row, the weighted least-squares step over the used rays, and every ray's residual."""
    root = np.sqrt(np.where(use, weights, 0.0))
    solution = np.linalg.pinv(design[None, :, :] * root[:, :, None]) @ (target * root)[..., None]
    solution = solution[..., 0]
    return solution, target - solution @ design.T


def reject_outliers(design, target, weights, use, minimum: float):
    """Per disk, circle steps with 3σ (scaled MAD) rejection of edge points, at most three
    passes; returns the solution, residuals, rays used and the disks left with too few rays."""
    solution = np.zeros((len(target), design.shape[1]))
    residual = np.zeros_like(target)
    few = np.zeros(len(target), dtype=bool)
    going = np.ones(len(target), dtype=bool)
    for _ in range(3):
        few |= going & (use.sum(axis=1) < minimum)
        going &= ~few
        rows = np.flatnonzero(going)
        if len(rows) == 0:
            break
        solution[rows], residual[rows] = _circle_steps(
            design, target[rows], weights[rows], use[rows]
        )
        used, res = use[rows], residual[rows]
        spread = 1.4826 * _masked_median(np.abs(res - _masked_median(res, used)[:, None]), used)
        kept = used & (np.abs(res) <= 3.0 * (spread + 0.05)[:, None])
        going[rows[kept.sum(axis=1) == used.sum(axis=1)]] = False
        use[rows] = kept
    return solution, residual, use, few


def centre_sigma(design, residual, weights, use, radius) -> np.ndarray:
    """Per disk, 1σ of each centre coordinate from the weighted least-squares covariance, scaled
    by the residual variance and by the correlation of edge points closer than one pixel."""
    used = use.sum(axis=1)
    w = np.where(use, weights, 0.0)
    w = w / (w.sum(axis=1) / used)[:, None]
    dof = np.maximum(used - design.shape[1], 1)
    variance = np.sum(w * residual**2, axis=1) / dof
    normal = np.einsum("ri,kr,rj->kij", design, w, design)
    covariance = np.linalg.inv(normal) * variance[:, None, None]
    spacing = 2 * np.pi * radius / len(design)
    return np.sqrt(
        0.5 * (covariance[:, 0, 0] + covariance[:, 1, 1]) * np.maximum(1.0, 1.0 / spacing)
    )
