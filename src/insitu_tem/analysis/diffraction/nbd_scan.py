"""The whole NBD workflow on one pattern or along a scan, used by the CLI and the GUI.

One pattern: centre (refined on the direct beam's edge for disks) → spots (indexed when a phase is
given) → radial profile
with the spots masked → ring peaks. A scan: direct-beam centres and their
descan fit → spot tracking and lattice strain against a reference pattern →
radial profiles through one CSR integrator per (rounded) centre → ring peaks
per position → crystalline flag (spots tracked or a sharp ring) → PCA and NMF
of the background-free profiles with the first and last patterns as fixed end
members.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from insitu_tem.analysis.diffraction.decomposition import NmfResult, PcaResult, nmf_runs, pca
from insitu_tem.analysis.diffraction.fraction_sigma import FractionSigma, fraction_sigma
from insitu_tem.analysis.diffraction.centre_consensus import (
    check_beam_against_symmetry,
    check_symmetry_centre_with_disks,
)
from insitu_tem.analysis.diffraction.centre import BeamCentre, find_centre
from insitu_tem.analysis.diffraction.beam_track import beam_along_scan
from insitu_tem.analysis.diffraction.descan import DescanFit, descan_of_scan
from insitu_tem.analysis.diffraction.masked_profiles import masked_profiles, spot_masks
from insitu_tem.analysis.diffraction.radial import (
    RadialIntegrator,
    q_per_A_from_px,
    radial_integrator,
)
from insitu_tem.analysis.diffraction.ring_peaks import RingPeaks, find_ring_peaks, lower_hull
from insitu_tem.analysis.diffraction.strain import SpotTracks, track_spots
from insitu_tem.analysis.diffraction.disk_model import refine_beam_centre
from insitu_tem.analysis.diffraction.pattern_centre import symmetry_sigma
from insitu_tem.analysis.diffraction.spot_lattice import refine_on_lattice
from insitu_tem.analysis.diffraction.disks import (
    SpotIndexing,
    Spots,
    detect_spots,
    index_spots,
    spot_mask,
)

Progress = Callable[[float, str], None]
DEFAULT_DISK_RADIUS_PX = 3.0


@dataclass(frozen=True)
class PatternAnalysis:
    """Everything measured on one pattern.

    Attributes
    ----------
    centre : BeamCentre
        ``ok`` False (with the reason) when the centre is not measured (ambiguous, or on the
        pattern's edge); no spots are reported then and its ``sigma_px`` is NaN (a centre that
        is not measured has no 1σ).
    spots : Spots
    indexing : SpotIndexing or None
        None when no phase was given.
    r_px, q_per_A : numpy.ndarray
        Profile radii (px) and q = 1/d (1/Å; None when uncalibrated).
    profile : numpy.ndarray
        Azimuthal mean with the spots masked, counts per px.
    rings : RingPeaks or None
        None when uncalibrated.
    """

    centre: BeamCentre
    spots: Spots
    indexing: SpotIndexing | None
    r_px: np.ndarray
    q_per_A: np.ndarray | None
    profile: np.ndarray
    rings: RingPeaks | None


def _disk_radius(centre: BeamCentre) -> float:
    return float(centre.radius_px) if np.isfinite(centre.radius_px) else DEFAULT_DISK_RADIUS_PX


def _ring_profile(pattern, centre_rc, spots: Spots, radius_px: float, scale_per_nm: float | None):
    mask = spot_mask(np.shape(pattern), spots, radius_px=radius_px + 2.0) if len(spots) else None
    integ = radial_integrator(np.shape(pattern), centre_rc=centre_rc, mask=mask)
    profile = integ.profile(pattern)
    if scale_per_nm is None:
        return integ.r_px, None, profile, None
    q = q_per_A_from_px(integ.r_px, scale_per_nm=scale_per_nm)
    finite = np.isfinite(profile)
    return integ.r_px, q, profile, find_ring_peaks(q[finite], profile[finite])


def analyse_pattern(
    pattern, *, scale_per_nm: float | None, phase=None, energy_kV: float = 300.0, centre_rc=None
) -> PatternAnalysis:
    """Centre, spots, indexing, ring profile and rings of one pattern.

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    scale_per_nm : float or None
        Calibration, 1/nm per px (None: uncalibrated, no d-spacings).
    phase : Phase, optional
        Index the spots against this phase.
    energy_kV : float
        Beam energy, kV.
    centre_rc : tuple of float, optional
        Known centre (row, col), px; default found (direct beam, else symmetry).
    """
    data = np.asarray(np.abs(pattern) if np.iscomplexobj(pattern) else pattern, dtype=np.float64)
    centre = (
        find_centre(data)
        if centre_rc is None
        else BeamCentre(True, tuple(centre_rc), np.nan, "given")
    )
    radius = _disk_radius(centre)
    from_symmetry = centre.method == "symmetry"
    if from_symmetry and centre.ok:
        centre = replace(centre, sigma_px=symmetry_sigma(data, centre.centre_rc))
    blur = None
    if centre.method != "given" and centre.ok:
        beam, edge_blur = refine_beam_centre(data, centre.centre_rc, radius_px=radius)
        if beam.ok:
            centre = BeamCentre(
                True, beam.centre_rc, beam.radius_px, "edge", sigma_px=beam.sigma_px
            )
            radius, blur = beam.radius_px, edge_blur
    centre = check_beam_against_symmetry(data, centre, radius_px=radius)
    centre, spots = _spots(data, centre, radius, blur, from_symmetry=from_symmetry)
    if not centre.ok:
        centre = replace(centre, sigma_px=float("nan"))
    indexing = None
    if phase is not None and scale_per_nm is not None:
        indexing = index_spots(spots, phase=phase, scale_per_nm=scale_per_nm, energy_kV=energy_kV)
    r_px, q, profile, rings = _ring_profile(data, centre.centre_rc, spots, radius, scale_per_nm)
    return PatternAnalysis(centre, spots, indexing, r_px, q, profile, rings)


def _spots(
    data: np.ndarray, centre: BeamCentre, radius: float, blur, *, from_symmetry: bool
) -> tuple[BeamCentre, Spots]:
    """(centre, spots refined on their lattice); no spots when the centre is not ok or turns out
    ambiguous (``from_symmetry``: no direct beam was found at it). ``blur``: the fitted beam's
    edge blur (None: the spot detection fits the beam)."""
    none = Spots(np.zeros((0, 2)), np.zeros(0), centre.centre_rc, np.zeros(0))
    if not centre.ok:
        return centre, none
    spots = detect_spots(
        data,
        centre_rc=centre.centre_rc,
        disk_radius_px=radius,
        centre_sigma_px=np.nan_to_num(centre.sigma_px),
        edge_blur_px=blur,
    )
    checked = check_symmetry_centre_with_disks(centre, len(spots), from_symmetry=from_symmetry)
    return (checked, refine_on_lattice(spots)) if checked.ok else (checked, none)


@dataclass(frozen=True)
class ScanAnalysis:
    """The NBD analysis of a scan.

    Attributes
    ----------
    centres_rc : numpy.ndarray
        (n, 2) measured direct-beam centres, px (NaN where not found).
    descan : DescanFit
        Smooth model of the centres along the scan (used for everything else).
    tracks : SpotTracks
        Spots followed from the reference; ``tracks.lattice_strain`` per position.
    r_px, q_per_A : numpy.ndarray
        Profile radii (px) and q = 1/d (1/Å, None when uncalibrated).
    profiles : numpy.ndarray
        (n, n_bins) azimuthal means (the profile-vs-position map).
    rings : tuple of RingPeaks
        Ring peaks per position (spots masked); empty when uncalibrated.
    crystalline : numpy.ndarray
        (n,) bool: spots tracked or a sharp ring.
    pca : PcaResult
    nmf : NmfResult
        Components 0 and 1 are the first and last patterns (fixed).
    decomposition_bins : numpy.ndarray
        Indices of the profile bins used by PCA and NMF.
    fraction_sigma : FractionSigma
        1σ of ``nmf.fractions`` (refit noise ⊕ spread over NMF restarts).
    """

    centres_rc: np.ndarray
    descan: DescanFit
    tracks: SpotTracks
    r_px: np.ndarray
    q_per_A: np.ndarray | None
    profiles: np.ndarray
    rings: tuple[RingPeaks, ...]
    crystalline: np.ndarray
    pca: PcaResult
    nmf: NmfResult
    decomposition_bins: np.ndarray
    fraction_sigma: FractionSigma


def sharp_rings(rings, n: int) -> np.ndarray:
    """(n,) bool: a sharp ring among each pattern's ring peaks (all False when uncalibrated)."""
    return np.array([r.has_sharp_ring for r in rings]) if rings else np.zeros(n, bool)


