"""Spot tracking along a scan and lattice strain against a reference pattern.

Spots of the reference pattern are followed from pattern to pattern along the
scan in both directions: each pattern's spots are predicted from its
neighbour's fitted transform and matched to the nearest detected spot, which is
then located against the reference's own disk (:mod:`.disk_registration`: how
far each disk moved, not where an estimator of its centre puts it). Per
pattern an affine map ``p = t + A q`` (q: the reference disks' registration
pivots relative to the reference centre, p: the same pivots moved by the
located displacements, t: free translation so that the centre need not be known
exactly) is fitted by least squares over all matched spots, each weighted by
1/σ² of its registration (a strained disk is also scaled, which moves its
registration as it moves its pivot: :func:`.disk_registration.registration_pivots`).
Reciprocal vectors scale as 1/d, so the isotropic lattice strain is
``d/d_ref − 1 = 1/√|det A| − 1`` and the real-space strain tensor is the
symmetric part of ``A⁻ᵀ − I``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from insitu_tem.analysis.diffraction.disk_registration import disk_templates, register_disks
from insitu_tem.analysis.diffraction.disks import SYSTEMATIC_PX, Spots, friedel_partners
from insitu_tem.analysis.diffraction.remembered_spots import detect_remembered


@dataclass(frozen=True)
class StrainFit:
    """Lattice strain of one pattern against the reference.

    Attributes
    ----------
    ok : bool
        False when too few spots matched (``reason``).
    lattice_strain : float
        Isotropic d/d_ref − 1 (positive: lattice expanded, spots moved in).
    strain_tensor : numpy.ndarray
        (2, 2) real-space strain in (row, col), dimensionless.
    matrix : numpy.ndarray
        (2, 2) A in p = t + A q.
    translation_px : numpy.ndarray
        (2,) t, (row, col) px: where the fit puts the pattern centre.
    n_spots : int
        Matched spots used (outliers excluded).
    used : numpy.ndarray
        (n,) bool, True for the spots the final fit used.
    rms_px : float
        RMS residual of the matched spots, px.
    reason : str
        Why the fit failed ("" when ok).
    lattice_strain_sigma : float
        1σ of ``lattice_strain``: the affine fit's covariance (see ``sigma_px`` of
        :func:`fit_lattice_strain`) propagated through det(A)^-1/2; NaN when not measured. The
        calibration cancels in d/d_ref.
    """

    ok: bool
    lattice_strain: float
    strain_tensor: np.ndarray
    matrix: np.ndarray
    translation_px: np.ndarray
    n_spots: int
    used: np.ndarray
    rms_px: float
    reason: str = ""
    lattice_strain_sigma: float = np.nan


def fit_lattice_strain(
    reference_g_px, positions_rc, *, sigma_px=None, min_spots: int = 4, outlier_px: float = 0.75
) -> StrainFit:
    """Weighted least-squares affine fit of matched spot positions to reference offsets.

    Parameters
    ----------
    reference_g_px : array_like
        (n, 2) reference spot offsets from the reference centre, px.
    positions_rc : array_like
        (n, 2) matched spot positions in this pattern, px (NaN: unmatched).
    sigma_px : array_like, optional
        (n,) 1σ of each position per coordinate, px: the spots are weighted by 1/σ² and the
        strain's 1σ is their propagation, scaled by the reduced χ² of the residuals when above 1.
        Default: equal weights and a 1σ from the residuals alone, at least
        :data:`~.disks.SYSTEMATIC_PX` per spot.
    min_spots : int
        Fewest matched spots accepted (at least 3 for the 6 parameters).
    outlier_px : float
        Spots farther than this (and than 3 × the median residual) from the
        first fit are left out of a second one (mismatched or noisy spots), px.
    """
    q = np.asarray(reference_g_px, dtype=float).reshape(-1, 2)
    p = np.asarray(positions_rc, dtype=float).reshape(-1, 2)
    if q.shape != p.shape:
        raise ValueError(f"{len(q)} reference spots but {len(p)} positions; match them one to one")
    use = np.isfinite(p).all(axis=1) & np.isfinite(q).all(axis=1)
    n = int(use.sum())
    if n < max(3, min_spots):
        nan2 = np.full((2, 2), np.nan)
        needed = max(3, min_spots)
        reason = f"too few spots matched ({n} of {needed} needed)"
        return StrainFit(False, np.nan, nan2, nan2, np.full(2, np.nan), n, use, np.nan, reason)
    w = np.ones(len(q)) if sigma_px is None else np.asarray(sigma_px, dtype=float).reshape(-1) ** -2
    floor = SYSTEMATIC_PX**2 if sigma_px is None else 1.0
    root = np.sqrt(np.clip(w[use], 0.0, None))[:, None]
    design = np.hstack([np.ones((n, 1)), q[use]])
    solution, *_ = np.linalg.lstsq(design * root, p[use] * root, rcond=None)
    distance = np.hypot(*(p[use] - design @ solution).T)
    inlier = distance <= max(outlier_px, 3.0 * float(np.median(distance)))
    if max(3, min_spots) <= inlier.sum() < n:
        solution, *_ = np.linalg.lstsq((design * root)[inlier], (p[use] * root)[inlier], rcond=None)
        n = int(inlier.sum())
    else:
        inlier = np.ones(n, bool)
    translation, matrix = solution[0], solution[1:].T
    residual = p[use][inlier] - design[inlier] @ solution
    rms = float(np.sqrt(np.mean(np.sum(residual**2, axis=1))))
    det = abs(float(np.linalg.det(matrix)))
    deformation = np.linalg.inv(matrix).T
    tensor = 0.5 * (deformation + deformation.T) - np.eye(2)
    used = use.copy()
    used[use] = inlier
    sigma = _strain_sigma(design[inlier], w[use][inlier], residual, matrix, floor)
    return StrainFit(
        True, 1.0 / np.sqrt(det) - 1.0, tensor, matrix, translation, n, used, rms, "", sigma
    )


def _strain_sigma(design, weights, residual, matrix, floor: float) -> float:
    """1σ of det(A)^-1/2 - 1 from the weighted least-squares covariance of the affine fit, its
    variance of unit weight the reduced χ² of the residuals, at least ``floor``."""
    n = len(design)
    if n <= 3:
        return np.nan
    w = np.clip(weights, 0.0, None)
    unit = max(float(np.sum(w * np.sum(residual**2, axis=1))) / (2 * (n - 3)), floor)
    covariance = unit * np.linalg.pinv((design * w[:, None]).T @ design)[1:, 1:]
    (a, b), (c, d) = matrix
    det = abs(a * d - b * c)
    variance = sum(g @ covariance @ g for g in (np.array([d, -c]), np.array([-b, a])))
    return float(0.5 * det**-1.5 * np.sqrt(variance))


@dataclass(frozen=True)
class SpotTracks:
    """Reference spots followed along a scan.

    Attributes
    ----------
    reference_index : int
        Pattern the strain is measured against.
    reference : Spots
        Spots of the reference pattern (the tracked set).
    positions_rc : numpy.ndarray
        (n_patterns, n_spots, 2) matched positions, px (NaN: not found or
        rejected as an outlier of the strain fit).
    fits : tuple of StrainFit
        One per pattern.
    spot_sets : tuple of Spots
        Every spot detected in each pattern (empty for patterns not reached before a stop).
    disk_radius_px : float
        Disk radius the disks were located with, px.
    """

    reference_index: int
    reference: Spots
    positions_rc: np.ndarray
    fits: tuple[StrainFit, ...]
    spot_sets: tuple[Spots, ...] = ()
    disk_radius_px: float = np.nan

    @property
    def lattice_strain(self) -> np.ndarray:
        """(n_patterns,) d/d_ref − 1, NaN where the fit failed."""
        return np.array([f.lattice_strain if f.ok else np.nan for f in self.fits])

    @property
    def lattice_strain_sigma(self) -> np.ndarray:
        """(n_patterns,) 1σ of :attr:`lattice_strain`, NaN where the fit failed."""
        return np.array([f.lattice_strain_sigma if f.ok else np.nan for f in self.fits])

    def shifts_px(self, index: int) -> np.ndarray:
        """(n_spots, 2) displacement of each spot from its reference position, centre drift
        removed, px."""
        fit = self.fits[index]
        offset = fit.translation_px if fit.ok else np.asarray(self.reference.centre_rc)
        return self.positions_rc[index] - offset - self.reference.g_px


def _match(predicted: np.ndarray, found: np.ndarray, tolerance_px: float) -> np.ndarray:
    out = np.full_like(predicted, np.nan)
    if len(found) == 0:
        return out
    distance = np.hypot(*(predicted[:, None, :] - found[None, :, :]).transpose(2, 0, 1))
    nearest = np.argmin(distance, axis=1)
    close = distance[np.arange(len(predicted)), nearest] <= tolerance_px
    out[close] = found[nearest[close]]
    return out


def default_reference(spot_sets: list[Spots], *, min_spots: int) -> int:
    """The first pattern with at least ``min_spots`` spots having a Friedel mate (else 0)."""
    for i, spots in enumerate(spot_sets):
        if int((friedel_partners(spots.g_px) >= 0).sum()) >= min_spots:
            return i
    return 0


def track_spots(
    patterns,
    *,
    centres_rc,
    disk_radius_px: float,
    reference_index: int | None = None,
    match_px: float = 2.0,
    min_spots: int = 6,
    method: str = "template",
    should_stop: Callable[[], bool] | None = None,
) -> SpotTracks:
    """Detect spots in every pattern, follow the reference's spots and fit the strain.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns.
    centres_rc : array_like
        (n, 2) direct-beam centres, px (e.g. the descan fit).
    disk_radius_px : float
        Diffraction disk radius, px.
    reference_index : int, optional
        Reference pattern; default the first with ``min_spots`` Friedel-paired spots.
    match_px : float
        Largest distance between a predicted and a detected spot, px.
    min_spots : int
        Fewest matched spots for a strain fit.
    method : {"template", "log"}
        Spot detector (see :func:`insitu_tem.analysis.diffraction.disks.detect_spots`).
    should_stop : callable, optional
        Polled between patterns; raises nothing, the remaining fits stay failed.
    """
    data = np.asarray(patterns)
    centres = np.asarray(centres_rc, dtype=float)
    if data.ndim != 3 or centres.shape != (len(data), 2):
        raise ValueError(
            f"need (n, rows, cols) patterns and (n, 2) centres, got {data.shape} and "
            f"{centres.shape}"
        )
    spot_sets = detect_remembered(data, centres, disk_radius_px, method, should_stop)
    spot_sets += [
        Spots(np.zeros((0, 2)), np.zeros(0), tuple(c), np.zeros(0))
        for c in centres[len(spot_sets) :]
    ]
    return follow_spots(
        spot_sets,
        patterns=data,
        centres_rc=centres,
        disk_radius_px=disk_radius_px,
        reference_index=reference_index,
        match_px=match_px,
        min_spots=min_spots,
    )


def follow_spots(
    spot_sets,
    *,
    patterns,
    centres_rc,
    disk_radius_px: float,
    reference_index: int | None = None,
    match_px: float = 2.0,
    min_spots: int = 6,
) -> SpotTracks:
    """Follow the reference's spots through spots already detected in every pattern, locate
    them against the reference's disks and fit the strain (the second half of
    :func:`track_spots`: another reference costs no detection).

    Parameters
    ----------
    spot_sets : sequence of Spots
        The spots of each pattern (:attr:`SpotTracks.spot_sets` of an earlier tracking).
    patterns : array_like
        (n, rows, cols) the patterns, counts.
    centres_rc : array_like
        (n, 2) direct-beam centres, px, the ones the spots were detected around.
    disk_radius_px, reference_index, match_px, min_spots
        As for :func:`track_spots`.
    """
    spot_sets = list(spot_sets)
    centres = np.asarray(centres_rc, dtype=float)
    if centres.shape != (len(spot_sets), 2) or len(patterns) != len(spot_sets):
        raise ValueError(
            f"{len(spot_sets)} spot sets but centres of shape {centres.shape} and "
            f"{len(patterns)} patterns"
        )
    ref = (
        default_reference(spot_sets, min_spots=min_spots)
        if reference_index is None
        else int(reference_index)
    )
    if not 0 <= ref < len(spot_sets):
        raise ValueError(f"reference index {ref} is outside the scan (0 to {len(spot_sets) - 1})")
    reference = spot_sets[ref]
    q = reference.g_px
    templates = disk_templates(
        patterns[ref],
        centre_rc=centres[ref],
        positions_rc=reference.position_rc,
        radius_px=disk_radius_px,
    )
    pivot = templates.pivot_rc - templates.position_rc
    positions = np.full((len(spot_sets), len(q), 2), np.nan)
    fits: list[StrainFit | None] = [None] * len(spot_sets)

    def locate(i: int, matrix: np.ndarray) -> np.ndarray:
        """Locate pattern i's disks from spots predicted with ``matrix``; the matrix to predict
        its neighbour with."""
        located = register_disks(
            templates,
            patterns[i],
            centre_rc=centres[i],
            starts_rc=_match(centres[i] + q @ matrix.T, spot_sets[i].position_rc, match_px),
        )
        positions[i] = located.position_rc
        fit = fit_lattice_strain(
            q + pivot, positions[i] + pivot, sigma_px=located.sigma_px, min_spots=min_spots
        )
        fits[i] = fit
        if not fit.ok:
            return matrix
        positions[i][~fit.used] = np.nan
        return fit.matrix

    at_reference = locate(ref, np.eye(2))
    for direction in (range(ref + 1, len(spot_sets)), range(ref - 1, -1, -1)):
        matrix = at_reference
        for i in direction:
            matrix = locate(i, matrix)
    return SpotTracks(ref, reference, positions, tuple(fits), tuple(spot_sets), disk_radius_px)
