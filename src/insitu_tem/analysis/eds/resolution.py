"""The detector's resolution measured on the spectrum: FWHM at Mn Kα ± 1σ, eV.

The FWHM of a line follows Fiori and Newbury's relation [1]_ (the one exspy uses,
:func:`~insitu_tem.analysis.eds.lines.fwhm_ev`): ``FWHM(E)² = FWHM(Mn Kα)² + 2.5 eV · (E −
E(Mn Kα))``, the 2.5 eV the Fano noise of silicon (``5.545 · F · ε``, F ≈ 0.12, ε = 3.8 eV).
Each strong and isolated line of the identified families gives one value of FWHM(Mn Kα): a
Gaussian of free centre, width and area is fitted to it over ±:data:`WINDOW_FWHM` FWHM, on the
fitted continuum (times a free straight line) and the other identified lines with their
escape and pile-up peaks (:mod:`.dependents`), Poisson weights [2]_; its width ``w`` at
energy ``E`` gives ``√(w² − 2.5 eV · (E − E(Mn Kα)))``.

The lines used are K lines between :data:`LOWEST_EV` and :data:`HIGHEST_EV`: above, the
Kα1–Kα2 splitting (27 eV for Ga) widens a line by more than a few eV; below, incomplete charge
collection near the detector's entrance widens and tails the lines, and the continuum bends
(the window's roll-off). L and M lines are clusters of lines (Lα1–Lα2, Mα–Mβ) that the database
lumps together, so their width is not the detector's. The lines of other families within
:data:`FOLD_FWHM` FWHM of the line are taken as part of its peak (at a wrong resolution the
selection explains one line by several: Al Kα, Br Lα and Tm Mα for one Al Kα peak drawn 7 %
narrower than it is); a line is isolated when the lines farther away add less than
:data:`MAX_NEIGHBOUR` of its counts within its window, and strong enough when it stands
:data:`MIN_SIGNIFICANCE` σ above what lies under it. Two lines of different elements closer
than that (Mn Kα and Cr Kβ) widen the peak measured; the lines' scatter then widens the 1σ.

The lines' values are averaged with inverse-variance weights, together with what is known of
detectors before the spectrum is seen: :data:`PRIOR_EV` ± :data:`PRIOR_SIGMA_EV` (the silicon
drift and Si(Li) detectors of electron microscopes span about 121–140 eV at Mn Kα), so that one
weak line cannot set a width far outside that range — the width of the low-energy lines, near
the relation's floor, depends strongly on it. The 1σ is the weighted mean's, times the lines'
scatter (√(χ²/(n − 1)), Birge's ratio) when it exceeds 1, so a law that does not hold for the
detector shows as a larger 1σ, not as a false precision. With no usable line the prior is the
answer (and ``reason`` says why).

The global χ² of the whole fit against the resolution is *not* used: the profile error δ
(:mod:`.fit`) is measured on the data at each resolution and rescales the χ², so that profile
is flat, and at low counts its minimum is set by the noise (session 29 chose 122.5 eV on the
real Bruker map that way); and unresolved L and M clusters pull it towards wider lines.

References
----------
.. [1] C. E. Fiori and D. E. Newbury, Scanning Electron Microsc. 1, 401 (1978).
.. [2] P. R. Bevington and D. K. Robinson, *Data Reduction and Error Analysis for the Physical
   Sciences*, 3rd ed., McGraw-Hill (2003), ch. 8.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from insitu_tem.analysis.eds.families import Family, gaussian_counts, pretty
from insitu_tem.analysis.eds.fit import FamilyFit
from insitu_tem.analysis.eds.problem import Problem
from insitu_tem.analysis.eds.lines import _mn_ka_ev, fwhm_ev

WINDOW_FWHM = 1.5
LOWEST_EV = 1000.0
HIGHEST_EV = 10000.0
MAX_NEIGHBOUR = 0.1
FOLD_FWHM = 0.5
MIN_SIGNIFICANCE = 20.0
FANO_SLOPE_EV = 2.5
PRIOR_EV = 130.0
PRIOR_SIGMA_EV = 7.0


@dataclass(frozen=True)
class Resolution:
    """Detector FWHM at Mn Kα measured on a spectrum.

    Attributes
    ----------
    fwhm_mn_ka_ev, sigma_ev : float
        FWHM at Mn Kα and its 1σ, eV (the prior when not measured).
    lines : tuple of str
        The lines measured (``("Fe_Ka", "Si_Ka")``).
    values_ev, sigmas_ev : tuple of float
        FWHM at Mn Kα from each line and its 1σ, eV.
    shift_lines : tuple of str
        The lines of ``lines`` whose centre measures the energy axis: those with no line of
        another family of an element in the model within one FWHM (Zn L beside Na Kα, W Mα
        beside Si Kα: a peak the model may have given to the wrong line).
    energies_ev : tuple of float
        Their energies in the database, eV.
    shifts_ev, shift_sigmas_ev : tuple of float
        Their fitted centres less their energies on the spectrum's axis, and the 1σ, eV (the
        energy calibration's error there, :mod:`.calibration`).
    reason : str
        Why it could not be measured (empty when measured).
    """

    fwhm_mn_ka_ev: float
    sigma_ev: float
    lines: tuple[str, ...] = ()
    values_ev: tuple[float, ...] = ()
    sigmas_ev: tuple[float, ...] = ()
    shift_lines: tuple[str, ...] = ()
    energies_ev: tuple[float, ...] = ()
    shifts_ev: tuple[float, ...] = ()
    shift_sigmas_ev: tuple[float, ...] = ()
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether the resolution was measured."""
        return not self.reason