def crystalline_flags(tracks: SpotTracks, sharp_ring) -> np.ndarray:
    """(n,) bool: the reference's spots tracked in the pattern, or a sharp ring in it."""
    return np.array([f.ok for f in tracks.fits]) | np.asarray(sharp_ring, bool)


def _integrators(
    shape, centres: np.ndarray, n_bins: int, r_max: float, correction
) -> list[RadialIntegrator]:
    cache: dict[tuple[float, float], RadialIntegrator] = {}
    out = []
    for centre in centres:
        key = (round(float(centre[0]) * 4) / 4, round(float(centre[1]) * 4) / 4)
        if key not in cache:
            cache[key] = radial_integrator(
                shape, centre_rc=key, n_bins=n_bins, r_max_px=r_max, correction=correction
            )
        out.append(cache[key])
    return out


def scan_profiles(
    patterns: np.ndarray, centres: np.ndarray, *, correction=None
) -> tuple[np.ndarray, np.ndarray]:
    """(r_px, (n, n_bins) profiles) out to the corners: one CSR integrator per centre rounded to
    0.25 px, 1 px bins.

    ``correction`` is the (2, 2) ellipse correction of
    :meth:`insitu_tem.analysis.diffraction.ellipse.EllipseFit.correction` (None: circular).
    """
    shape = patterns.shape[1:]
    r_max = float(np.hypot(*shape)) / 2.0
    integrators = _integrators(shape, centres, int(r_max), r_max, correction)
    profiles = np.empty((len(patterns), int(r_max)))
    for integ in {id(i): i for i in integrators}.values():
        rows = [k for k, other in enumerate(integrators) if other is integ]
        profiles[rows] = integ.profiles(patterns[rows])
    return integrators[0].r_px, profiles


