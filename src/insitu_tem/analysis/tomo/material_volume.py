"""Volumes of the materials of a core–shell wire from its labels and reconstruction.

A label's voxel count is not the volume of its material: the label boundary sits where the
segmentation threshold meets the blurred edge, the missing wedge stretches the reconstruction
along the beam (z) and blur shrinks convex borders. Each nested region (the core; the wire,
core ∪ shell) is measured as the count of the smoothed volume above the midpoint between the
plateaus of its two sides (holes filled in every slice), plus two signed corrections, and the
shell's material is the wire minus the filled core, times ``1 − f`` (``f`` the void fraction of
the shell, :mod:`.voids`, which also holds the voids below the resolution):

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

The 1σ of each region adds in quadrature: the change of the count when both plateaus move by
their noise (1σ of the median of the interior voxels, from their spread and the noise's
correlation over ``NOISE_LAG_PX`` voxels), the blur term's change when ``σ`` changes by its
spread over the slices (divided by the square root of the independent slices), and half the
difference between the stretch measured on the label and on the midpoint region (two estimates);
the shell's adds ``f``'s 1σ and the core's voids that open into the shell's region
(:func:`opened_voids`, left in the estimate: removing them alone exposes the wire's opposite
bias; docs/tomography.md gives the errors and coverage on phantoms).

With the aligned projections the volume was reconstructed from, the wire's region is their
section instead (:mod:`.wire_section`: free of the wedge and of MLEM's convergence, which leaves
the reconstruction's outer surface ≈ 0.05 px inside), and the core's region gets its dent
(:func:`core_dent`, the core's void opened into the shell). The section is not used when it is
not measured or its surface lies farther than the edge width ``σ`` from the reconstruction's.
The shell's 1σ then adds the section's, ``f``'s and the core's region's, whose stretch term is
the half-stretch correction's own error, :data:`STRETCH_SIGMA_FRACTION` of it: on the 60
development phantoms (seeds 11–70, docs/tomography.md) the filled core with its dent errs by
0.145 of the RMS stretch beyond its noise terms (in RMS). The two stretch estimates' difference,
which the core's own 1σ keeps, is mostly the elongation's change with the level (≈ 0.2 of the
stretch there): in the core's 1σ it stands for the core's void counted at the core/shell level
(the core reads 0.33 % small on those phantoms), a bias the filled core with its dent does not
carry.

References
----------
.. [1] M. P. do Carmo, *Differential Geometry of Curves and Surfaces*, Prentice-Hall (1976),
   §4-5 (Gauss–Bonnet); the inward shift ``σ²κ/2`` of a level set under Gaussian smoothing is the
   heat-equation's curvature flow.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy import ndimage
from skimage.measure import euler_number
from skimage.morphology import convex_hull_image

from insitu_tem.analysis.tomo.levels import edge_sigma, filled_above, plateau, slices
from insitu_tem.analysis.tomo.wire_section import wire_section

STRETCH_SIGMA_FRACTION = 0.15
"""1σ of the half-stretch correction, as a fraction of it (module docstring)."""


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
    noise_sigma : float
        The plateaus' and the edge width's terms of ``sigma`` (without the stretch's), voxels.
    edge_sigma_px : float
        Measured edge width ``σ``, px.
    holes : float
        Voxels of the holes of the midpoint region (its voids), counted in ``count`` and
        ``volume``.
    reason : str
        Why the region is not measured (every other field NaN then); "" when it is.
    """

    count: float
    threshold: float
    blur: float
    stretch: float
    volume: float
    sigma: float
    edge_sigma_px: float
    holes: float
    noise_sigma: float
    reason: str = ""


def not_measured(reason: str) -> RegionVolume:
    """A region that is not measured: every number NaN, and why."""
    return RegionVolume(*[float("nan")] * (len(fields(RegionVolume)) - 1), reason=reason)


@dataclass(frozen=True)
class MaterialVolumes:
    """Volumes of the core and shell materials (:func:`measure_materials`), voxels.

    Attributes
    ----------
    volumes, sigmas : dict
        ``{core_label: V, shell_label: V}`` and their 1σ, voxels; NaN where not measured.
    reason : str
        Why a volume is NaN ("" when both are measured).
    """

    volumes: dict
    sigmas: dict
    reason: str = ""


