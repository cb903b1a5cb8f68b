"""Which elements' X-ray lines an EDS spectrum holds, with their net counts ± 1σ.

1. Continuum: SNIP clipping (:mod:`.continuum`), no peak positions assumed.
2. Candidates: every family (K, L, M) of every element (:mod:`.families`) whose main line lies
   in the spectrum's range below the beam energy is tested (``n`` families); those whose
   main-line window (:data:`.selection.WINDOW_FWHM` detector FWHM wide, the width that
   maximises a Gaussian's signal-to-noise) holds more than :data:`.selection.SCREEN_Z` σ above
   the continuum, and the families of the elements asked for, are candidates.
3. Selection (:mod:`.selection`, :mod:`.fit`): starting from the continuum alone, the
   candidate that would be the most significant if added is added while its significance
   ``z = counts / σ`` exceeds the threshold, every family profile (Kα with its Kβ, Lα with its
   Lβ, Lγ…, with exspy's line weights, and the lines' Si escape and pile-up peaks,
   :mod:`.dependents`) fitted together with a smooth correction of the continuum, so the
   continuum's own uncertainty and the profiles' measured error are in each 1σ; a family that
   another explains better is swapped for it; families that fall below the threshold once
   others are in are dropped.
   The detector resolution is then measured on the strong isolated K lines found
   (:mod:`.resolution`; unless given), and the energy axis's offset (and gain) on their
   centres (:mod:`.calibration`); the selection is made again at that resolution on the
   corrected axis. In the final 1σ the continuum's local error is measured on the spectrum
   less its fitted lines (:func:`.continuum.line_free_error`), and the resolution's 1σ enters
   through the model refitted at ± 1σ.
4. Threshold from the noise, none tuned to a file: the one-sided normal quantile of
   ``false_alarm / n`` (a Bonferroni bound: at most ``false_alarm`` false identifications per
   spectrum on average). Overlaps are not resolved by a guess (:mod:`.decide`): a family that
   another element's family could replace with a χ² worse by less than threshold² is
   "ambiguous", the alternatives named ("S Kα / Mo Lα / Pb Mα").

An element is "present" when one of its families is found, "ambiguous" when one is ambiguous,
else "not detected" with its detection limit (threshold × σ, counts).

References
----------
.. [1] C. G. Ryan et al., Nucl. Instrum. Methods Phys. Res. B 34, 396 (1988).
.. [2] L. A. Currie, Anal. Chem. 40, 586 (1968) (detection limits from the noise).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import norm

from insitu_tem.analysis.eds.calibration import Calibration, measure_calibration
from insitu_tem.analysis.eds.continuum import (
    NARROW_CLIP_FWHM,
    line_free_error,
    roll_off_error,
    snip_continuum,
)
from insitu_tem.analysis.eds.decide import ElementFinding, decide
from insitu_tem.analysis.eds.dependents import escape_profiles
from insitu_tem.analysis.eds.families import Family, families_in_range, line_profiles
from insitu_tem.analysis.eds.fit import (
    FamilyFit,
    Problem,
    fit,
    make_problem,
)
from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV
from insitu_tem.analysis.eds.resolution import Resolution, describe, measure_resolution
from insitu_tem.analysis.eds.selection import screen, select

FIT_FROM_EV = 200.0
LOWEST_LINE_EV = 250.0
MIN_COUNTS = 200
DEFAULT_FALSE_ALARM = 0.01


@dataclass(frozen=True)
class Identification:
    """Lines identified in one spectrum.

    Attributes
    ----------
    findings : tuple of ElementFinding
        Present, then ambiguous, then the elements asked for that were not detected.
    energies_ev, counts, continuum, model : ndarray
        (channels,) the spectrum, its fitted continuum and the fitted model, counts per channel
        (the SNIP continuum outside the fitted range).
    resolution_mn_ka_ev : float
        Detector FWHM at Mn Kα used, eV.
    resolution_sigma_ev : float
        Its 1σ, eV (0 when given, NaN when assumed).
    resolution_source : str
        ``"given"``, ``"measured on Si Kα, Fe Kα"`` or why it was not measured.
    calibration : Calibration
        The energy axis's offset and gain measured on the lines (:mod:`.calibration`), by
        which the lines were fitted; none when not measured.
    escape_scale, pile_up : float
        Fitted Si escape peaks relative to Reed and Ware's fraction, and pile-up counts per
        count of the lines (:mod:`.dependents`); NaN when no line is found.
    threshold : float
        Significance needed, σ.
    false_alarm : float
        Expected false identifications per spectrum the threshold allows.
    tested : int
        Families tested.
    profile_error : float
        Relative error of the line profiles measured on the data (0 when they fit to the noise).
    ok : bool
    reason : str
        Why nothing could be identified, when ``ok`` is False.
    """

    findings: tuple[ElementFinding, ...]
    energies_ev: np.ndarray
    counts: np.ndarray
    continuum: np.ndarray
    model: np.ndarray
    resolution_mn_ka_ev: float
    threshold: float
    false_alarm: float
    tested: int
    profile_error: float = 0.0
    resolution_sigma_ev: float = float("nan")
    resolution_source: str = ""
    escape_scale: float = float("nan")
    pile_up: float = float("nan")
    calibration: Calibration = Calibration(reason="nothing identified")
    ok: bool = True
    reason: str = ""

    def with_status(self, status: str) -> tuple[ElementFinding, ...]:
        """Findings of ``status`` (``"present"``, ``"ambiguous"``, ``"not detected"``)."""
        return tuple(f for f in self.findings if f.status == status)


def _refuse(counts, energies, reason: str, false_alarm: float) -> Identification:
    counts = np.asarray(counts, dtype=float)
    empty = np.zeros_like(counts)
    return Identification(
        (),
        np.asarray(energies, float),
        counts,
        empty,
        empty,
        np.nan,
        np.nan,
        false_alarm,
        0,
        ok=False,
        reason=reason,
    )


def _unreadable(counts: np.ndarray, energies: np.ndarray) -> str:
    if counts.ndim != 1 or energies.shape != counts.shape or counts.size < 16:
        return "not a spectrum: give one energy per channel (at least 16 channels)"
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        return "counts are negative, NaN or infinite: not raw X-ray counts"
    steps = np.diff(energies)
    if not np.all(np.isfinite(energies)):
        return "no energy calibration: the spectrum's axis is not in eV"
    if np.any(steps <= 0):
        return "no energy calibration: the energy axis does not increase"
    step = float(np.median(steps))
    if not 1.0 <= step <= 100.0 or energies[-1] < 1000.0:
        return (
            f"no usable energy calibration ({step:.3g} eV per channel up to {energies[-1]:.4g} "
            "eV): an EDS spectrum has 1–100 eV per channel and reaches past 1 keV"
        )
    if counts.sum() < MIN_COUNTS:
        return f"too few counts ({counts.sum():.0f}; at least {MIN_COUNTS} to find a line)"
    return ""


def identify_lines(
    counts: np.ndarray,
    energies_ev: np.ndarray,
    *,
    beam_energy_kv: float | None = None,
    resolution_mn_ka_ev: float | None = None,
    false_alarm: float = DEFAULT_FALSE_ALARM,
    elements: tuple[str, ...] = (),
) -> Identification:
    """Identify the X-ray lines of one EDS spectrum (module docstring).

    Parameters
    ----------
    counts : ndarray
        (channels,) X-ray counts (a lone spectrum or the sum of a spectrum image).
    energies_ev : ndarray
        (channels,) channel centres, eV.
    beam_energy_kv : float, optional
        Lines above it are not searched, kV (none left out when not given).
    resolution_mn_ka_ev : float, optional
        Detector FWHM at Mn Kα, eV; measured on the spectrum's strong isolated K lines when not
        given (:mod:`.resolution`; :data:`DEFAULT_RESOLUTION_MN_KA_EV`, 130 eV, when none is),
        its 1σ carried into the net counts' 1σ.
    false_alarm : float
        Expected false identifications per spectrum (sets the threshold).
    elements : tuple of str
        Elements always reported (e.g. those the file names), found or not.

    Returns
    -------
    Identification
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _identify(
            np.asarray(counts, dtype=float),
            np.asarray(energies_ev, dtype=float),
            beam_energy_kv=beam_energy_kv,
            resolution_mn_ka_ev=resolution_mn_ka_ev,
            false_alarm=false_alarm,
            elements=tuple(elements),
        )


