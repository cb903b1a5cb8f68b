"""Diffraction spots: sub-pixel detection and zone-axis indexing against a phase.

Detection removes the azimuthal median (rings, diffuse background) from the
pattern and finds peaks of its correlation with a disk the size of the direct
beam (or of a Laplacian of Gaussian). Each spot is then located by the method
its size calls for (:func:`.disk_model.locate_spots`): disks of radius ≥ 2 px by a
model of a blurred aperture of the direct beam's radius and blur with a polynomial interior
(a centre of mass would follow the intensity inside), point-like spots and disks whose edge
the model cannot see by an iterated centre of mass; both give a 1σ, combined with the
centre's. Indexing takes the two shortest
non-collinear g vectors, finds the pair of reflections of the phase whose
spacings and angle match, gives the zone axis as their cross product and
indexes every other spot as an integer combination of the two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.crystal.crystallography import Index3, zone_axis
from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX
from insitu_tem.analysis.diffraction.disk_model import fit_beam_model, locate_spots
from insitu_tem.analysis.diffraction.spot_candidates import (
    SpotCandidates,
    spot_candidates,
)

SYSTEMATIC_PX = 0.03


@dataclass(frozen=True)
class Spots:
    """Spots of one pattern, strongest first.

    Attributes
    ----------
    position_rc : numpy.ndarray
        (n, 2) sub-pixel (row, col), px.
    intensity : numpy.ndarray
        (n,) background-subtracted integrated intensity, counts.
    centre_rc : tuple of float
        Direct-beam centre used, (row, col) px.
    sigma_px : numpy.ndarray
        (n,) 1σ of each coordinate of ``g_px`` (spot minus centre), px: the
        spot's and the centre's statistical errors and a pixel-sampling term
        (:data:`SYSTEMATIC_PX`); the calibration is not included.
    """

    position_rc: np.ndarray
    intensity: np.ndarray
    centre_rc: tuple[float, float]
    sigma_px: np.ndarray

    @property
    def g_px(self) -> np.ndarray:
        """(n, 2) spot positions relative to the centre, px."""
        return self.position_rc - np.asarray(self.centre_rc)

    def __len__(self) -> int:
        return len(self.intensity)


def _integrated(residual: np.ndarray, rc: np.ndarray, radius_px: float) -> float:
    half = int(np.ceil(radius_px)) + 1
    r0, c0 = int(round(rc[0])), int(round(rc[1]))
    r_lo, c_lo = max(r0 - half, 0), max(c0 - half, 0)
    patch = residual[r_lo : r0 + half + 1, c_lo : c0 + half + 1]
    rows, cols = np.ogrid[r_lo : r_lo + patch.shape[0], c_lo : c_lo + patch.shape[1]]
    return float(patch[(rows - rc[0]) ** 2 + (cols - rc[1]) ** 2 <= radius_px**2].sum())


def _distinct(positions: np.ndarray, strength: np.ndarray, radius_px: float) -> np.ndarray:
    """Indices strongest first, dropping any spot located within a disk radius of a stronger one
    (two candidate peaks inside one structured disk lead to the same disk)."""
    distance = np.hypot(*(positions[:, None, :] - positions[None, :, :]).transpose(2, 0, 1))
    kept: list[int] = []
    for i in np.argsort(strength)[::-1]:
        if (distance[i, kept] > radius_px).all():
            kept.append(int(i))
    return np.asarray(kept, dtype=int)


def detect_spots(
    pattern,
    *,
    centre_rc,
    disk_radius_px: float = 3.0,
    method: str = "template",
    threshold_sigma: float = 6.0,
    exclude_radius_px: float | None = None,
    max_spots: int = 200,
    centre_sigma_px: float = 0.0,
    edge_blur_px: float | None = None,
) -> Spots:
    """Find diffraction spots and locate them to sub-pixel precision, each with a 1σ.

    Parameters
    ----------
    pattern : array_like
        2-D pattern, counts.
    centre_rc : tuple of float
        Direct-beam centre (row, col), px.
    disk_radius_px : float
        Radius of the diffraction disks (the direct beam's), px. From 3 px up
        spots are located by their edges, below by their centre of mass.
    method : {"template", "log"}
        Detection by disk-template correlation or Laplacian of Gaussian.
    threshold_sigma : float
        Peaks must exceed this many robust standard deviations of the filtered pattern.
    exclude_radius_px : float, optional
        Ignore everything closer to the centre (default: twice the disk radius + 2 px).
    max_spots : int
        Keep at most this many, strongest first.
    centre_sigma_px : float
        1σ of each coordinate of ``centre_rc``, px, added to every spot's.
    edge_blur_px : float, optional
        Edge blur (1σ, px) of the direct beam when it was already fitted
        (:func:`insitu_tem.analysis.diffraction.disk_model.fit_beam_model`), ``disk_radius_px``
        then being its fitted radius; default: the beam is fitted here.
    """
    found = spot_candidates(
        pattern,
        centre_rc=centre_rc,
        disk_radius_px=disk_radius_px,
        method=method,
        threshold_sigma=threshold_sigma,
        exclude_radius_px=exclude_radius_px,
    )
    radius, blur = disk_radius_px, 1.0 if edge_blur_px is None else edge_blur_px
    if disk_radius_px >= MIN_DISK_RADIUS_PX and edge_blur_px is None:
        beam, blur = fit_beam_model(found.counts, centre_rc, radius_px=disk_radius_px)
        radius = beam.radius_px if beam.ok else disk_radius_px
    fits = locate_spots(
        found.residual,
        found.counts,
        found.peaks,
        radius_px=radius,
        blur_px=blur,
        background_var=found.background_var,
        others_rc=[centre_rc],
    )
    return spots_from_fits(
        found,
        fits,
        disk_radius_px=disk_radius_px,
        radius_px=radius,
        centre_sigma_px=centre_sigma_px,
        max_spots=max_spots,
    )


def spots_from_fits(
    found: SpotCandidates,
    fits,
    *,
    disk_radius_px: float,
    radius_px: float,
    centre_sigma_px: float = 0.0,
    max_spots: int = 200,
) -> Spots:
    """The second half of :func:`detect_spots`: the spots from the fits of ``found.peaks``
    (:func:`~.disk_model.locate_spots` with the disk radius ``radius_px``)."""
    centre_rc = found.centre_rc
    positions, strength, sigma = [], [], []
    for fit in fits:
        rc = np.asarray(fit.centre_rc)
        if fit.ok and np.hypot(rc[0] - centre_rc[0], rc[1] - centre_rc[1]) >= found.exclude_px:
            positions.append(rc)
            strength.append(_integrated(found.residual, rc, disk_radius_px + 1.0))
            sigma.append(float(np.sqrt(fit.sigma_px**2 + centre_sigma_px**2 + SYSTEMATIC_PX**2)))
    located = np.asarray(positions, dtype=float).reshape(-1, 2)
    order = _distinct(located, np.asarray(strength), radius_px)[:max_spots]
    return Spots(
        located[order],
        np.asarray(strength, dtype=float)[order],
        (float(centre_rc[0]), float(centre_rc[1])),
        np.asarray(sigma, dtype=float)[order],
    )


@dataclass(frozen=True)
class SpotIndexing:
    """Zone-axis indexing of one pattern's spots.

    Attributes
    ----------
    ok : bool
        False when no pair of reflections of the phase matched (``reason``).
    phase : str
        Phase name.
    zone_uvw : tuple of int or None
        Zone axis [uvw].
    hkl : tuple
        Miller indices per spot (None for spots off the indexed lattice).
    basis_hkl : tuple
        The two reflections the indexing was built on.
    basis_px : numpy.ndarray
        (2, 2) rows: measured (row, col) vectors of the two basis spots, px.
    scale_ratio : float
        Measured / tabulated d, common to all indexed spots (calibration × strain).
    rms_d_error : float
        RMS relative d error of the indexed spots after that common scale.
    reason : str
        Why indexing failed ("" when ok).
    """

    ok: bool
    phase: str
    zone_uvw: Index3 | None
    hkl: tuple
    basis_hkl: tuple
    basis_px: np.ndarray
    scale_ratio: float
    rms_d_error: float
    reason: str = ""


def friedel_partners(g_px: np.ndarray, *, tolerance_px: float = 1.5) -> np.ndarray:
    """Index of each spot's Friedel mate (the spot at −g), −1 when there is none."""
    g = np.asarray(g_px, dtype=float).reshape(-1, 2)
    if len(g) == 0:
        return np.zeros(0, dtype=int)
    distance = np.hypot(*(g[:, None, :] + g[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    best = np.argmin(distance, axis=1)
    return np.where(distance[np.arange(len(g)), best] <= tolerance_px, best, -1)


def _basis_pairs(
    g: np.ndarray, *, n_shortest: int = 5, min_angle_deg: float = 15.0
) -> list[tuple[int, int]]:
    paired = np.flatnonzero(friedel_partners(g) >= 0)
    pool = paired if len(paired) >= 4 else np.arange(len(g))
    order = pool[np.argsort(np.hypot(g[pool, 0], g[pool, 1]))][:n_shortest]
    pairs = []
    for i, first in enumerate(order):
        for other in order[i + 1 :]:
            cosine = g[first] @ g[other] / (np.linalg.norm(g[first]) * np.linalg.norm(g[other]))
            if abs(cosine) < np.cos(np.radians(min_angle_deg)):
                pairs.append((int(first), int(other)))
    return pairs


def _allowed_table(phase, d_min_A: float, energy_kV: float) -> dict:
    table = {}
    for family in phase.reflections(d_min_A=d_min_A, energy_kV=energy_kV):
        for hkl in phase.equivalents(family.hkl):
            table[hkl] = family.d_A
    return table


def _score(g_px, basis, hkl_a, hkl_b, allowed, d_meas):
    coef = np.linalg.lstsq(basis.T, g_px.T, rcond=None)[0].T
    whole = np.rint(coef)
    on_lattice = np.all(np.abs(coef - whole) < 0.2, axis=1) & np.any(whole != 0, axis=1)
    hkls = [
        tuple(int(v) for v in m * np.asarray(hkl_a) + n * np.asarray(hkl_b)) if keep else None
        for (m, n), keep in zip(whole, on_lattice)
    ]
    matched = [i for i, h in enumerate(hkls) if h is not None and h in allowed]
    if len(matched) < 2:
        return np.inf, hkls, np.nan, np.nan
    log_ratio = np.log(d_meas[matched] / np.array([allowed[hkls[i]] for i in matched]))
    rms = float(np.sqrt(np.mean((log_ratio - log_ratio.mean()) ** 2)))
    forbidden = sum(h is not None and h not in allowed for h in hkls) / max(
        1, sum(h is not None for h in hkls)
    )
    unindexed = 1.0 - len(matched) / len(hkls)
    return rms + 0.05 * forbidden + 0.02 * unindexed, hkls, float(np.exp(log_ratio.mean())), rms


def index_spots(
    spots: Spots,
    *,
    phase,
    scale_per_nm: float,
    energy_kV: float = 300.0,
    d_tolerance: float = 0.04,
    angle_tolerance_deg: float = 3.0,
) -> SpotIndexing:
    """Index spots on a zone axis of ``phase``.

    Parameters
    ----------
    spots : Spots
        Detected spots (at least two non-collinear).
    phase : insitu_tem.analysis.crystal.phases.Phase
        Candidate structure.
    scale_per_nm : float
        Pattern calibration, 1/nm per px.
    energy_kV : float
        Beam energy, kV.
    d_tolerance : float
        Relative d mismatch accepted for the two basis spots (covers strain and calibration).
    angle_tolerance_deg : float
        Angle mismatch accepted between the two basis spots, degrees.
    """
    if not scale_per_nm > 0:
        raise ValueError(
            f"scale_per_nm must be positive (1/nm per px), got {scale_per_nm}; calibrate the "
            "pattern"
        )
    fail = SpotIndexing(
        False, phase.name, None, (None,) * len(spots), (), np.full((2, 2), np.nan), np.nan, np.nan
    )
    g_px = spots.g_px
    pairs = _basis_pairs(g_px) if len(spots) >= 2 else []
    if not pairs:
        return replace(fail, reason="fewer than two non-collinear spots")
    d_meas = 10.0 / (np.hypot(g_px[:, 0], g_px[:, 1]) * scale_per_nm)
    allowed = _allowed_table(
        phase, d_min_A=float(d_meas.min()) * (1 - d_tolerance), energy_kV=energy_kV
    )
    best = (np.inf, None)
    for pair in pairs:
        basis = g_px[list(pair)]
        angle = np.degrees(
            np.arccos(np.clip(basis[0] @ basis[1] / np.prod(np.linalg.norm(basis, axis=1)), -1, 1))
        )
        near = [
            [h for h, d in allowed.items() if abs(d / d_meas[i] - 1) < d_tolerance] for i in pair
        ]
        for hkl_a in near[0]:
            for hkl_b in near[1]:
                if (
                    np.any(np.cross(hkl_a, hkl_b))
                    and abs(phase.angle_deg(hkl_a, hkl_b) - angle) < angle_tolerance_deg
                ):
                    score, hkls, ratio, rms = _score(g_px, basis, hkl_a, hkl_b, allowed, d_meas)
                    if score < best[0]:
                        best = (score, (hkl_a, hkl_b, hkls, ratio, rms, basis))
    if best[1] is None:
        shortest = ", ".join(f"{d:.3f}" for d in np.sort(d_meas)[::-1][:3])
        return replace(
            fail,
            reason=(
                f"no pair of {phase.name} reflections matches the shortest spots (d = {shortest} Å)"
            ),
        )
    hkl_a, hkl_b, hkls, ratio, rms, basis = best[1]
    return SpotIndexing(
        True, phase.name, zone_axis(hkl_a, hkl_b), tuple(hkls), (hkl_a, hkl_b), basis, ratio, rms
    )


def spot_mask(shape: tuple[int, int], spots: Spots, *, radius_px: float) -> np.ndarray:
    """Boolean mask, True within ``radius_px`` of every spot (to take ring profiles without
    spots)."""
    mask = np.zeros(shape, dtype=bool)
    for r, c in spots.position_rc:
        r0, c0 = max(int(np.floor(r - radius_px)), 0), max(int(np.floor(c - radius_px)), 0)
        r1 = min(max(int(np.ceil(r + radius_px)) + 1, r0), shape[0])
        c1 = min(max(int(np.ceil(c + radius_px)) + 1, c0), shape[1])
        rows, cols = np.ogrid[r0:r1, c0:c1]
        mask[r0:r1, c0:c1] |= (rows - r) ** 2 + (cols - c) ** 2 <= radius_px**2
    return mask