def _core_hull(data: np.ndarray, core: np.ndarray, shell: np.ndarray, vacuum: np.ndarray):
    """The core's filled midpoint region, its per-slice convex hull and the core/vacuum midpoint
    (:func:`opened_voids`); None where a plateau is missing."""
    high, middle, low = (plateau(data, m)[0] for m in (core, shell, vacuum))
    if not np.isfinite(high + middle + low):
        return None
    filled = filled_above(data, (high + middle) / 2)
    hull = np.stack([convex_hull_image(p) if p.any() else p for p in slices(filled)], axis=1)
    return filled, hull, (high + low) / 2


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
    found = _core_hull(data, core, shell, vacuum)
    if found is None:
        return float("nan")
    filled, hull, level = found
    return float((hull & ~filled & (data < level)).sum())


def core_dent(data: np.ndarray, core: np.ndarray, shell: np.ndarray, vacuum: np.ndarray) -> float:
    """Voxels of the core's dent: what the per-slice convex hull of the core's filled midpoint
    region adds to it, opened by one voxel (6-connected; the rule of :mod:`.dents`), so that
    the single voxels of a rough border are not counted. Unlike :func:`opened_voids` it holds
    the whole blurred dip of a void opened into the shell. Parameters as
    :func:`opened_voids`; NaN where a plateau is missing."""
    found = _core_hull(data, core, shell, vacuum)
    if found is None:
        return float("nan")
    filled, hull, _ = found
    return float(ndimage.binary_opening(hull & ~filled).sum())


def _extents(mask: np.ndarray) -> tuple[float, float]:
    """RMS extents (along z, along x) of ``mask`` about its centre in every (z, x) slice, px;
    NaN for an empty mask."""
    if not mask.any():
        return float("nan"), float("nan")
    z, y, x = np.nonzero(mask)
    n = np.maximum(np.bincount(y, minlength=mask.shape[1]), 1).astype(float)
    cz = (np.bincount(y, z, mask.shape[1]) / n)[y]
    cx = (np.bincount(y, x, mask.shape[1]) / n)[y]
    return float(np.sqrt(np.mean((z - cz) ** 2))), float(np.sqrt(np.mean((x - cx) ** 2)))


