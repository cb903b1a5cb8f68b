"""Volumes of the materials of a core–shell wire from its labels and reconstruction.

A label's voxel count is not the volume of its material: the label boundary sits where the
segmentation threshold meets the blurred edge, the missing wedge stretches the reconstruction
along the beam (z) and blur shrinks convex borders. Each nested region (the core; the wire,
core ∪ shell) is measured as the count of the smoothed volume above the midpoint between the
plateaus of its two sides (holes filled in every slice), plus two signed corrections; the
core's material is its region minus its voids, and the shell's material is the wire minus the
filled core, times ``1 − f`` (``f`` the void fraction of the shell, :mod:`.voids`, which also
holds the voids below the resolution):

* threshold: the midpoint of the plateaus (medians of the labels' interiors, eroded by two
  voxels) is where a symmetric blurred edge crosses the true boundary;
* blur: at the midpoint a blurred convex border moves inward by ``σ²/(2R)`` (``R`` its radius of
  curvature), so every (z, x) slice of a region loses ``π σ² χ`` (Gauss–Bonnet; ``χ`` its
  objects minus its holes), whatever the shape [1]_; ``σ`` is the edge width measured from the
  voxels between the 25 % and 75 % levels of the step, ``(n₂₅ − n₇₅) / (1.349 A)``, ``A`` the
  midpoint surface's area (the lengths of the slices' midpoint contours, marching squares);
* wedge stretch: the reconstruction extends a cross-section along z by the missing wedge; with
  ``R_z``, ``R_x`` the label's RMS extents about its axis in every slice, the count excess is
  ``N (R_z − R_x)/(R_z + R_x)``, half of what a uniform stretch of the image along z would give
  (MLEM's limited-angle elongation is not a uniform stretch; the whole term over-corrects the
  development phantoms' cores by 2–4 %: the half is chosen between the two models there, not
  derived). This assumes a cross-section as wide along z as along x (a round wire): a wire truly
  elongated along the beam is read as stretched.

The core's voids: a void's blurred dip at the core–shell midpoint (≈ 0.73 of the core's density)
is larger than the void, whose own edge is at the core–vacuum midpoint, so subtracting the
region's holes (and missing the dent of a void opened into the shell) takes 1.4–1.9 × the void
from the core. When the series' tilts are given, the core's count is instead divided by
``1 + b``, ``b`` its bias simulated through the same tilts and MLEM (:mod:`.count_bias`, which
replaces the blur and stretch terms for the core), the void's slices of the midpoint count are
brought to the median of the other slices, and the voids' volume from the density deficit
(:mod:`.core_voids`) is subtracted, its 1σ added in quadrature; without the tilts the holes are
subtracted from the corrected region.

The 1σ of each region adds in quadrature: the change of the count when both plateaus move by
their noise (1σ of the median of the interior voxels, from their spread and the noise's
correlation over ``NOISE_LAG_PX`` voxels), the blur term's change when ``σ`` changes by its
spread over the slices (divided by the square root of the independent slices), and half the
difference between the stretch measured on the label and on the midpoint region (two estimates);
the shell's adds ``f``'s 1σ and the core's voids that open into the shell's region
(:func:`opened_voids`, left in the estimate: removing them alone exposes the wire's opposite
bias; docs/tomography.md gives the errors and coverage on phantoms).

References
----------
.. [1] M. P. do Carmo, *Differential Geometry of Curves and Surfaces*, Prentice-Hall (1976),
   §4-5 (Gauss–Bonnet); the inward shift ``σ²κ/2`` of a level set under Gaussian smoothing is the
   heat-equation's curvature flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage
from skimage.measure import euler_number, find_contours
from skimage.morphology import convex_hull_image

from insitu_tem.analysis.tomo.count_bias import core_count_bias
from insitu_tem.analysis.tomo.reconstruct import DEFAULT_ITERATIONS
from insitu_tem.analysis.tomo.voids import NOISE_LAG_PX

if TYPE_CHECKING:
    from insitu_tem.analysis.tomo.core_voids import CoreVoids

_IQR = 1.3489795003921634


@dataclass(frozen=True)
class RegionVolume:
    """Volume of one nested region and its corrections, voxels.

    Attributes
    ----------
    count : float
        Voxels of the smoothed volume above the region's midpoint level, holes filled.
    threshold, blur, stretch : float
        The signed corrections (module docstring): midpoint count minus the label count, the
        blur's ``π σ² χ`` summed over the slices, the wedge's ``−N (R_z − R_x)/(R_z + R_x)``.
    volume, sigma : float
        Corrected volume of the region, holes included (``count + blur + stretch``), and its 1σ.
    edge_sigma_px : float
        Measured edge width ``σ``, px.
    holes : float
        Voxels of the holes of the midpoint region (its voids), counted in ``count`` and
        ``volume``.
    slice_counts : ndarray
        (y,) voxels of the filled midpoint region in every slice.
    """

    count: float
    threshold: float
    blur: float
    stretch: float
    volume: float
    sigma: float
    edge_sigma_px: float
    holes: float
    slice_counts: np.ndarray


def _plateau(data: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Median of the voxels of ``mask`` eroded by two and its 1σ (correlated noise)."""
    values = data[ndimage.binary_erosion(mask, iterations=2)]
    if values.size == 0:
        return float("nan"), float("nan")
    spread = np.subtract(*np.percentile(values, [84, 16])) / 2
    independent = max(values.size / NOISE_LAG_PX**3, 1.0)
    return float(np.median(values)), float(1.2533 * spread / np.sqrt(independent))


