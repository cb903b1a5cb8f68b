"""Decisions on the selected line families: present, ambiguous or not detected (see
:mod:`.identify`).

* Overlaps: for each selected family F, every candidate A of another element whose main line
  lies within 1 FWHM of F's is tried in F's place (F removed, A scored on what is left). If A
  would be significant and the χ² it leaves is worse than F's by less than threshold²
  (``z_F² − z_A² < threshold²``, both fits with the same weights), the data cannot tell them
  apart: F and A are "ambiguous", each naming the other. An element present through another,
  unambiguous family keeps its overlapped family, and its rivals are not reported.
* Families of an element fitted with it but not significant themselves (:mod:`.selection`:
  an element's K, L and M families are fitted together) are no finding of their own.
* Across families: an L family whose element's K family lies in the range (an M family: its L
  or K family) is contradicted when that family holds less than :data:`ACROSS_FAMILY_RATIO` of
  its counts by more than threshold σ (fitted with it, or scored when not in the model). In a
  thin specimen at TEM voltages the K lines of an element whose K shell is excited outshine
  its L lines, and its L lines its M lines (higher fluorescence yields; Williams & Carter ch.
  34), so half is a bound, not a tuned ratio. A contradicted family does not explain its
  peak; when only one explanation is left it is taken.
* Family consistency: a selected family whose secondary line (Kβ, Lβ1…) should add more than
  threshold σ of counts where the data hold that much less than the model is "ambiguous", the
  line named.
* Not detected: counts and 1σ the family would get if added to the selected ones; detection
  limit threshold × σ [1]_.
* One finding per element: its best status; among its families of that status, the K family
  before the L before the M (Ca Kα's counts, not those of Ca L on the detector's roll-off).

References
----------
.. [1] L. A. Currie, Anal. Chem. 40, 586 (1968).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eds.families import Family, gaussian_counts, pretty
from insitu_tem.analysis.eds.finding import (
    SHELLS,
    ElementFinding,
    keep,
    make_finding,
    reported_order,
)
from insitu_tem.analysis.eds.fit import ACROSS_FAMILY_RATIO, FamilyFit, fit, score
from insitu_tem.analysis.eds.problem import Problem
from insitu_tem.analysis.eds.lines import fwhm_ev

WINDOW_FWHM = 1.2


@dataclass(frozen=True)
class _Context:
    problem: Problem
    model: FamilyFit
    candidates: tuple[Family, ...]
    threshold: float
    resolution: float
    beam: float
    selected: np.ndarray
    counted: FamilyFit


def _own(ctx: _Context, position: int) -> tuple[float, float]:
    """Counts and 1σ reported for the selected family at ``position``: ``ctx.counted``'s."""
    return float(ctx.counted.counts[position]), float(ctx.counted.sigmas[position])


def _rivals(ctx: _Context, position: int) -> list[tuple[int, float, float]]:
    """Candidates of other elements, main line within 1 FWHM, that replace the selected family
    at ``position`` with a χ² worse by less than threshold² and are then significant: (column,
    counts, 1σ)."""
    model = ctx.model
    column = model.columns[position]
    family = ctx.candidates[column]
    width = fwhm_ev(family.main_energy_ev, resolution_mn_ka_ev=ctx.resolution)
    found = []
    for i, other in enumerate(ctx.candidates):
        if (
            i in model.columns
            or other.element == family.element
            or abs(other.main_energy_ev - family.main_energy_ev) > width
        ):
            continue
        columns = tuple(i if c == column else c for c in model.columns)
        swapped = fit(ctx.problem, columns, delta=model.delta)
        counts, sigma = float(swapped.counts[position]), float(swapped.sigmas[position])
        if swapped.chi2 - model.chi2 < ctx.threshold**2 and counts >= ctx.threshold * sigma:
            found.append((i, counts, sigma))
    return found


def _absent_partner(ctx: _Context, column: int, counts: float) -> str:
    """For an L or M family, its element's K (or L) family when in range, expected at least
    :data:`ACROSS_FAMILY_RATIO` as strong and absent, in words; else ``""``."""
    family = ctx.candidates[column]
    for other_column, other in enumerate(ctx.candidates):
        if other.element != family.element or SHELLS[other.shell] >= SHELLS[family.shell]:
            continue
        if other_column in ctx.model.columns:
            position = ctx.model.columns.index(other_column)
            measured, sigma = ctx.model.counts[position], ctx.model.sigmas[position]
        else:
            measured, sigma = (v[0] for v in score(ctx.problem, ctx.model, [other_column]))
        expected = ACROSS_FAMILY_RATIO * counts
        if expected - measured > ctx.threshold * sigma:
            return (
                f"{pretty(family.lines[0])} needs {pretty(other.lines[0])} at "
                f"{other.main_energy_ev / 1000:.2f} keV (expected ≥ {expected:.0f} counts), "
                f"which is absent ({measured:.0f} ± {sigma:.0f})"
            )
    return ""


