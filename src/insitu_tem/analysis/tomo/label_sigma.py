"""1σ of the volumes and the EDS composition of the labels of a segmented volume.

Volumes: a threshold between two plateaus ``a < b`` blurred by the reconstruction puts the
boundary where the edge crosses it, which is the true boundary only at the midpoint ``(a + b)/2``
(for a symmetric blur); a threshold below the midpoint grows the brighter label by
``A σ_psf Φ⁻¹(1 − q)`` (``A`` the boundary area, ``q`` the threshold's level between the
plateaus). Relabelling the volume (Gaussian σ ``smooth_px`` as the segmentation) at the midpoints
between the plateaus of the labels (the medians of their interiors, eroded by two voxels, ordered
by level) moves each boundary by exactly that much, so the 1σ of a label's volume is the change of
its voxel count; counting noise on the iso-surface is negligible for volumes of 10⁴ voxels and
more. Not included: the missing wedge's stretch along z, the shrink of convex borders under blur
and voids below the resolution; they are signed and partly cancel (docs/tomography.md).

Composition: the line intensity of a label is the sum of the element's reconstructed volume over
it; its counting variance is the one of a sum over slices along the tilt axis whose noise is
independent between slices a few voxels apart (:func:`.voids.slice_sum_variance`), carried through
Cliff–Lorimer by the delta method (:func:`insitu_tem.analysis.eds.maps.cliff_lorimer`). The label
boundary adds the change of the wt % when the label is eroded by one voxel in every (z, x) plane
(blur carries the neighbour's elements over the border). The two add in quadrature.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.eds.maps import cliff_lorimer
from insitu_tem.analysis.tomo.voids import slice_sum_variance

_PLANE = np.zeros((3, 1, 3), bool)
_PLANE[:, 0, :] = ndimage.generate_binary_structure(2, 1)


def label_volume_sigma(
    volume: np.ndarray, labels: np.ndarray, *, smooth_px: float = 1.0
) -> dict[int, float]:
    """1σ of every label's voxel count (module docstring), voxels; NaN for a label without an
    interior."""
    data = (
        ndimage.gaussian_filter(np.asarray(volume, np.float32), smooth_px)
        if smooth_px > 0
        else np.asarray(volume, np.float32)
    )
    present = [int(k) for k in np.unique(labels)]
    plateaus = {}
    for k in present:
        interior = ndimage.binary_erosion(labels == k, iterations=2)
        if interior.any():
            plateaus[k] = float(np.median(data[interior]))
    order = sorted(plateaus, key=plateaus.get)
    if len(order) < 2:
        return {k: float("nan") for k in present}
    levels = np.array([plateaus[k] for k in order])
    relabelled = np.asarray(order)[np.digitize(data, (levels[:-1] + levels[1:]) / 2)]
    return {
        k: float(abs(np.sum(relabelled == k) - np.sum(labels == k))) if k in plateaus else np.nan
        for k in present
    }


def _totals(labels, element_volumes, label, erode: bool):
    inside = labels == label
    if erode:
        inside = ndimage.binary_erosion(inside, _PLANE)
    y = np.nonzero(inside)[1]
    sums = [
        np.bincount(y, np.clip(v[inside], 0, None), minlength=labels.shape[1])
        for v in element_volumes.values()
    ]
    return np.array([s.sum() for s in sums]), np.array([slice_sum_variance(s) for s in sums])


def composition_sigma_per_label(
    labels: np.ndarray,
    element_volumes: dict[str, np.ndarray],
    kfactors: dict[str, float] | None = None,
) -> dict[int, dict[str, float]]:
    """1σ of the Cliff–Lorimer wt % of every label (module docstring), wt %.

    Parameters
    ----------
    labels : ndarray
        (z, y, x) integer labels.
    element_volumes : dict
        Element → reconstructed (z, y, x) line-intensity volume, same shape.
    kfactors : dict, optional
        Element → Cliff–Lorimer k-factor (1 when absent).
    """
    elements = list(element_volumes)
    k = [float((kfactors or {}).get(e, 1.0)) for e in elements]
    result = {}
    for label in np.unique(labels):
        totals, variance = _totals(labels, element_volumes, label, erode=False)
        counting = cliff_lorimer(totals, elements, k, intensity_variance=variance)
        eroded = _totals(labels, element_volumes, label, erode=True)[0]
        boundary = cliff_lorimer(eroded, elements, k).weight_percent - counting.weight_percent
        sigma = np.hypot(counting.weight_percent_sigma, boundary)
        result[int(label)] = {e: float(s) for e, s in zip(elements, sigma)}
    return result