def _slices(mask: np.ndarray):
    return (mask[:, y, :] for y in range(mask.shape[1]))


def _filled_above(data: np.ndarray, level: float) -> np.ndarray:
    """Voxels above ``level`` with the holes of every (z, x) slice filled."""
    return np.stack([ndimage.binary_fill_holes(p) for p in _slices(data > level)], axis=1)


def opened_voids(
    data: np.ndarray, core: np.ndarray, shell: np.ndarray, vacuum: np.ndarray
) -> float:
    """Voxels of the core's voids that open into the shell at the core's midpoint (a lower bound).

    A void in the core a few voxels from its border, blurred (and stretched along z by the
    wedge), joins the shell below the core–shell midpoint: it is neither a hole of the core nor
    core, so the shell's region holds it. In every (z, x) slice its dent is what the convex hull
    of the core's filled midpoint region adds to it (a core's cross-section is convex); the
    dent's voxels below the midpoint between the core and the vacuum plateaus (the void's own
    edge level) are counted. A blurred dip need not reach that level, so the count is a lower
    bound of the voids' volume.

    Parameters
    ----------
    data : ndarray
        (z, y, x) smoothed reconstruction.
    core, shell, vacuum : ndarray
        (z, y, x) bool, the core and shell labels and the vacuum outside the filled wire.

    Returns
    -------
    float
        Voxels; NaN where a plateau is missing.
    """
    high, middle, low = (_plateau(data, m)[0] for m in (core, shell, vacuum))
    if not np.isfinite(high + middle + low):
        return float("nan")
    filled = _filled_above(data, (high + middle) / 2)
    hull = np.stack([convex_hull_image(p) if p.any() else p for p in _slices(filled)], axis=1)
    return float((hull & ~filled & (data < (high + low) / 2)).sum())


def _extents(mask: np.ndarray) -> tuple[float, float]:
    z, y, x = np.nonzero(mask)
    n = np.maximum(np.bincount(y, minlength=mask.shape[1]), 1).astype(float)
    cz = (np.bincount(y, z, mask.shape[1]) / n)[y]
    cx = (np.bincount(y, x, mask.shape[1]) / n)[y]
    return float(np.sqrt(np.mean((z - cz) ** 2))), float(np.sqrt(np.mean((x - cx) ** 2)))


def _length(plane: np.ndarray, level: float) -> float:
    """Length of the ``level`` contours of a (z, x) plane (marching squares), px."""
    return float(sum(np.hypot(*np.diff(c, axis=0).T).sum() for c in find_contours(plane, level)))


def _stretch(mask: np.ndarray) -> float:
    """The wedge's count excess ``−N (R_z − R_x)/(R_z + R_x)`` of a region, voxels."""
    rz, rx = _extents(mask)
    return -float(mask.sum()) * (rz - rx) / (rz + rx)


def _edge_sigma(data: np.ndarray, low: float, high: float) -> tuple:
    """Edge width (module docstring): (σ, its 1σ from the spread over the slices), px."""
    step = high - low
    inner = data > low + 0.75 * step
    outer = data > low + 0.25 * step
    area = np.array([_length(p, low + 0.5 * step) for p in _slices(data)])
    between = (outer & ~inner).sum(axis=(0, 2))
    good = area > 0
    if good.sum() < 2:
        return float("nan"), float("nan")
    sigma = float(between[good].sum() / (_IQR * area[good].sum()))
    per_slice = between[good] / (_IQR * area[good])
    spread = float(np.std(per_slice) / np.sqrt(max(good.sum() / NOISE_LAG_PX, 1.0)))
    return sigma, spread


def region_volume(
    data: np.ndarray, label_mask: np.ndarray, inside: np.ndarray, outside: np.ndarray
) -> RegionVolume:
    """Corrected volume of the region ``label_mask`` (module docstring).

    Parameters
    ----------
    data : ndarray
        (z, y, x) smoothed reconstruction.
    label_mask : ndarray
        (z, y, x) bool, the region as labelled.
    inside, outside : ndarray
        (z, y, x) bool, the labels whose plateaus bound the region's edge.
    """
    (high, high_sigma), (low, low_sigma) = _plateau(data, inside), _plateau(data, outside)
    level = (low + high) / 2
    mask = data > level
    filled = _filled_above(data, level)
    count = float(filled.sum())
    step = 0.05 * (high - low)
    slope = float((data > level - step).sum() - (data > level + step).sum()) / (2 * step)
    threshold_sigma = slope * np.hypot(high_sigma, low_sigma) / 2
    edge, edge_spread = _edge_sigma(data, low, high)
    chi = float(sum(euler_number(s, connectivity=2) for s in _slices(filled)))
    blur = np.pi * edge**2 * chi
    stretch = _stretch(label_mask)
    sigma = float(
        np.sqrt(
            threshold_sigma**2
            + (2 * blur * edge_spread / edge) ** 2
            + ((_stretch(filled) - stretch) / 2) ** 2
        )
    )
    return RegionVolume(
        count,
        count - float(label_mask.sum()),
        float(blur),
        float(stretch),
        float(count + blur + stretch),
        sigma,
        float(edge),
        count - float(mask.sum()),
        filled.sum(axis=(0, 2)).astype(float),
    )