def _decompose(profiles: np.ndarray, r_px: np.ndarray, disk_radius: float, n_components: int):
    bins = np.flatnonzero((r_px > 2 * disk_radius + 2) & np.isfinite(profiles).all(axis=0))
    x = r_px[bins]
    free = np.clip(np.array([p[bins] - lower_hull(x, p[bins]) for p in profiles]), 0.0, None)
    k = max(n_components, 2)
    factors, *restarted = nmf_runs(
        free, seeds=range(4 if k > 2 else 1), n_components=k, fixed_components=free[[0, -1]]
    )
    return pca(free), factors, bins, fraction_sigma(free, factors, restarted=restarted)


def _scan_rings(data, centres, spot_sets, radius_px: float, scale_per_nm: float) -> list:
    """Every pattern's ring peaks on its profile with the spots masked (as :func:`_ring_profile`
    finds them, the profiles taken as one stack)."""
    masks = spot_masks(
        data.shape[1:], [s.position_rc for s in spot_sets], radius_px=radius_px + 2.0
    )
    rings = []
    for r_px, profile in masked_profiles(data[: len(masks)], centres[: len(masks)], masks):
        q = q_per_A_from_px(r_px, scale_per_nm=scale_per_nm)
        finite = np.isfinite(profile)
        rings.append(find_ring_peaks(q[finite], profile[finite]))
    return rings


def analyse_scan(
    patterns,
    *,
    position,
    scale_per_nm: float | None,
    reference_index: int | None = None,
    n_components: int = 3,
    correction=None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanAnalysis:
    """Run the NBD workflow on (n, rows, cols) patterns along a scan.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols), n >= 3.
    position : array_like
        (n,) scan coordinate of each pattern (nm or index), for the descan fit.
    scale_per_nm : float or None
        Calibration, 1/nm per px.
    reference_index : int, optional
        Strain reference; default the first pattern with a spot lattice.
    n_components : int
        NMF components, the two fixed end members included.
    correction : (2, 2) array_like, optional
        Ellipse correction applied to the radial profiles.
    progress : callable, optional
        ``progress(fraction, message)``.
    should_stop : callable, optional
        Cancellation, polled by the long steps.
    """
    data = np.asarray(patterns)
    if data.ndim != 3 or len(data) < 3:
        raise ValueError(f"need (n >= 3, rows, cols) patterns, got shape {data.shape}")
    report = progress or (lambda fraction, message: None)
    report(0.05, "direct-beam centres")
    measured = beam_along_scan(data, should_stop=should_stop)
    descan = descan_of_scan(np.asarray(position, dtype=float), measured)
    radius = (
        float(np.nanmedian(measured.radius_px)) if measured.ok.any() else DEFAULT_DISK_RADIUS_PX
    )
    report(0.25, "spots and strain")
    tracks = track_spots(
        data,
        centres_rc=descan.fitted_rc,
        disk_radius_px=radius,
        reference_index=reference_index,
        should_stop=should_stop,
    )
    report(0.6, "radial profiles and rings")
    r_px, profiles = scan_profiles(data, descan.fitted_rc, correction=correction)
    rings = (
        []
        if scale_per_nm is None
        else _scan_rings(data, descan.fitted_rc, tracks.spot_sets, radius, scale_per_nm)
    )
    report(0.85, "PCA and NMF")
    pca_result, nmf_result, bins, sigma = _decompose(profiles, r_px, radius, n_components)
    q = None if scale_per_nm is None else q_per_A_from_px(r_px, scale_per_nm=scale_per_nm)
    report(1.0, "done")
    return ScanAnalysis(
        measured.centre_rc,
        descan,
        tracks,
        r_px,
        q,
        profiles,
        tuple(rings),
        crystalline_flags(tracks, sharp_rings(rings, len(data))),
        pca_result,
        nmf_result,
        bins,
        sigma,
    )