def _stretch(mask: np.ndarray) -> float:
    """The wedge's count excess ``−N (R_z − R_x)/(R_z + R_x)`` of a region, voxels."""
    rz, rx = _extents(mask)
    return -float(mask.sum()) * (rz - rx) / (rz + rx)


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

    Returns
    -------
    RegionVolume
        Every number NaN and the ``reason`` (not measured) when the region holds no voxel (a
        label absent from the labels, or lost to binning), when a plateau is missing (a label
        absent or too thin to hold a voxel two voxels inside it), or when the inside is not
        brighter than the outside (no edge to place the midpoint on).
    """
    if not np.any(label_mask):
        return not_measured("the region holds no voxels (its label is absent, or lost to binning)")
    (high, high_sigma), (low, low_sigma) = plateau(data, inside), plateau(data, outside)
    if not np.isfinite(high + low):
        which = "inside" if not np.isfinite(high) else "outside"
        return not_measured(
            f"no plateau {which} the region: that label holds no voxel two voxels from its "
            "border (absent, or too thin)"
        )
    if not high > low:
        return not_measured(
            f"no edge: the inside ({high:.3g}) is not brighter than the outside ({low:.3g})"
        )
    level = (low + high) / 2
    mask = data > level
    filled = filled_above(data, level)
    count = float(filled.sum())
    step = 0.05 * (high - low)
    slope = float((data > level - step).sum() - (data > level + step).sum()) / (2 * step)
    threshold_sigma = slope * np.hypot(high_sigma, low_sigma) / 2
    edge, edge_spread = edge_sigma(data, low, high)
    chi = float(sum(euler_number(s, connectivity=2) for s in slices(filled)))
    blur = np.pi * edge**2 * chi
    stretch = _stretch(label_mask)
    terms = np.array([threshold_sigma, 2 * blur * edge_spread / edge])
    sigma = float(np.sqrt(np.sum(terms**2) + ((_stretch(filled) - stretch) / 2) ** 2))
    return RegionVolume(
        count,
        count - float(label_mask.sum()),
        float(blur),
        float(stretch),
        float(count + blur + stretch),
        sigma,
        float(edge),
        count - float(mask.sum()),
        float(np.linalg.norm(terms)),
    )


def _wire_from_projections(
    projections, tilts_deg, wire: np.ndarray, core: np.ndarray, outer: RegionVolume
) -> tuple[float, float] | None:
    """The filled wire's volume and 1σ from its projections' section (:mod:`.wire_section`)
    over the slices that hold it; None when the section is not measured or its surface lies
    farther than the edge width ``σ`` from the reconstruction's (``outer``): the projections
    then do not show the wire the volume holds (another object, or no wire along the axis)."""
    if projections is None:
        return None
    if np.shape(projections)[1:] != wire.shape[1:]:
        raise ValueError(
            f"projections of (y, x) shape {np.shape(projections)[1:]} for a volume of "
            f"{wire.shape[1:]}; give the aligned projections the volume was reconstructed from"
        )
    rows = wire.any(axis=(0, 2))
    core_radius = np.sqrt(core.sum() / (np.pi * max(rows.sum(), 1)))
    section = wire_section(projections, tilts_deg, rows, core_radius_px=core_radius)
    volume, sigma = section.area * rows.sum(), section.area_sigma * rows.sum()
    offset = (volume - outer.volume) / (2 * np.pi * section.radius * rows.sum())
    if not section.ok or not abs(offset) < outer.edge_sigma_px:
        return None
    return float(volume), float(sigma)


def measure_materials(
    volume: np.ndarray,
    labels: np.ndarray,
    void_fraction_shell: float,
    void_fraction_sigma: float,
    *,
    core_label: int,
    shell_label: int,
    smooth_px: float = 1.0,
    projections: np.ndarray | None = None,
    tilts_deg: np.ndarray | None = None,
) -> MaterialVolumes:
    """Volumes of the core and shell materials and their 1σ (module docstring), voxels.

    Parameters
    ----------
    volume : ndarray
        (z, y, x) reconstruction the labels were segmented from.
    labels : ndarray
        (z, y, x) labels; the wire is ``core_label`` inside ``shell_label``.
    void_fraction_shell, void_fraction_sigma : float
        Void fraction of the filled shell and its 1σ (:mod:`.voids`).
    smooth_px : float
        Gaussian σ of the segmentation's smoothing, px.
    projections : ndarray, optional
        (n_tilts, y, x) aligned projections the volume was reconstructed from (tilt axis along
        the rows, same (y, x) grid): the wire's region is then measured on them.
    tilts_deg : ndarray, optional
        Their tilts, degrees.

    Returns
    -------
    MaterialVolumes
        ``{core_label: V, shell_label: V}`` and their 1σ, NaN where not measured, and why: the
        core's and the wire's regions' reasons (:func:`region_volume`), named, or the count of
        non-finite voxels in the volume (the smoothing would spread them).
    """
    bad = int(np.size(volume) - np.count_nonzero(np.isfinite(volume)))
    if bad:
        nan = {core_label: float("nan"), shell_label: float("nan")}
        return MaterialVolumes(
            nan, dict(nan), f"the volume holds {bad} non-finite voxel{'s' * (bad > 1)}"
        )
    data = ndimage.gaussian_filter(np.asarray(volume, np.float32), smooth_px)
    core, shell = labels == core_label, labels == shell_label
    wire = np.stack([ndimage.binary_fill_holes(p) for p in slices(core | shell)], axis=1)
    inner = region_volume(data, core, core, shell)
    outer = region_volume(data, wire, shell, ~wire)
    measured = _wire_from_projections(projections, tilts_deg, wire, core, outer)
    if measured is None:
        region = outer.volume - inner.volume
        terms = [outer.sigma, inner.sigma, opened_voids(data, core, shell, ~wire)]
    else:
        region = measured[0] - inner.volume - core_dent(data, core, shell, ~wire)
        terms = [measured[1], inner.noise_sigma, STRETCH_SIGMA_FRACTION * inner.stretch]
    shell_sigma = np.hypot(
        np.linalg.norm(terms) * (1 - void_fraction_shell), region * void_fraction_sigma
    )
    why = "; ".join(
        f"{name} not measured: {found.reason}"
        for name, found in (("core", inner), ("wire", outer))
        if found.reason
    )
    return MaterialVolumes(
        {
            core_label: inner.volume - inner.holes,
            shell_label: float(region * (1 - void_fraction_shell)),
        },
        {core_label: inner.sigma, shell_label: float(shell_sigma)},
        why,
    )
