"""Measurements on a labelled core–shell wire: shell thickness, radial profiles, voids, volumes,
composition.

The wire runs along y (the tilt axis). In every slice its axis is the
centroid of core ∪ shell with holes filled; a straight line fitted through
the centroids along y is the wire axis. Rays from the axis every
``360/n_angles`` degrees are sampled every 0.25 px; the core radius is where
the core mask (linearly interpolated) last crosses ½ along a ray and the outer
radius where the filled wire mask does. Shell thickness = outer − core, per
(slice, angle): the thickness map. Voids are background voxels inside the
filled wire; their volume fraction is given of the shell (the filled shell
region) and of the core. With the reconstruction at hand, the shell's void
fraction is instead read from its mean density (:mod:`.voids`), since voids a
few voxels across are blurred above any threshold; the label counts remain
in ``volumes``. Labels whose shell is under a voxel thick, or whose
thickness spread (1σ) reaches its median, are no wire: ``ok`` is False.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.eds.maps import cliff_lorimer
from insitu_tem.analysis.tomo.core_voids import CoreVoids, core_void_volume
from insitu_tem.analysis.tomo.label_sigma import label_volume_sigma
from insitu_tem.analysis.tomo.material_volume import MaterialVolumes, measure_materials
from insitu_tem.analysis.tomo.voids import VoidFraction, void_fraction_from_density

CORE, SHELL, BACKGROUND = 2, 1, 0


@dataclass(frozen=True)
class WireMeasurement:
    """Measurements of a segmented core–shell wire (lengths in voxel units, volumes in voxels³).

    Attributes
    ----------
    thickness_map : ndarray
        (y, n_angles) shell thickness, NaN where a ray finds no core or shell.
    thickness_median, thickness_sigma : float
        Median of the map and the 1σ spread (half the 16–84 % range).
    histogram_counts, histogram_edges : ndarray
        Histogram of the thickness map.
    radial_radius, radial_profile : ndarray
        Mean volume value vs distance from the wire axis (1-px bins).
    void_fraction_shell, void_fraction_core : float
        Void volume over the filled shell (core) volume; from the density when the volume is
        given (:func:`.voids.void_fraction_from_density`, and the core's voids over its material
        plus them, :func:`.core_voids.core_void_volume`; NaN when the wire's axis drifts by a
        voxel or more along it), else from the labels.
    volumes : dict
        Voxel count per label (``{label: count}``) and of the voids.
    axis_zx : ndarray
        (y, 2) wire-axis position (z, x) in every slice.
    ok : bool
    reason : str
    void_fraction_shell_sigma, void_fraction_core_sigma : float
        1σ of ``void_fraction_shell`` and ``void_fraction_core`` (NaN from the labels alone).
    volumes_sigma : dict
        1σ of the voxel count per label (:func:`.label_sigma.label_volume_sigma`; empty from the
        labels alone).
    material_volumes, material_volumes_sigma : dict
        Volumes of the core and shell materials (``{label: voxels}``, voids excluded), the label
        counts corrected for the threshold, the blur and the missing wedge
        (:mod:`.material_volume`), and their 1σ; empty from the labels alone and when the labels
        are no wire (``ok`` False: the corrections assume one).
    void_fraction_shell_reason : str
        Why ``void_fraction_shell`` is NaN ("" when measured; :class:`.voids.VoidFraction`).
    material_volumes_reason : str
        Why a material volume is NaN (a label absent or too thin for its plateau, no edge
        between two labels); "" when both are measured or none is given.
    """

    thickness_map: np.ndarray
    thickness_median: float
    thickness_sigma: float
    histogram_counts: np.ndarray
    histogram_edges: np.ndarray
    radial_radius: np.ndarray
    radial_profile: np.ndarray
    void_fraction_shell: float
    void_fraction_core: float
    volumes: dict
    axis_zx: np.ndarray
    ok: bool = True
    reason: str = ""
    void_fraction_shell_sigma: float = float("nan")
    volumes_sigma: dict = field(default_factory=dict)
    material_volumes: dict = field(default_factory=dict)
    material_volumes_sigma: dict = field(default_factory=dict)
    void_fraction_core_sigma: float = float("nan")
    material_volumes_reason: str = ""
    void_fraction_shell_reason: str = ""


def _filled(mask: np.ndarray) -> np.ndarray:
    """Fill holes slice by slice in the (z, x) planes."""
    out = np.empty_like(mask)
    for y in range(mask.shape[1]):
        out[:, y, :] = ndimage.binary_fill_holes(mask[:, y, :])
    return out


def _axis(wire: np.ndarray) -> np.ndarray:
    ny = wire.shape[1]
    counts = wire.sum(axis=(0, 2)).astype(float)
    z = np.arange(wire.shape[0])[:, None, None]
    x = np.arange(wire.shape[2])[None, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        cz = (wire * z).sum(axis=(0, 2)) / counts
        cx = (wire * x).sum(axis=(0, 2)) / counts
    good = counts > 0
    y = np.arange(ny)
    if good.sum() < 2:
        return np.stack([cz, cx], axis=1)
    fit = [np.polyval(np.polyfit(y[good], c[good], 1), y) for c in (cz, cx)]
    return np.stack(fit, axis=1)


def _last_crossing(samples: np.ndarray, step: float) -> np.ndarray:
    """Radius where each ray's (…, n_r) samples last cross ½, px; NaN if never above."""
    above = samples >= 0.5
    any_above = above.any(axis=-1)
    last = samples.shape[-1] - 1 - np.argmax(above[..., ::-1], axis=-1)
    nxt = np.minimum(last + 1, samples.shape[-1] - 1)
    v0 = np.take_along_axis(samples, last[..., None], -1)[..., 0]
    v1 = np.take_along_axis(samples, nxt[..., None], -1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(v0 > v1, (v0 - 0.5) / (v0 - v1), 0.0)
    return np.where(any_above, (last + np.clip(frac, 0, 1)) * step, np.nan)


def _radii(
    mask: np.ndarray, axis_zx: np.ndarray, angles: np.ndarray, r_max: float, step: float
) -> np.ndarray:
    radii = np.arange(0, r_max, step)
    ny = mask.shape[1]
    z = axis_zx[:, 0][:, None, None] + radii[None, None, :] * np.sin(angles)[None, :, None]
    x = axis_zx[:, 1][:, None, None] + radii[None, None, :] * np.cos(angles)[None, :, None]
    y = np.broadcast_to(np.arange(ny)[:, None, None], z.shape)
    samples = ndimage.map_coordinates(mask.astype(np.float32), [z, y, x], order=1, mode="constant")
    return _last_crossing(samples, step)


def measure_wire(
    labels: np.ndarray,
    volume: np.ndarray | None = None,
    *,
    n_angles: int = 64,
    core_label: int = CORE,
    shell_label: int = SHELL,
    projections: np.ndarray | None = None,
    tilts_deg: np.ndarray | None = None,
) -> WireMeasurement:
    """Measure a core–shell wire lying along y (module docstring).

    Parameters
    ----------
    labels : ndarray
        (z, y, x) labels: ``core_label``, ``shell_label``, anything else is background/void.
    volume : ndarray, optional
        The reconstruction, for the radial profile and the density-based void fraction.
    n_angles : int
        Rays per slice for the thickness map.
    projections, tilts_deg : ndarray, optional
        The aligned projections the volume was reconstructed from and their tilts, degrees: the
        wire's region of the material volumes is measured on them
        (:func:`.material_volume.measure_materials`).

    Returns
    -------
    WireMeasurement
        ``ok=False`` when no core or no shell is found.
    """
    core = labels == core_label
    wire = _filled(core | (labels == shell_label))
    if not core.any() or not (wire & ~core).any():
        return _empty(
            labels, "no core or no shell in the labels; check the label numbers or the segmentation"
        )
    axis_zx = _axis(wire)
    angles = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    r_max = float(np.hypot(labels.shape[0], labels.shape[2]) / 2)
    core_filled = _filled(core)
    thickness = _radii(wire, axis_zx, angles, r_max, 0.25) - _radii(
        core_filled, axis_zx, angles, r_max, 0.25
    )
    finite = thickness[np.isfinite(thickness)]
    counts, edges = (
        np.histogram(finite, bins=40) if finite.size else (np.zeros(40), np.linspace(0, 1, 41))
    )
    low, median, high = np.percentile(finite, [16, 50, 84]) if finite.size else (np.nan,) * 3
    voids = wire & (labels != core_label) & (labels != shell_label)
    shell_region = wire & ~core_filled
    radius, profile = _radial_profile(volume if volume is not None else labels, axis_zx)
    volumes = {int(k): int(v) for k, v in zip(*np.unique(labels, return_counts=True))}
    volumes["voids"] = int(voids.sum())
    sigma = float((high - low) / 2)
    ok = bool(median >= 1.0 and sigma < median)
    void_core = (
        _core_voids(volume, labels, core_label, shell_label, axis_zx)
        if volume is not None
        else None
    )
    shell_voids = (
        void_fraction_from_density(volume, shell_region, wire)
        if volume is not None
        else VoidFraction((voids & shell_region).sum() / max(shell_region.sum(), 1), np.nan)
    )
    void_shell, void_sigma = shell_voids.fraction, shell_voids.sigma
    material = (
        measure_materials(
            volume,
            labels,
            void_shell,
            void_sigma,
            core_label=core_label,
            shell_label=shell_label,
            projections=projections,
            tilts_deg=tilts_deg,
        )
        if volume is not None and ok
        else MaterialVolumes({}, {})
    )
    core_fraction = (
        _core_fraction(void_core, material.volumes.get(core_label))
        if volume is not None
        else ((voids & core_filled).sum() / max(core_filled.sum(), 1), float("nan"))
    )
    return WireMeasurement(
        thickness,
        float(median),
        sigma,
        counts,
        edges,
        radius,
        profile,
        float(void_shell),
        float(core_fraction[0]),
        volumes,
        axis_zx,
        ok,
        "" if ok else _NOT_A_WIRE.format(median=median, sigma=sigma),
        float(void_sigma),
        label_volume_sigma(volume, labels) if volume is not None else {},
        material.volumes,
        material.sigmas,
        float(core_fraction[1]),
        material.reason,
        shell_voids.reason,
    )


def _core_voids(
    volume: np.ndarray, labels: np.ndarray, core_label: int, shell_label: int, axis_zx: np.ndarray
) -> CoreVoids | None:
    """The core's voids from the density (:mod:`.core_voids`); None when the wire's axis drifts
    by a voxel or more along y (the template needs a straight wire)."""
    if np.ptp(axis_zx, axis=0).max() >= 1.0:
        return None
    return core_void_volume(volume, labels == core_label, labels == shell_label)


def _core_fraction(voids: CoreVoids | None, material: float | None) -> tuple[float, float]:
    """Void fraction of the core and its 1σ: the voids over the core's material plus them (the
    core's hull where no material volume is given)."""
    if voids is None:
        return float("nan"), float("nan")
    total = material + voids.volume if material is not None else voids.hull
    return voids.volume / total, voids.sigma / total


_NOT_A_WIRE = (
    "the shell thickness is {median:.3g} ± {sigma:.2g} px (median, 1σ spread): a shell under a "
    "voxel or varying by more than its median is no core–shell wire along the tilt axis, so "
    "the thickness describes nothing in this sample"
)


def _radial_profile(volume: np.ndarray, axis_zx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.arange(volume.shape[0])[:, None, None]
    x = np.arange(volume.shape[2])[None, None, :]
    distance = np.hypot(z - axis_zx[None, :, 0, None], x - axis_zx[None, :, 1, None])
    bins = distance.astype(np.int64).ravel()
    sums = np.bincount(bins, np.asarray(volume, dtype=np.float64).ravel())
    counts = np.bincount(bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.arange(sums.size) + 0.5, sums / counts


def _empty(labels: np.ndarray, reason: str) -> WireMeasurement:
    nan = float("nan")
    return WireMeasurement(
        np.full((labels.shape[1], 0), np.nan),
        nan,
        nan,
        np.zeros(0),
        np.zeros(1),
        np.zeros(0),
        np.zeros(0),
        nan,
        nan,
        {},
        np.zeros((labels.shape[1], 2)),
        False,
        reason,
    )


def composition_per_label(
    labels: np.ndarray,
    element_volumes: dict[str, np.ndarray],
    kfactors: dict[str, float] | None = None,
) -> dict[int, dict[str, float]]:
    """Cliff–Lorimer wt % of each label from reconstructed element volumes (same shape as
    ``labels``).

    Negative voxels (noise after background subtraction) count as 0.
    """
    elements = list(element_volumes)
    k = [float((kfactors or {}).get(e, 1.0)) for e in elements]
    result = {}
    for label in np.unique(labels):
        inside = labels == label
        totals = np.array([np.clip(element_volumes[e][inside], 0, None).sum() for e in elements])
        comp = cliff_lorimer(totals, elements, k)
        result[int(label)] = {e: float(w) for e, w in zip(elements, comp.weight_percent)}
    return result