def material_volumes(
    volume: np.ndarray,
    labels: np.ndarray,
    void_fraction_shell: float,
    void_fraction_sigma: float,
    *,
    core_label: int,
    shell_label: int,
    core_voids: CoreVoids | None = None,
    tilts_deg=None,
    iterations: int = DEFAULT_ITERATIONS["mlem"],
    smooth_px: float = 1.0,
) -> tuple[dict, dict]:
    """Volumes of the core and shell materials and their 1σ (module docstring), voxels.

    Parameters
    ----------
    volume : ndarray
        (z, y, x) reconstruction the labels were segmented from.
    labels : ndarray
        (z, y, x) labels; the wire is ``core_label`` inside ``shell_label``.
    void_fraction_shell, void_fraction_sigma : float
        Void fraction of the filled shell and its 1σ (:mod:`.voids`).
    core_voids : CoreVoids, optional
        The core's voids from the density (:mod:`.core_voids`).
    tilts_deg : array_like, optional
        Tilts of the series and ``iterations`` of its MLEM reconstruction: with them and the
        core's voids, the core's count is calibrated by simulation (:mod:`.count_bias`) and the
        voids subtracted once; otherwise the core's holes at the midpoint are taken for its
        voids.
    smooth_px : float
        Gaussian σ of the segmentation's smoothing, px.

    Returns
    -------
    volumes, sigmas : dict
        ``{core_label: V, shell_label: V}`` and their 1σ; NaN where a plateau is missing.
    """
    data = ndimage.gaussian_filter(np.asarray(volume, np.float32), smooth_px)
    core, shell = labels == core_label, labels == shell_label
    wire = np.stack([ndimage.binary_fill_holes(p) for p in _slices(core | shell)], axis=1)
    inner = region_volume(data, core, core, shell)
    outer = region_volume(data, wire, shell, ~wire)
    region = outer.volume - inner.volume
    shell_volume = region * (1 - void_fraction_shell)
    opened = opened_voids(data, core, shell, ~wire)
    shell_sigma = np.hypot(
        np.linalg.norm([outer.sigma, inner.sigma, opened]) * (1 - void_fraction_shell),
        region * void_fraction_sigma,
    )
    bias = (
        _count_bias(volume, data, (core, shell, wire), (inner, outer), tilts_deg, iterations)
        if tilts_deg is not None and core_voids is not None and np.isfinite(core_voids.volume)
        else None
    )
    core_volume, core_sigma = _core_material(inner, core_voids, bias)
    return (
        {core_label: core_volume, shell_label: float(shell_volume)},
        {core_label: core_sigma, shell_label: float(shell_sigma)},
    )


def _count_bias(volume, data, masks, regions, tilts_deg, iterations) -> float:
    """The core count's simulated bias (:mod:`.count_bias`) for the measured wire: radii from
    the corrected regions, centre from the wire's mask, plateaus from the labels' medians."""
    core, shell, wire = masks
    length = np.pi * data.shape[1]
    radii = tuple(float(np.sqrt(max(r.volume, 0.0) / length)) for r in regions)
    centre = ndimage.center_of_mass(wire.sum(axis=1))
    densities = (float(np.median(volume[core])), float(np.median(volume[shell])))

    def count(smoothed, inside, outside):
        level = (_plateau(smoothed, inside)[0] + _plateau(smoothed, outside)[0]) / 2
        return float(_filled_above(smoothed, level).sum())

    return core_count_bias(
        (data.shape[0], data.shape[2]),
        tilts_deg,
        iterations=iterations,
        radii=radii,
        centre_zx=centre,
        densities=densities,
        count=count,
    )


def _core_material(
    inner: RegionVolume, voids: CoreVoids | None, bias: float | None
) -> tuple[float, float]:
    """The core's material (module docstring): without a simulated count bias, the corrected
    region minus its holes; with it, the count divided by ``1 + bias``, the void's slices
    brought to the median of the others, minus the voids' volume from the density."""
    if bias is None or voids is None or not np.isfinite(voids.volume):
        return inner.volume - inner.holes, inner.sigma
    counts, slices = inner.slice_counts, voids.slices
    effect = float((np.median(counts[~slices]) - counts[slices]).sum()) if slices.any() else 0.0
    return inner.count / (1 + bias) + effect - voids.volume, float(
        np.hypot(inner.sigma, voids.sigma)
    )
