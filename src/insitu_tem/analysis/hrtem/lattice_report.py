"""One lattice measurement of an HRTEM region: spots, refined lattice, ring, phase
matches, calibration check — the numbers the FFT panel and ``insitu-tem lattice`` share.

The ring of polycrystalline or amorphous material comes from :mod:`.lattice_ring`.

Calibration: with a reference spacing d_ref (a known phase and reflection, or
a number), the correction factor is ``d_ref / d_measured``: multiplying the
pixel size by it makes the lattice agree with the reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot, SpotSearch, find_spots
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, power_spectrum, snr_map
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit, fit_lattice, with_spot_sigmas
from insitu_tem.analysis.hrtem.lattice_displaced import displaced_reflections, with_displaced
from insitu_tem.analysis.hrtem.lattice_matched import matched_spots
from insitu_tem.analysis.hrtem.lattice_nodes import NODE_SNR, above_local_background, node_spots
from insitu_tem.analysis.hrtem.lattice_phase import basis_checked
from insitu_tem.analysis.hrtem.lattice_reference import ReferenceSpacing
from insitu_tem.analysis.hrtem.lattice_ring import LatticeRing, find_ring
from insitu_tem.analysis.hrtem.ring_text import defocus_text, ring_spacing_text
from insitu_tem.analysis.hrtem.thon_fit import Optics
from insitu_tem.analysis.hrtem.lattice_determined import (
    determination_warning,
    undetermined,
)
from insitu_tem.analysis.hrtem.lattice_window import window_shift, with_window_term
from insitu_tem.analysis.hrtem.lattice_field import field_spread, field_warning, with_field_term
from insitu_tem.analysis.crystal.phases import MatchResult, match_spacings

CALIBRATION_TOLERANCE = 0.01
MATCH_SPOTS = 8
INDEX_TOLERANCE = 0.005
MATCH_MAX_ORDER = 3


@dataclass(frozen=True)
class CalibrationCheck:
    """Measured lattice against a known spacing.

    Attributes
    ----------
    reference : str
        What the spacing is ("SrTiO3 (100)", "3.905 Å").
    reference_d_nm, measured_d_nm, sigma_measured_d_nm : float
        Spacings and the measurement's 1-σ, nm.
    factor : float
        Multiply the pixel size by this to agree with the reference.
    error_percent : float
        (measured / reference − 1) × 100.
    agrees : bool
        True when |error| ≤ tolerance (and within 3σ of the measurement).
    message : str
        One sentence for the user.
    """

    reference: str
    reference_d_nm: float
    measured_d_nm: float
    sigma_measured_d_nm: float
    factor: float
    error_percent: float
    agrees: bool
    message: str


def calibration_check(
    measured_d_nm: float,
    reference_d_nm: float,
    *,
    sigma_nm: float = 0.0,
    reference: str = "",
    tolerance: float = CALIBRATION_TOLERANCE,
) -> CalibrationCheck:
    """Compare a measured spacing with a known one; return the correction factor.

    Parameters
    ----------
    measured_d_nm, reference_d_nm : float
        Spacings, nm.
    sigma_nm : float
        1-σ uncertainty of the measurement, nm.
    reference : str
        Name of the reference reflection, for the message.
    tolerance : float
        Relative disagreement tolerated before warning (0.01 = 1 %).
    """
    if not (measured_d_nm > 0 and reference_d_nm > 0):
        raise ValueError("spacings must be positive (nm); pick a reflection with a measured spot")
    label = reference or f"{10 * reference_d_nm:.4g} Å"
    error = measured_d_nm / reference_d_nm - 1.0
    agrees = abs(error) <= max(tolerance, 3.0 * sigma_nm / reference_d_nm)
    factor = reference_d_nm / measured_d_nm
    if agrees:
        message = f"calibration agrees with {label} within {abs(error) * 100:.2f} %"
    else:
        message = (
            f"the file's calibration disagrees with the lattice: {label} measures "
            f"{10 * measured_d_nm:.4f} Å ({error * 100:+.2f} %); multiply the pixel size by "
            f"{factor:.4f}"
        )
    return CalibrationCheck(
        label,
        float(reference_d_nm),
        float(measured_d_nm),
        float(sigma_nm),
        float(factor),
        float(error * 100),
        bool(agrees),
        message,
    )


def family_spacing(
    fit: LatticeFit, spots: tuple[Spot, ...], reference: ReferenceSpacing
) -> tuple[float, float]:
    """Measured spacing of the reference family and its 1-σ, nm.

    Lattice basis spacings (else spots) nearer to the reference than to any
    other reflection of its phase, and within 10 %, are averaged (weights
    1/σ²) — e.g. SrTiO3 (100) and (010), which removes scan anisotropy from
    the factor; σ is the larger of the weighted error and half their spread.
    Without such a spacing, the nearest one is used.
    """
    candidates = [(fit.d_a_nm, fit.sigma_d_a_nm), (fit.d_b_nm, fit.sigma_d_b_nm)] if fit.ok else []
    candidates = [(d, e) for d, e in candidates if math.isfinite(d)] or [
        (s.d_nm, s.sigma_g_per_nm * s.d_nm**2) for s in spots
    ]
    if not candidates:
        raise ValueError("no spot measured; calibrate on a crystalline region")

    def distance(d: float, ref: float) -> float:
        return abs(math.log(d / ref))

    family = [
        (d, e)
        for d, e in candidates
        if distance(d, reference.d_nm) < math.log(1.1)
        and all(distance(d, reference.d_nm) < distance(d, o) for o in reference.other_d_nm)
    ]
    if not family:
        return min(candidates, key=lambda c: distance(c[0], reference.d_nm))
    d = np.array([c[0] for c in family])
    w = 1.0 / np.maximum(np.array([c[1] for c in family]), 1e-12) ** 2
    mean = float(np.sum(w * d) / np.sum(w))
    return mean, float(max(1.0 / math.sqrt(np.sum(w)), (d.max() - d.min()) / 2))


@dataclass(frozen=True, eq=False)
class LatticeMeasurement:
    """Everything measured on one region (see module docstring).

    Attributes
    ----------
    spectrum : PowerSpectrum
    spots : tuple of Spot
        Strongest first.
    fit : LatticeFit
    ring : LatticeRing
    calibration : CalibrationCheck or None
    matches : MatchResult or None
        Phase candidates for the matched spots (None when matching was skipped).
    assignments : tuple of (str or None, tuple or None)
        Per spot, the best candidate's phase and (hkl), or (None, None).
    warnings : tuple of str
    """

    spectrum: PowerSpectrum
    spots: tuple[Spot, ...]
    fit: LatticeFit
    ring: LatticeRing
    calibration: CalibrationCheck | None = None
    matches: MatchResult | None = None
    assignments: tuple[tuple[str | None, tuple[int, int, int] | None], ...] = ()
    warnings: tuple[str, ...] = field(default=())


def matching_spacings(
    spots: tuple[Spot, ...], fit: LatticeFit, *, limit: int = MATCH_SPOTS
) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """Spots to send to the phase matcher, with their d (Å) and azimuth (degrees).

    Indexed spots of low order (|h| + |k| ≤ 3, lowest first) take their spacing
    and direction from the refined lattice, which is more precise than any
    single spot; without such spots the strongest measured spots are used. Spots under node
    SNR 5, which only the matched test at the nodes finds (:mod:`.lattice_matched`), are
    reported but not sent: the phase is chosen on the reflections seen as spots.
    """
    indexed = [
        i
        for i, (h, k) in enumerate(fit.indices)
        if 0 < abs(h) + abs(k) <= MATCH_MAX_ORDER and spots[i].snr >= NODE_SNR
    ]
    if indexed:
        chosen = sorted(
            indexed, key=lambda i: (abs(fit.indices[i][0]) + abs(fit.indices[i][1]), i)
        )[:limit]
        basis = np.array([fit.a_star, fit.b_star if fit.two_dimensional else (0.0, 0.0)])
        g = np.array([fit.indices[i] for i in chosen], dtype=float) @ basis
    else:
        chosen = list(range(min(limit, len(spots))))
        g = np.array([spots[i].g_vector for i in chosen]).reshape(-1, 2)
    d_A = 10.0 / np.linalg.norm(g, axis=1)
    angles = np.degrees(np.arctan2(-g[:, 0], g[:, 1])) % 180.0
    return tuple(chosen), d_A, angles


def lattice_spots(
    spectrum: PowerSpectrum,
    *,
    snr_threshold: float,
    max_spots: int | None,
    calibrated: bool = True,
) -> tuple[SpotSearch, LatticeFit]:
    """Spots above ``snr_threshold``, their lattice, without the unindexed spots that could be a
    stronger reflection's subsidiary maxima (:func:`.lattice_nodes.above_local_background`), then
    weak spots at its (half) nodes and the refit; a lattice
    :func:`.lattice_determined.undetermined` quotes its spacings in px when not ``calibrated``.

    The lattice's 1σ includes a shift common to all its spots (:mod:`.lattice_fit`) and part of
    its change under a narrower window (:mod:`.lattice_window`); each spot's ``sigma_d_nm``
    includes their scatter about the lattice (:func:`.lattice_fit.with_spot_sigmas`).

    See :mod:`insitu_tem.analysis.hrtem.lattice_nodes`: a reflection where the lattice of the
    strong spots predicts one is significant at a much lower SNR than anywhere in the spectrum
    (the matched test at the node, :mod:`.lattice_matched`, at a stated false rate per image);
    one whose maximum the contrast transfer moves off its node is reported at the node
    (:mod:`.lattice_displaced`).
    """
    snr = snr_map(spectrum)
    search = find_spots(spectrum, snr_threshold=snr_threshold, max_spots=None, snr=snr)
    if not search.ok:
        return search, LatticeFit(False, search.reason)
    tolerance = min(spectrum.k_step_per_nm)
    options = dict(
        tolerance=INDEX_TOLERANCE,
        tolerance_per_nm=tolerance,
    )
    fit = fit_lattice(search.spots, **options)
    search = above_local_background(spectrum, search, fit, max_spots=max_spots)
    fit = fit_lattice(search.spots, **options)
    extra = node_spots(spectrum, snr, fit, search.spots)
    extra += matched_spots(spectrum, snr, fit, search.spots, extra)
    displaced = displaced_reflections(spectrum, snr, fit, search.spots, extra)
    replaced = {d.replaces for d in displaced}
    spots = tuple(s for i, s in enumerate(search.spots) if i not in replaced)
    if extra or len(spots) < len(search.spots):
        spots = tuple(sorted(spots + extra, key=lambda s: -s.snr))[:max_spots]
        fit = fit_lattice(spots, **options)
    fit = with_window_term(fit, window_shift(spectrum, spots, fit))
    fit = with_field_term(fit, field_spread(spectrum, spots, fit))
    spots, fit = with_displaced(spectrum, spots, fit, displaced, max_spots=max_spots)
    return SpotSearch(True, "", with_spot_sigmas(spots, fit)), undetermined(
        fit, calibrated=calibrated
    )


def measure_lattice(
    image,
    *,
    pixel_nm: float,
    snr_threshold: float = 15.0,
    max_spots: int | None = None,
    reference: ReferenceSpacing | None = None,
    match: bool = True,
    tolerance: float = 0.02,
    energy_kV: float = 300.0,
    calibrated: bool = True,
    optics: Optics | None = None,
) -> LatticeMeasurement:
    """Spots, refined lattice, ring, phase matches and optional calibration check of one region.

    Parameters
    ----------
    image : array_like
        2-D region, any real dtype.
    pixel_nm : float
        Pixel size, nm.
    snr_threshold : float
        Spot detection threshold (see :func:`insitu_tem.analysis.hrtem.fft_lattice.find_spots`).
    max_spots : int or None
        At most this many spots, strongest first (None: every spot found).
    reference : ReferenceSpacing, optional
        Known reflection present in the region, for the calibration check.
    match : bool
        Rank library phases against the spacings and angles.
    tolerance : float
        Relative d tolerance of the phase match (0.02 = 2 %).
    energy_kV : float
        Beam energy for the structure factors, kV.
    calibrated : bool
        False for an image without a pixel size (``pixel_nm`` 1): spacings in the warnings are
        then quoted in px.
    optics : Optics, optional
        Voltage and Cs: the ring is measured through the Thon rings, the defocus fitted
        (:func:`insitu_tem.analysis.hrtem.lattice_ring.find_ring`).
    """
    spectrum = power_spectrum(image, pixel_nm=pixel_nm)
    search, fit = lattice_spots(
        spectrum, snr_threshold=snr_threshold, max_spots=max_spots, calibrated=calibrated
    )
    ring = find_ring(spectrum, optics=optics)
    warnings = [] if search.ok else [search.reason]
    warnings.append(determination_warning(fit))
    warnings.append(field_warning(fit))
    if ring.ok and (not fit.ok or fit.n_indexed < 2):
        warnings.append(
            f"broad ring at d = {ring_spacing_text(ring, calibrated=calibrated)} "
            f"(FWHM {ring.fwhm_per_nm:.2f} 1/{'nm' if calibrated else 'px'}): "
            "nanocrystalline, turbostratic or amorphous material rather than one lattice"
            + defocus_text(ring)
        )
    calibration = None
    if reference is not None and search.ok:
        measured, sigma = family_spacing(fit, search.spots, reference)
        calibration = calibration_check(
            measured, reference.d_nm, sigma_nm=sigma, reference=reference.label
        )
        if not calibration.agrees:
            warnings.append(calibration.message)
    matches, assignments = None, ((None, None),) * len(search.spots)
    if match and search.ok:
        chosen, d_A, angles = matching_spacings(search.spots, fit)
        matches = match_spacings(d_A, angles_deg=angles, tolerance=tolerance, energy_kV=energy_kV)
        matches = basis_checked(matches, fit, chosen, d_A)
        warnings.append(matches.note if matches.ok and matches.ambiguous else matches.reason)
        assignments = assign_hkl(fit, matches, chosen, len(search.spots))
    return LatticeMeasurement(
        spectrum,
        search.spots,
        fit,
        ring,
        calibration,
        matches,
        assignments,
        tuple(w for w in warnings if w),
    )


def _basis_hkl(fit: LatticeFit, by_spot: dict, unit: tuple[int, int]) -> np.ndarray | None:
    for spot, hkl in by_spot.items():
        for sign in (1, -1):
            if fit.indices[spot] == (sign * unit[0], sign * unit[1]):
                return sign * np.array(hkl)
    return None


def assign_hkl(
    fit: LatticeFit, matches: MatchResult, chosen: tuple[int, ...], n_spots: int
) -> tuple[tuple[str | None, tuple[int, int, int] | None], ...]:
    """Phase and (hkl) of every spot from the best match.

    When the best candidate indexes the lattice's basis spots (1, 0) and (0, 1)
    as H_a and H_b, every indexed spot (h, k) gets ``h·H_a + k·H_b`` (sign of
    H_b chosen so the angle agrees with the fit); otherwise the matcher's own
    per-spot assignment is used.
    """
    out: list = [(None, None)] * n_spots
    best = matches.best if matches.ok else None
    if best is None:
        return tuple(out)
    by_spot = {spot: best.hkl[k] for k, spot in enumerate(chosen) if best.hkl[k] is not None}
    for spot, hkl in by_spot.items():
        out[spot] = (best.phase, tuple(int(v) for v in hkl))
    if not fit.two_dimensional:
        return tuple(out)
    h_a, h_b = (_basis_hkl(fit, by_spot, unit) for unit in ((1, 0), (0, 1)))
    if h_a is None or h_b is None:
        return tuple(out)
    from insitu_tem.analysis.crystal.phases import get_phase

    phase = get_phase(best.phase)
    if abs(phase.angle_deg(h_a, -h_b) - fit.angle_deg) < abs(
        phase.angle_deg(h_a, h_b) - fit.angle_deg
    ):
        h_b = -h_b
    for i, (h, k) in enumerate(fit.indices):
        if (h, k) != (0, 0):
            out[i] = (best.phase, tuple(int(v) for v in h * h_a + k * h_b))
    return tuple(out)