def _missing_line(ctx: _Context, position: int) -> str:
    """A secondary line of a selected family that the data lack (below its expected counts by
    more than threshold × its uncertainty, the line-ratio error δ included), or ``""``."""
    family = ctx.candidates[ctx.model.columns[position]]
    amplitude = ctx.model.counts[position]
    energies, fitted, counts = ctx.problem.energies_ev, ctx.model.fitted, ctx.problem.counts
    step = float(np.median(np.diff(energies)))
    for line, energy, weight in zip(family.lines[1:], family.energies_ev[1:], family.weights[1:]):
        if energy >= ctx.beam:
            continue
        width = fwhm_ev(energy, resolution_mn_ka_ev=ctx.resolution)
        near = np.abs(energies - energy) <= WINDOW_FWHM / 2 * width
        if near.sum() < 2:
            continue
        expected = (
            amplitude * weight * gaussian_counts(energies[near], energy, width, step_ev=step).sum()
        )
        variance = float(ctx.model.variance[near].sum()) + (ctx.model.delta * expected) ** 2
        shortfall = float((fitted[near] - counts[near]).sum())
        if shortfall > ctx.threshold * np.sqrt(variance) and expected > shortfall / 2:
            return (
                f"{pretty(line)} should add {expected:.0f} counts but the data hold "
                f"{shortfall:.0f} fewer than the fit: {pretty(family.lines[0])} may be another "
                "element's line"
            )
    return ""


def _explanations(ctx: _Context, position: int) -> list[tuple[int, float, float, str]]:
    """The selected family at ``position`` and its rivals, (column, counts, 1σ, why not), the
    reason empty for those whose other families do not contradict them."""
    column = ctx.model.columns[position]
    own = (column, float(ctx.model.counts[position]), float(ctx.model.sigmas[position]))
    options = [own, *_rivals(ctx, position)]
    return [(c, a, s, _absent_partner(ctx, c, a)) for c, a, s in options]


def _wider(ctx: _Context, position: int, significance: float) -> str:
    """When the family at ``position`` was selected above the threshold but its final 1σ
    (with the resolution's, the line-free continuum's and the line shape's errors, which
    selection does not have) puts it below, both, in words; else ``""``."""
    chosen = float(ctx.selected[position]) if position < ctx.selected.size else np.nan
    if not significance < ctx.threshold <= chosen:
        return ""
    return (
        f"selected at {chosen:.1f} σ (threshold {ctx.threshold:.1f} σ); with the detector "
        f"resolution's, the continuum's and the line shape's errors in its 1σ the counts "
        f"stand at {significance:.1f} σ"
    )


def _unproven(ctx: _Context, position: int, significance: float) -> str:
    """When the family at ``position`` was selected above the threshold but stands below it
    at ``significance`` (σ) in the model the decisions are made on — whose 1σ holds the
    detector resolution's error (the family's neighbours refitted at FWHM ± 1σ: a line on a
    neighbour's shoulder) and the continuum's local error — why it is not proven, in words;
    else ``""``."""
    chosen = float(ctx.selected[position]) if position < ctx.selected.size else np.nan
    if not significance < ctx.threshold <= chosen:
        return ""
    return (
        f"selected at {chosen:.1f} σ (threshold {ctx.threshold:.1f} σ) but {significance:.1f} σ "
        "with the detector resolution's and the continuum's errors in its 1σ: the peak may be "
        "a neighbour's shoulder or the continuum's"
    )