def measure_resolution(
    problem: Problem,
    model: FamilyFit,
    candidates: tuple[Family, ...],
    *,
    resolution_mn_ka_ev: float,
) -> Resolution:
    """FWHM at Mn Kα (module docstring) from the lines of ``model``'s families, fitted on
    ``problem`` at the detector FWHM ``resolution_mn_ka_ev`` (eV at Mn Kα).

    Returns
    -------
    Resolution
        The prior, ``reason`` saying why, when no line is strong and isolated enough.
    """
    step = float(np.median(np.diff(problem.energies_ev)))
    names, values, sigmas, centres = [], [], [], []
    lines = _line_counts(problem, model, candidates, resolution_mn_ka_ev)
    for line, energy, counts, others, crowded in lines:
        width = fwhm_ev(energy, resolution_mn_ka_ev=resolution_mn_ka_ev)
        near = np.abs(problem.energies_ev - energy) <= WINDOW_FWHM * width
        if not _usable(problem, model, near, counts[near], others[near], line, energy):
            continue
        measured = _fit_width(problem, model, near, others[near], energy, width, step)
        if measured is None:
            continue
        squared = measured[0] ** 2 - FANO_SLOPE_EV * (energy - _mn_ka_ev())
        if squared <= 0:
            continue
        value = float(np.sqrt(squared))
        names.append(line)
        values.append(value)
        sigmas.append(float(measured[0] * measured[1] / value))
        if not crowded:
            centres.append((line, energy, *measured[2:]))
    if not values:
        return Resolution(
            PRIOR_EV,
            PRIOR_SIGMA_EV,
            reason="no K line at 1–10 keV strong and isolated enough to measure its width",
        )
    combined = _combine(tuple(names), np.array(values), np.array(sigmas))
    energies, shifts, shift_sigmas = (tuple(float(c[i]) for c in centres) for i in (1, 2, 3))
    return replace(
        combined,
        shift_lines=tuple(c[0] for c in centres),
        energies_ev=energies,
        shifts_ev=shifts,
        shift_sigmas_ev=shift_sigmas,
    )


def _line_counts(problem: Problem, model: FamilyFit, candidates, resolution: float):
    """(line, energy eV, counts per channel of it and of the lines within :data:`FOLD_FWHM` of
    it, the other lines' counts per channel with the model's escape and pile-up peaks) of
    every K line of the model's families between
    :data:`LOWEST_EV` and :data:`HIGHEST_EV` that is the strongest of the lines folded into it.
    """
    position = {c: i for i, c in enumerate(model.columns)}
    inside = np.flatnonzero(np.isin(problem.owners, list(model.columns)))
    scaled = problem.lines[:, inside] * model.counts[[position[o] for o in problem.owners[inside]]]
    start = {}
    for index, owner in enumerate(problem.owners):
        start.setdefault(int(owner), index)
    members = [index - start[int(problem.owners[index])] for index in inside]
    families = [candidates[problem.owners[index]] for index in inside]
    energies = np.array([f.energies_ev[m] for f, m in zip(families, members)])
    strength = scaled.sum(axis=0)
    dependents = model.dependents @ model.dependent_scales if model.dependent_scales.size else 0.0
    for k, (family, member) in enumerate(zip(families, members)):
        energy = energies[k]
        if family.shell != "K" or not LOWEST_EV <= energy <= HIGHEST_EV:
            continue
        width = fwhm_ev(energy, resolution_mn_ka_ev=resolution)
        folded = np.abs(energies - energy) <= FOLD_FWHM * width
        if strength[folded].max() > strength[k]:
            continue
        own = scaled[:, folded].sum(axis=1)
        crowded = _crowded(candidates, model, family, energy, width)
        yield (
            family.lines[member],
            energy,
            own,
            scaled[:, ~folded].sum(axis=1) + dependents,
            crowded,
        )


