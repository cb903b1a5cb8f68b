"""Levels of a smoothed reconstruction shared by the volume measurements (:mod:`.material_volume`,
:mod:`.core_voids`): a label's plateau, the region above a level with its holes filled, and the
edge width between two plateaus."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.measure import find_contours

from insitu_tem.analysis.tomo.voids import NOISE_LAG_PX

_IQR = 1.3489795003921634


def plateau(data: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Median of the voxels of ``mask`` eroded by two and its 1σ (correlated noise)."""
    values = data[ndimage.binary_erosion(mask, iterations=2)]
    if values.size == 0:
        return float("nan"), float("nan")
    spread = np.subtract(*np.percentile(values, [84, 16])) / 2
    independent = max(values.size / NOISE_LAG_PX**3, 1.0)
    return float(np.median(values)), float(1.2533 * spread / np.sqrt(independent))


def slices(mask: np.ndarray):
    """The (z, x) slices of a (z, y, x) array, one per y."""
    return (mask[:, y, :] for y in range(mask.shape[1]))


def filled_above(data: np.ndarray, level: float) -> np.ndarray:
    """Voxels above ``level`` with the holes of every (z, x) slice filled."""
    return np.stack([ndimage.binary_fill_holes(p) for p in slices(data > level)], axis=1)


def contour_length(plane: np.ndarray, level: float) -> float:
    """Length of the ``level`` contours of a (z, x) plane (marching squares), px."""
    return float(sum(np.hypot(*np.diff(c, axis=0).T).sum() for c in find_contours(plane, level)))


def edge_sigma(data: np.ndarray, low: float, high: float) -> tuple:
    """Edge width ``σ`` between the plateaus ``low`` and ``high`` (:mod:`.material_volume`'s
    docstring): (σ, its 1σ from the spread over the slices), px; NaN when fewer than two slices
    hold the midpoint contour."""
    step = high - low
    inner = data > low + 0.75 * step
    outer = data > low + 0.25 * step
    area = np.array([contour_length(p, low + 0.5 * step) for p in slices(data)])
    between = (outer & ~inner).sum(axis=(0, 2))
    good = area > 0
    if good.sum() < 2:
        return float("nan"), float("nan")
    sigma = float(between[good].sum() / (_IQR * area[good].sum()))
    per_slice = between[good] / (_IQR * area[good])
    spread = float(np.std(per_slice) / np.sqrt(max(good.sum() / NOISE_LAG_PX, 1.0)))
    return sigma, spread
