"""Which line families are in an EDS spectrum's model: forward selection, swaps and backward
elimination at a significance threshold (:mod:`.identify`).

1. **Forward**: the candidate that would be the most significant if added (``z = counts / σ``,
   :func:`~insitu_tem.analysis.eds.fit.score`) is added while its ``z`` exceeds the threshold.
2. **Swaps**: the first family added to a peak is the one whose profile best matches it *alone*
   — a Tb M cluster can outscore the Mg Kα under it by a hair and then hold the peak, the right
   family no longer significant beside it. So each selected family is tried against every
   candidate whose strongest line falls where the family's profile stands above half its
   maximum, in its place; the swap that lowers the χ² most is kept. The χ² are those of Poisson
   weights alone (δ = 0, :mod:`.fit`): with the profile error δ in the weights each model hides
   its own misfit under its lines (a Tb M cluster on a Mg Kα peak, residuals of 80 σ, gets δ =
   0.3 and a χ² lower than Mg Kα's own), so those χ² cannot compare two explanations of a peak.
3. **Backward**, by element: an element is in the model with all its families (K, L and M
   in the spectrum's range, each with its own counts ≥ 0): a K element's L family under
   another element's line — Zn L under Na Kα, Mo L under S Kα — is fitted even when it would
   not be significant on its own, so that line's counts do not take it (development spectra:
   Na +26 000 counts, 8.5 σ, beside 21 550 of Zn). The element whose most significant
   family is the least significant is dropped, all its families, while that is below the
   threshold (not added again in that round).

Steps 1–3 are repeated until nothing changes, at most ``rounds`` times. When they still
change something then, steps 1 and 3 are made once more: the swaps can cycle — the real tilt
series at −40° (Session 38b): Mg Kα added at 11 σ, swapped for Tb Mα (a lower χ² with Poisson
weights), Tb dropped at 0 σ in the fit with δ, every round — and the rounds must not end on a
model that leaves out a family significant beside it.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eds.families import Family
from insitu_tem.analysis.eds.fit import FamilyFit, fit, score
from insitu_tem.analysis.eds.problem import Problem
from insitu_tem.analysis.eds.lines import fwhm_ev

SWAP_TRIALS = 3
WINDOW_FWHM = 1.2
SCREEN_Z = 2.0


def select(problem: Problem, threshold: float, *, rounds: int = 3) -> FamilyFit:
    """The model of the families selected on ``problem`` at ``threshold`` σ (module
    docstring)."""
    model = fit(problem, ())
    for _ in range(rounds):
        dropped: set[int] = set()
        grown = _forward(problem, model, threshold, dropped)
        swapped = _swap(problem, grown, threshold)
        changed = grown.columns != model.columns or swapped.columns != grown.columns
        model = _backward(problem, swapped, threshold, dropped)
        if not (changed or dropped):
            return model
    return _backward(problem, _forward(problem, model, threshold, set()), threshold, set())


def _forward(problem: Problem, model: FamilyFit, threshold: float, dropped) -> FamilyFit:
    """``model`` with the candidates not in it nor in ``dropped`` added, the most significant
    first, while one is significant at ``threshold`` (module docstring, step 1)."""
    while True:
        rest = [
            i
            for i in range(problem.profiles.shape[1])
            if i not in model.columns and i not in dropped
        ]
        counts, sigmas = score(problem, model, rest)
        if not rest or np.max(counts / sigmas) < threshold:
            return model
        added = (*model.columns, rest[int(np.argmax(counts / sigmas))])
        model = fit(problem, with_companions(problem, added))


def _backward(problem: Problem, model: FamilyFit, threshold: float, dropped: set) -> FamilyFit:
    """``model`` without its elements not significant at ``threshold``, the weakest first
    (module docstring, step 3); the families dropped are added to ``dropped``."""
    while (weakest := weakest_element(problem, model, threshold)) is not None:
        gone = [c for c in model.columns if problem.elements[c] == weakest]
        dropped.update(gone)
        model = fit(problem, tuple(c for c in model.columns if c not in gone))
    return model


def with_companions(problem: Problem, columns) -> tuple[int, ...]:
    """``columns`` and every other family (column of ``problem``) of their elements: an
    element's K, L and M families are fitted together, each with its own counts ≥ 0 (module
    docstring)."""
    chosen = set(problem.elements[list(columns)].tolist())
    others = [
        i
        for i in range(problem.profiles.shape[1])
        if i not in columns and int(problem.elements[i]) in chosen
    ]
    return (*columns, *others)


def weakest_element(problem: Problem, model: FamilyFit, threshold: float) -> int | None:
    """The element (number of ``problem.elements``) of ``model`` whose most significant family
    is the least significant of all, when that is below ``threshold`` σ; else None."""
    if not model.columns:
        return None
    z = model.counts / np.clip(model.sigmas, 1e-300, None)
    elements = problem.elements[list(model.columns)]
    best = {int(e): float(np.max(z[elements == e])) for e in np.unique(elements)}
    weakest = min(best, key=best.get)
    return weakest if best[weakest] < threshold else None


def _swap(problem: Problem, model: FamilyFit, threshold: float) -> FamilyFit:
    """``model`` with each family significant at ``threshold`` replaced, in turn, by the
    candidate under its profile that fits better (module docstring, step 2); of those
    candidates, the :data:`SWAP_TRIALS` that would be the most significant in the family's
    place are tried. The new family's element brings its other families."""
    strongest = np.argmax(problem.profiles, axis=0)
    significant = model.counts >= threshold * model.sigmas
    for column in [c for c, keep in zip(model.columns, significant) if keep]:
        if column not in model.columns:
            continue
        profile = problem.profiles[:, column]
        under = [
            int(i)
            for i in np.flatnonzero(profile[strongest] >= 0.5 * profile.max())
            if i not in model.columns
        ]
        if not under:
            continue
        rest = tuple(c for c in model.columns if c != column)
        counts, sigmas = score(problem, fit(problem, rest, delta=0.0), under)
        order = np.argsort(-(counts / sigmas))[:SWAP_TRIALS]
        best, best_chi2 = None, fit(problem, model.columns, delta=0.0).chi2
        for other in (under[i] for i in order):
            columns = tuple(other if c == column else c for c in model.columns)
            trial = fit(problem, columns, delta=0.0)
            if trial.chi2 < best_chi2:
                best, best_chi2 = columns, trial.chi2
        if best is not None:
            model = fit(problem, with_companions(problem, best))
    return model


def screen(counts, energies, continuum, searched, resolution, elements) -> tuple[Family, ...]:
    """The candidates: every family of ``searched`` (:class:`Family`) of the ``elements`` asked
    for and of those with a family with more than :data:`SCREEN_Z` σ above the ``continuum``
    in its main-line window (:data:`WINDOW_FWHM` FWHM wide, the width that maximises a
    Gaussian's signal-to-noise, at the detector FWHM ``resolution`` eV at Mn Kα); ``counts``,
    ``continuum`` and ``energies`` (eV) per channel."""
    kept = set()
    for family in searched:
        half = WINDOW_FWHM / 2 * fwhm_ev(family.main_energy_ev, resolution_mn_ka_ev=resolution)
        near = np.abs(energies - family.main_energy_ev) <= half
        net = float((counts[near] - continuum[near]).sum())
        variance = float(np.maximum(counts[near], continuum[near]).sum())
        if family.element in elements or net > SCREEN_Z * np.sqrt(max(variance, 1.0)):
            kept.add(family.element)
    return tuple(f for f in searched if f.element in kept)
