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
   centres (:mod:`.calibration`; when the axis as it is leaves no line to measure, with the
   axis moved by trial offsets up to ±90 eV); the selection is made again at that resolution
   on the corrected axis. The final fit's continuum, and its local error, are clipped on the
   spectrum less the selected lines (SNIP keeps 2–3 % of a strong line's counts under it,
   which a fit on that continuum takes from the line), the resolution's 1σ enters
   through the model refitted at ± 1σ, and a family whose window shows a misfit of the
   lines' shape (a tail the Gaussians lack) gets it in its 1σ (:mod:`.line_shape`).
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

from insitu_tem.analysis.eds.calibration import NO_LINE, Calibration, measure_calibration
from insitu_tem.analysis.eds.decide import decide
from insitu_tem.analysis.eds.finding import ElementFinding
from insitu_tem.analysis.eds.families import families_in_range
from insitu_tem.analysis.eds.fit_setup import FitSetup
from insitu_tem.analysis.eds.fit import FamilyFit, fit
from insitu_tem.analysis.eds.problem import Problem
from insitu_tem.analysis.eds.line_shape import with_shape_error
from insitu_tem.analysis.eds.lines import DEFAULT_RESOLUTION_MN_KA_EV, fwhm_ev
from insitu_tem.analysis.eds.resolution import (
    HIGHEST_EV,
    LOWEST_EV,
    MIN_SIGNIFICANCE,
    Resolution,
    describe,
    measure_resolution,
)
from insitu_tem.analysis.eds.selection import select