def _crowded(candidates, model: FamilyFit, family: Family, energy: float, width: float) -> bool:
    """Whether a line of another family of an element in ``model``, at least
    :data:`MAX_NEIGHBOUR` of its family's main line, lies within ``width`` (eV) of ``energy``
    (eV)."""
    elements = {candidates[c].element for c in model.columns}
    return any(
        abs(e - energy) <= width
        for other in candidates
        if other.element in elements and other is not family
        for e, w in zip(other.energies_ev, other.weights)
        if w >= MAX_NEIGHBOUR
    )


def _usable(problem, model, near, counts, others, line, energy) -> bool:
    """Whether the line stands :data:`MIN_SIGNIFICANCE` σ above what lies under it and the
    other lines add less than :data:`MAX_NEIGHBOUR` of its counts in its window."""
    if near.sum() < 6 or energy < problem.energies_ev[0] or energy > problem.energies_ev[-1]:
        return False
    own = float(counts.sum())
    under = float(model.continuum[near].sum() + others.sum())
    return own > MIN_SIGNIFICANCE * np.sqrt(max(under, 1.0)) and others.sum() < (
        MAX_NEIGHBOUR * own
    )


def _fit_width(problem, model, near, others, energy, width, step):
    """(FWHM, its 1σ, centre less ``energy``, its 1σ) in eV of a Gaussian of free centre, width
    and area on the continuum (times a free straight line) and ``others`` over the channels
    ``near``; None when the fit does not converge inside the window. The centre's 1σ adds to
    the fit's the shift that ``others`` off by the model's profile error δ (:mod:`.fit`: the
    neighbouring lines' ratios and shapes, coherently) gives it: half the difference of the
    centres fitted with ``others`` × (1 ± δ)."""
    solution = _solve_peak(problem, model, near, others, energy, width, step)
    if solution is None:
        return None
    x, fun, jacobian = solution
    dof = max(fun.size - 5, 1)
    scale = max(float(np.sum(fun**2)) / dof, 1.0)
    try:
        covariance = np.linalg.inv(jacobian.T @ jacobian) * scale
    except np.linalg.LinAlgError:
        return None
    sigma, shift_sigma = (float(np.sqrt(max(covariance[i, i], 0.0))) for i in (2, 1))
    if not (np.isfinite(sigma) and sigma > 0 and np.isfinite(shift_sigma) and shift_sigma > 0):
        return None
    ends = [
        _solve_peak(problem, model, near, others * (1 + sign * model.delta), energy, width, step)
        for sign in (1.0, -1.0)
    ]
    if model.delta > 0 and all(end is not None for end in ends):
        shift_sigma = float(np.hypot(shift_sigma, (ends[0][0][1] - ends[1][0][1]) / 2))
    return float(x[2]), sigma, float(x[1]), shift_sigma


def _solve_peak(problem, model, near, others, energy, width, step):
    """(parameters: area, centre less ``energy`` eV, FWHM eV, continuum scale and slope;
    weighted residuals; their Jacobian) of :func:`_fit_width`'s Gaussian, None when the fit
    does not converge inside the window."""
    energies = problem.energies_ev[near]
    y = problem.counts[near]
    continuum = model.continuum[near]
    x = (energies - energy) / width
    weight = 1.0 / np.sqrt(np.clip(model.fitted[near], 1.0, None))
    area = max(float((y - continuum - others).sum()), 1.0)

    def residual(p):
        peak = p[0] * gaussian_counts(energies, energy + p[1], p[2], step_ev=step)
        return (y - others - continuum * (p[3] + p[4] * x) - peak) * weight

    start = np.array([area, 0.0, width, 1.0, 0.0])
    lower = [0.0, -width / 2, width / 3, 0.0, -np.inf]
    upper = [np.inf, width / 2, 3 * width, np.inf, np.inf]
    solution = least_squares(residual, start, bounds=(lower, upper), x_scale="jac")
    if not solution.success or np.any(np.isclose(solution.x[2], [lower[2], upper[2]])):
        return None
    return solution.x, solution.fun, solution.jac


def _combine(names, values, sigmas) -> Resolution:
    """Inverse-variance mean of the lines' values and the prior, its 1σ widened by the lines'
    Birge ratio."""
    weights = 1.0 / sigmas**2
    prior = 1.0 / PRIOR_SIGMA_EV**2
    total = float(weights.sum()) + prior
    mean = float((np.sum(weights * values) + prior * PRIOR_EV) / total)
    sigma = float(1.0 / np.sqrt(total))
    if values.size > 1:
        lines_mean = float(np.sum(weights * values) / weights.sum())
        chi2 = float(np.sum(weights * (values - lines_mean) ** 2))
        sigma *= max(1.0, np.sqrt(chi2 / (values.size - 1)))
    return Resolution(
        mean,
        sigma,
        tuple(names),
        tuple(float(v) for v in values),
        tuple(float(s) for s in sigmas),
    )


def describe(resolution: Resolution) -> str:
    """The lines a resolution was measured on, in words."""
    return ", ".join(pretty(n) for n in resolution.lines)