def _identify(
    counts, energies, *, beam_energy_kv, resolution_mn_ka_ev, false_alarm, elements
) -> Identification:
    """:func:`identify_lines` with BLAS on one thread (small matrices: threads only contend)."""
    reason = _unreadable(counts, energies)
    if reason:
        return _refuse(counts, energies, reason, false_alarm)
    beam = 1000.0 * beam_energy_kv if beam_energy_kv else np.inf
    low = max(FIT_FROM_EV, float(energies[0]) + 3 * float(np.median(np.diff(energies))))
    high = min(float(energies[-1]), beam)
    in_range = (energies >= low) & (energies <= high)
    searched = families_in_range(max(LOWEST_LINE_EV, low + 50.0), high - 100.0)
    if not searched:
        return _refuse(counts, energies, "no X-ray line lies in the energy range", false_alarm)
    threshold = float(norm.isf(false_alarm / len(searched)))
    setup = _Setup(counts, energies, in_range, searched, elements, beam, threshold)
    resolution, calibration, problem, candidates, model = _resolve(setup, resolution_mn_ka_ev)
    setup = setup.calibrated(calibration)
    findings = decide(
        problem,
        model,
        candidates,
        threshold=threshold,
        elements=elements,
        resolution_mn_ka_ev=resolution.fwhm_mn_ka_ev,
        beam_energy_ev=beam,
    )
    return Identification(
        findings,
        energies,
        counts,
        setup.whole(model.continuum, resolution.fwhm_mn_ka_ev),
        setup.whole(model.fitted, resolution.fwhm_mn_ka_ev),
        resolution.fwhm_mn_ka_ev,
        threshold,
        false_alarm,
        len(searched),
        model.delta,
        resolution_sigma_ev=resolution.sigma_ev,
        resolution_source=_source(resolution, resolution_mn_ka_ev),
        escape_scale=_scale(model, 0),
        pile_up=_scale(model, 1),
        calibration=calibration,
    )