FIT_FROM_EV = 200.0
LOWEST_LINE_EV = 250.0
MIN_COUNTS = 200
DEFAULT_FALSE_ALARM = 0.01
TRIAL_OFFSETS_EV = (-45.0, 45.0, -90.0, 90.0)


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
    setup = FitSetup(counts, energies, in_range, searched, elements, beam, threshold)
    resolution, calibration, problem, candidates, (decided, model), selected = _resolve(
        setup, resolution_mn_ka_ev
    )
    setup = setup.calibrated(calibration)
    findings = decide(
        problem,
        decided,
        candidates,
        threshold=threshold,
        elements=elements,
        resolution_mn_ka_ev=resolution.fwhm_mn_ka_ev,
        beam_energy_ev=beam,
        selected_sigma=selected,
        counted=model,
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


def _resolve(setup: FitSetup, given: float | None):
    """The resolution (:class:`Resolution`, eV at Mn Kα), the axis's :class:`Calibration`, and
    the problem, candidates and selected families at them: the resolution ``given`` when
    given, else measured on the lines found at :data:`DEFAULT_RESOLUTION_MN_KA_EV`
    (:mod:`.resolution`), its 1σ carried into the counts; the calibration measured on the same
    lines' centres; the lines selected again at the measured resolution on the corrected
    axis; the selected families fitted twice — on the selection's continuum, for the decisions
    (:mod:`.decide`), and on the continuum clipped without their lines, for their counts and
    1σ, the M families' line weights freed where the data demand it (:mod:`.line_weights`; the
    decisions keep the database's; the line shape's misfit in its 1σ: :mod:`.line_shape`) —
    both with the continuum's local error measured without the lines; and each selected
    family's significance in the selection (whose 1σ lack the resolution's and the line-free
    continuum's errors of the final 1σ)."""
    start = given or DEFAULT_RESOLUTION_MN_KA_EV
    problem, candidates = setup.problem(start)
    model = select(problem, setup.threshold)
    measured = measure_resolution(problem, model, candidates, resolution_mn_ka_ev=start)
    calibration = measure_calibration(measured)
    if not calibration.ok:
        measured, calibration = _search_offset(setup, start, (problem, model, measured))
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
    selected = model.counts / np.clip(model.sigmas, 1e-300, None)
    lines = setup.lines_of(model, problem.counts)
    free, _ = setup.problem(resolution.fwhm_mn_ka_ev, candidates=candidates, lines=lines)
    problem = replace(problem, continuum_error=free.continuum_error)
    decided = fit(problem, model.columns, delta=model.delta)
    counted = fit(free, model.columns, free_lines=True)
    if not given:
        decided = _with_resolution_error(setup, decided, candidates, measured, None)
        counted = _with_resolution_error(setup, counted, candidates, measured, lines)
    counted = with_shape_error(free, counted, threshold=setup.threshold)
    return resolution, calibration, problem, candidates, (decided, counted), selected


def _search_offset(setup: FitSetup, start: float, unshifted) -> tuple[Resolution, Calibration]:
    """The resolution measured and the axis's calibration when the axis taken as it is gave no
    line to measure it on: the lines selected again with the axis moved by each of
    :data:`TRIAL_OFFSETS_EV`; of the trials whose lines measure a calibration, the one whose
    lines fit the counts best (Poisson χ², and better than the axis as it is). An axis off by
    more than about a third of a line's FWHM (60 eV at Si Kα) puts the lines where other
    elements' lines are, and no K line is left isolated to measure it on; the trials, 45 eV
    apart, leave at most 22.5 eV to the measurement, which corrects 25 eV (tests): offsets up
    to ±110 eV are found."""
    problem, model, measured = unshifted
    if not _strong_peak(problem, start):
        return measured, Calibration(reason=NO_LINE)
    best = (fit(problem, model.columns, delta=0.0).chi2, measured, None)
    for offset in TRIAL_OFFSETS_EV:
        trial = Calibration(offset, 0.0, gain_note="a trial offset")
        problem, candidates = setup.calibrated(trial).problem(start)
        model = select(problem, setup.threshold)
        found = measure_resolution(problem, model, candidates, resolution_mn_ka_ev=start)
        residual = measure_calibration(found)
        chi2 = fit(problem, model.columns, delta=0.0).chi2
        if residual.ok and chi2 < best[0]:
            best = (chi2, found, trial.then(residual))
    if best[2] is not None:
        return best[1], best[2]
    span = max(abs(offset) for offset in TRIAL_OFFSETS_EV)
    return measured, Calibration(
        reason=f"{NO_LINE}, with the axis as it is or moved ±{span:.0f} eV"
    )


def _strong_peak(problem: Problem, resolution: float) -> bool:
    """Whether the counts hold a peak at 1–10 keV strong enough to measure a line on
    (:data:`~.resolution.MIN_SIGNIFICANCE` σ above the continuum, Poisson, in a window of
    1.2 FWHM, eV at Mn Kα ``resolution``): without one no trial offset can be measured."""
    energies = problem.energies_ev
    step = float(np.median(np.diff(energies)))
    width = np.array([fwhm_ev(e, resolution_mn_ka_ev=resolution) for e in energies])
    half = np.maximum(np.round(0.6 * width / step), 1).astype(int)
    index = np.arange(energies.size)
    low, high = np.clip(index - half, 0, None), np.clip(index + half + 1, None, energies.size)
    net = np.r_[0.0, np.cumsum(problem.counts - problem.continuum)]
    total = np.r_[0.0, np.cumsum(problem.counts)]
    z = (net[high] - net[low]) / np.sqrt(np.clip(total[high] - total[low], 1.0, None))
    inside = (energies >= LOWEST_EV) & (energies <= HIGHEST_EV)
    return bool(np.any(z[inside] >= MIN_SIGNIFICANCE))


def _with_resolution_error(setup, model, candidates, resolution, lines) -> FamilyFit:
    """``model`` with the variance of its counts from the resolution's 1σ added: the model
    refitted at FWHM ± 1σ (same families, same δ, the continuum clipped without ``lines``
    when given: :meth:`.FitSetup.problem`), ``((a₊ − a₋) / 2)²``. The families stay:
    a peak the data show is there whatever the width of the lines; its counts are what the
    width makes uncertain."""
    if not model.columns or not resolution.sigma_ev > 0:
        return model
    ends = []
    for sign in (1.0, -1.0):
        value = resolution.fwhm_mn_ka_ev + sign * resolution.sigma_ev
        problem, _ = setup.problem(value, candidates=candidates, lines=lines)
        free_lines = model.freed.shape[1] > 0
        ends.append(fit(problem, model.columns, delta=model.delta, free_lines=free_lines).counts)
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