def _selected(ctx: _Context) -> list[ElementFinding]:
    """Findings of the selected families and of the rivals that could replace them."""
    findings = []
    z = ctx.model.counts / np.clip(ctx.model.sigmas, 1e-300, None)
    for position, column in enumerate(ctx.model.columns):
        if not np.fmax(ctx.selected[position], z[position]) >= ctx.threshold:
            continue
        options = _explanations(ctx, position)
        standing = [o for o in options if not o[3]]
        names = [pretty(ctx.candidates[c].lines[0]) for c, *_ in standing]
        for c, a, s, why in options:
            if c == column:
                a, s = _own(ctx, position)
            family = ctx.candidates[c]
            name = pretty(family.lines[0])
            others = [n for n in names if n != name]
            if why:
                findings.append(make_finding(family, "not detected", a, s, (), why))
            elif others:
                note = f"the peak could as well be {' or '.join(others)} at these counts"
                findings.append(make_finding(family, "ambiguous", a, s, others, note))
            else:
                missing = _missing_line(ctx, position) if c == column else ""
                unproven = _unproven(ctx, position, z[position]) if c == column else ""
                status = "ambiguous" if missing or unproven else "present"
                note = missing or unproven or (_wider(ctx, position, a / s) if c == column else "")
                findings.append(make_finding(family, status, a, s, (), note))
        if not standing:
            family = ctx.candidates[column]
            findings.append(
                make_finding(
                    family,
                    "ambiguous",
                    *_own(ctx, position),
                    tuple(pretty(ctx.candidates[c].lines[0]) for c, *_ in options[1:]),
                    f"a peak at {family.main_energy_ev / 1000:.2f} keV that no element explains "
                    f"without contradiction: {options[0][3]}",
                )
            )
    return findings


def decide(
    problem: Problem,
    model: FamilyFit,
    candidates: tuple[Family, ...],
    *,
    threshold: float,
    elements: tuple[str, ...],
    resolution_mn_ka_ev: float,
    beam_energy_ev: float,
    selected_sigma: np.ndarray | None = None,
    counted: FamilyFit | None = None,
) -> tuple[ElementFinding, ...]:
    """One finding per element present or ambiguous, and per element of ``elements`` (module
    docstring), present first, then by line energy.

    Parameters
    ----------
    problem : Problem
    model : FamilyFit
        The selected families.
    candidates : tuple of Family
        The families of ``problem``'s columns.
    threshold : float
        Significance needed, σ.
    elements : tuple of str
        Elements reported even when not detected.
    resolution_mn_ka_ev, beam_energy_ev : float
        eV.
    selected_sigma : ndarray, optional
        (families of ``model``,) each family's significance in the selection, σ: a family
        present whose final 1σ puts it below ``threshold`` says both in its note.
    counted : FamilyFit, optional
        ``model``'s families fitted for their counts (:mod:`.identify`: on the continuum
        clipped without their lines): the counts and 1σ reported for them (``model``'s when
        not given); the decisions are ``model``'s.
    """
    selected = np.full(len(model.columns), np.nan) if selected_sigma is None else selected_sigma
    ctx = _Context(
        problem,
        model,
        candidates,
        threshold,
        resolution_mn_ka_ev,
        beam_energy_ev,
        selected,
        model if counted is None else counted,
    )
    findings = _selected(ctx)
    present = {f.element for f in findings if f.status == "present"}
    best: dict[str, ElementFinding] = {}
    for finding in findings:
        if finding.status == "ambiguous" and finding.element in present:
            continue
        rivals = [f for f in findings if pretty(f.lines[0]) in finding.alternatives]
        if (
            finding.status == "ambiguous"
            and finding.element not in elements
            and any(r.element in present for r in rivals)
        ):
            continue
        keep(best, finding)
    _not_detected(ctx, best, elements)
    kept = [f for f in best.values() if f.status != "not detected" or f.element in elements]
    return tuple(sorted(kept, key=reported_order))


def _not_detected(ctx: _Context, best: dict, elements) -> None:
    """Findings of the elements asked for that are neither present nor ambiguous."""
    missing = [e for e in elements if e not in best]
    columns = [
        i
        for i, f in enumerate(ctx.candidates)
        if f.element in missing and i not in ctx.model.columns
    ]
    counts, sigmas = score(ctx.problem, ctx.model, columns)
    for column, a, s in zip(columns, counts, sigmas):
        family = ctx.candidates[column]
        name = pretty(family.lines[0])
        if a >= ctx.threshold * s:
            finding = make_finding(
                family,
                "ambiguous",
                a,
                s,
                (),
                (
                    f"{name} is significant alone ({a:.0f} ± {s:.0f} counts) but not once the "
                    "other lines are fitted with it: the fit cannot settle it"
                ),
            )
        else:
            finding = make_finding(
                family,
                "not detected",
                a,
                s,
                (),
                (
                    f"below the detection limit: {a:.0f} ± {s:.0f} counts in {name}, "
                    f"{ctx.threshold * s:.0f} needed ({ctx.threshold:.1f} σ)"
                ),
            )
        keep(best, finding)
    for element in missing:
        if element not in best:
            best[element] = ElementFinding(
                element,
                "not detected",
                (),
                0.0,
                float("nan"),
                0.0,
                (),
                "no line of it in the spectrum's energy range below the beam energy",
            )