def _scale(model: FamilyFit, index: int) -> float:
    """Fitted scale of the model's dependent ``index`` (0 escape, 1 pile-up), NaN if none."""
    scales = model.dependent_scales
    return float(scales[index]) if scales.size > index else float("nan")


def _resolve(setup: _Setup, given: float | None):
    """The resolution (:class:`Resolution`, eV at Mn Kα), the axis's :class:`Calibration`, and
    the problem, candidates and selected model at them: the resolution ``given`` when given,
    else measured on the lines found at :data:`DEFAULT_RESOLUTION_MN_KA_EV`
    (:mod:`.resolution`), its 1σ carried into the counts; the calibration measured on the same
    lines' centres; the lines selected again at the measured resolution on the corrected
    axis."""
    start = given or DEFAULT_RESOLUTION_MN_KA_EV
    problem, candidates = setup.problem(start)
    model = select(problem, setup.threshold)
    measured = measure_resolution(problem, model, candidates, resolution_mn_ka_ev=start)
    calibration = measure_calibration(measured)
    resolution = Resolution(float(given), 0.0) if given else measured
    if calibration.ok or (measured.ok and not given):
        setup = setup.calibrated(calibration)
        problem, candidates = setup.problem(resolution.fwhm_mn_ka_ev)
        model = select(problem, setup.threshold)
        if calibration.ok:
            again = measure_resolution(
                problem, model, candidates, resolution_mn_ka_ev=resolution.fwhm_mn_ka_ev
            )
            calibration = calibration.then(measure_calibration(again))
    problem = replace(problem, continuum_error=setup.line_free_error(model, resolution))
    model = fit(problem, model.columns, delta=model.delta)
    if not given:
        model = _with_resolution_error(setup, model, candidates, measured)
    return resolution, calibration, problem, candidates, model


def _with_resolution_error(setup, model, candidates, resolution) -> FamilyFit:
    """``model`` with the variance of its counts from the resolution's 1σ added: the model
    refitted at FWHM ± 1σ (same families, same δ), ``((a₊ − a₋) / 2)²``. The families stay:
    a peak the data show is there whatever the width of the lines; its counts are what the
    width makes uncertain."""
    if not model.columns or not resolution.sigma_ev > 0:
        return model
    ends = []
    for sign in (1.0, -1.0):
        value = resolution.fwhm_mn_ka_ev + sign * resolution.sigma_ev
        problem, _ = setup.problem(value, candidates=candidates)
        ends.append(fit(problem, model.columns, delta=model.delta).counts)
    variance = np.diag(((ends[0] - ends[1]) / 2) ** 2)
    return replace(model, covariance=model.covariance + variance)


def _source(resolution: Resolution, given: float | None) -> str:
    """Where the resolution comes from, in words."""
    if given:
        return "given"
    if not resolution.ok:
        return (
            f"not measured ({resolution.reason}): {resolution.fwhm_mn_ka_ev:g} ± "
            f"{resolution.sigma_ev:g} eV assumed"
        )
    return f"measured on {describe(resolution)}"


@dataclass(frozen=True)
class _Setup:
    counts: np.ndarray
    energies: np.ndarray
    in_range: np.ndarray
    searched: tuple[Family, ...]
    elements: tuple[str, ...]
    beam: float
    threshold: float

    def calibrated(self, calibration: Calibration) -> _Setup:
        """This setup on the axis ``calibration`` corrects (itself when not measured)."""
        if not calibration.ok:
            return self
        return replace(self, energies=calibration.true_energies(self.energies))

    def problem(
        self, resolution: float, *, candidates: tuple[Family, ...] | None = None
    ) -> tuple[Problem, tuple[Family, ...]]:
        """The fit problem and its candidate families at ``resolution`` (eV at Mn Kα); the
        families screened on the data unless ``candidates`` are given."""
        continuum = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        narrow = snip_continuum(
            self.counts, self.energies, resolution_mn_ka_ev=resolution, clip_fwhm=NARROW_CLIP_FWHM
        )
        if candidates is None:
            candidates = screen(
                self.counts, self.energies, continuum, self.searched, resolution, self.elements
            )
        energies = self.energies[self.in_range]
        lines = [
            line_profiles(f, energies, resolution_mn_ka_ev=resolution, below_ev=self.beam)
            for f in candidates
        ]
        escapes = [
            escape_profiles(f, energies, resolution_mn_ka_ev=resolution, below_ev=self.beam)
            for f in candidates
        ]
        owners = np.concatenate(
            [np.zeros(0, int)] + [np.full(len(f.lines), i) for i, f in enumerate(candidates)]
        )
        names = sorted({f.element for f in candidates})
        elements = [names.index(f.element) for f in candidates]
        problem = make_problem(
            self.counts[self.in_range],
            energies,
            continuum[self.in_range],
            np.concatenate(lines, axis=1) if lines else np.zeros((energies.size, 0)),
            owners.astype(int) if lines else np.zeros(0, int),
            elements,
            np.abs(narrow - continuum)[self.in_range],
            np.concatenate(escapes, axis=1) if escapes else np.zeros((energies.size, 0)),
            roll_off_error(continuum, self.energies, resolution_mn_ka_ev=resolution)[self.in_range],
        )
        return problem, candidates

    def line_free_error(self, model: FamilyFit, resolution: Resolution) -> np.ndarray:
        """The continuum's local error over the fitted channels, measured on the counts less
        ``model``'s lines (:func:`~.continuum.line_free_error`)."""
        lines = np.zeros_like(self.counts)
        lines[self.in_range] = model.fitted - model.continuum
        error = line_free_error(
            self.counts, lines, self.energies, resolution_mn_ka_ev=resolution.fwhm_mn_ka_ev
        )
        return error[self.in_range]

    def whole(self, values: np.ndarray, resolution: float) -> np.ndarray:
        """``values`` over the fitted channels put back on the whole spectrum (the SNIP
        continuum elsewhere)."""
        out = snip_continuum(self.counts, self.energies, resolution_mn_ka_ev=resolution)
        out[self.in_range] = values
        return out
