"""Weighted linear fits of X-ray line families on an EDS spectrum.

Model of the counts ``y`` per channel over the fitted range::

    y ≈ c(E) · (1 + Σ_k b_k B_k(E)) + Σ_F a_F p_F(E) + Σ_j d_j ℓ_j(E) + s_e e(E) + s_p u(E)

``c`` the SNIP continuum (:mod:`.continuum`), ``B_k`` cubic B-splines with knots
:data:`.problem.KNOT_FWHM` detector FWHM apart (a smooth correction of the clipped continuum, much
broader than any line, so that the continuum's error and its uncertainty are fitted with the
lines, not assumed away; ``|b_k| ≤`` :data:`CONTINUUM_BOUND`, so the continuum stays near the
clipped one and cannot trade a hole or a hump against lines), ``p_F`` the family profiles
(:func:`~insitu_tem.analysis.eds.families.line_profiles` summed, one count in the main line)
and ``a_F ≥ 0`` the main line's net counts; ``ℓ_j`` the secondary lines of M families whose
database weights the data reject, ``d_j`` their counts beyond those weights (only when asked:
:mod:`.line_weights`); ``e`` the Si escape peaks and ``u`` the pile-up
of the families' lines (:mod:`.dependents`, built from the previous iteration's counts, scales
``0 ≤ s_e ≤`` :data:`~insitu_tem.analysis.eds.dependents.ESCAPE_BOUND`, ``0 ≤ s_p ≤``
:data:`~insitu_tem.analysis.eds.dependents.PILE_UP_BOUND`).

Weights ``1 / v`` with ``v = max(model, 1) + (δ · lines)²``: Poisson counts of the model, and a
relative error δ of the line profiles themselves (peak shapes with tails, line ratios of the
database), measured on the data — the excess of the squared residuals over the Poisson variance
where the lines stand above the continuum, relative to the lines' squared counts (δ = 0 when the
profiles fit to the noise), on the fit with Poisson weights alone: measured on a fit that
already down-weights the lines by δ, a misfit would grow δ without bound (a wrong family's
profile taken for a strong line would then hide every line). The covariance is
``(Xᵀ W X)⁻¹`` [1]_.

The line ratios and shapes of the database are only as good as δ: each line of a family in the
model may hold δ more or fewer counts than its family says, coherently over its channels, so
the counts of another element's family that overlaps it get the variance ``δ² Σ_ℓ (n_ℓ ·
∂a/∂n_ℓ)²`` (``n_ℓ`` the line's counts, ``∂a/∂n_ℓ`` how much of one more count in that line the
family would take): a line that only stands for the error of a strong neighbour's ratio is not
taken for another element.

The continuum's local error ``Δc`` (:mod:`.continuum`) is taken as coherent over a family's
lines: its counts get the variance ``(Σ_ch ∂a/∂y_ch · Δc_ch)²``. On the rising side of the
detector's roll-off, the continuum's error ``r`` there (its change across one FWHM) is taken as
a continuum misplaced in the shape of the family's profile ``p``: the variance ``(pᵀr / pᵀp)²``.

A family not in the model is scored without refitting: its profile, less its projection on the
model's columns, against the residual, gives the counts it would get and their 1σ (the partial
regression of [1]_, ch. 7).

References
----------
.. [1] P. R. Bevington and D. K. Robinson, *Data Reduction and Error Analysis for the Physical
   Sciences*, 3rd ed., McGraw-Hill (2003), ch. 6–7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear

from scipy.ndimage import uniform_filter1d

from insitu_tem.analysis.eds import line_weights
from insitu_tem.analysis.eds.dependents import ESCAPE_BOUND, PILE_UP_BOUND, pile_up
from insitu_tem.analysis.eds.problem import Problem

ACROSS_FAMILY_RATIO = 0.5
CONTINUUM_BOUND = (-0.5, 1.0)


@dataclass(frozen=True)
class FamilyFit:
    """Fitted net counts of some line families.

    Attributes
    ----------
    columns : tuple of int
        Which profiles (columns of :class:`Problem.profiles`) are in the model.
    counts : ndarray
        (n,) net counts of each family's main line.
    covariance : ndarray
        (n, n) covariance of ``counts``, counts².
    fitted : ndarray
        (fitted channels,) model counts per channel.
    continuum : ndarray
        (fitted channels,) the model's continuum, counts per channel.
    variance : ndarray
        (fitted channels,) variance used in the weights, counts².
    chi2 : float
        Σ (y − model)² / v.
    delta : float
        Relative error of the line profiles measured on the data.
    dependents : ndarray
        (fitted channels, 0 or 2) the escape-peak and pile-up columns of the model
        (:mod:`.dependents`), each for a scale of 1.
    dependent_scales : ndarray
        (0 or 2,) their fitted scales: the escape peaks relative to Reed and Ware's fraction,
        the pile-up's counts per count of the lines.
    freed : ndarray
        (fitted channels, j) the columns of the M families' lines whose weights the fit frees
        (:mod:`.line_weights`; none when the data do not demand it).
    """

    columns: tuple[int, ...]
    counts: np.ndarray
    covariance: np.ndarray
    fitted: np.ndarray
    continuum: np.ndarray
    variance: np.ndarray
    chi2: float
    delta: float
    dependents: np.ndarray
    dependent_scales: np.ndarray
    freed: np.ndarray

    @property
    def sigmas(self) -> np.ndarray:
        """1σ of :attr:`counts`, counts."""
        return np.sqrt(np.clip(np.diag(self.covariance), 0, None))


def _solve(design, target, variance, lower, upper):
    """Weighted least squares within the bounds ``lower``, ``upper`` of each column (bounded
    least squares on the normal equations' square root); the covariance of the unconstrained
    problem at the solution. Columns are scaled to unit norm (an empty one, e.g. no escape peak,
    to 1e-10 of the largest norm) and eigenvalues below 1e-10 of the largest raised to it, so
    columns the data cannot tell apart get a huge variance, not a small one."""
    root = 1.0 / np.sqrt(variance)
    weighted = design * root[:, None]
    normal = weighted.T @ weighted
    diagonal = np.diag(normal)
    scale = np.sqrt(np.clip(diagonal, 1e-20 * max(float(diagonal.max()), 1e-300), None))
    values, vectors = np.linalg.eigh(normal / np.outer(scale, scale))
    values = np.maximum(values, 1e-10 * max(float(values.max()), 1e-300))
    covariance = ((vectors / values) @ vectors.T) / np.outer(scale, scale)
    right = weighted.T @ (target * root)
    free = covariance @ right
    if np.all(free >= lower) and np.all(free <= upper):
        return free, covariance
    square_root = (np.sqrt(values)[:, None] * vectors.T) * scale[None, :]
    reduced = (vectors.T @ (right / scale)) / np.sqrt(values)
    solution = lsq_linear(square_root, reduced, bounds=(lower, upper), method="bvls")
    return solution.x, covariance


def _design(problem: Problem, profiles, dependents, freed, ceilings, freed_bounds):
    """Design matrix (continuum correction, dependents, freed lines, families) and its columns'
    bounds, the families' counts at most ``ceilings``."""
    design = np.concatenate([problem.splines, dependents, freed, profiles], axis=1)
    k, d, n = problem.splines.shape[1], dependents.shape[1], profiles.shape[1]
    lower = np.r_[np.full(k, CONTINUUM_BOUND[0]), np.zeros(d), freed_bounds[0], np.zeros(n)]
    upper = np.r_[np.full(k, CONTINUUM_BOUND[1]), np.full(d, ESCAPE_BOUND), freed_bounds[1]]
    upper = np.r_[upper, ceilings]
    if d == 2:
        upper[k + 1] = PILE_UP_BOUND
    return design, lower, upper


def _dependents(problem: Problem, columns, counts, freed, deviations) -> np.ndarray:
    """(fitted channels, 2) the escape peaks and the pile-up of the families ``columns`` with
    main-line ``counts`` and their ``freed`` lines' ``deviations`` (:mod:`.dependents`,
    :mod:`.line_weights`); none when there is no line."""
    inside = np.isin(problem.owners, list(columns))
    if not np.any(inside) or not np.any(np.asarray(counts) > 0):
        return np.zeros((problem.counts.size, 0))
    position = {c: i for i, c in enumerate(columns)}
    every = np.zeros(problem.owners.size)
    every[inside] = np.asarray(counts)[[position[o] for o in problem.owners[inside]]]
    every[freed] += deviations
    amounts = every[inside]
    lines = problem.lines[:, inside] @ amounts
    return np.stack(
        [problem.escapes[:, inside] @ amounts, pile_up(lines, problem.energies_ev)], axis=1
    )


def fit(
    problem: Problem,
    columns: tuple[int, ...],
    *,
    delta: float | None = None,
    free_lines: bool = False,
) -> FamilyFit:
    """Fit the families ``columns`` (module docstring); δ measured on the data unless given;
    with ``free_lines``, the M families' line weights freed where the data demand it
    (:mod:`.line_weights`)."""
    y, c = problem.counts, problem.continuum
    profiles = problem.profiles[:, list(columns)]
    dependents = np.zeros((y.size, 0))
    variance = np.clip(uniform_filter1d(y, 5), 1.0, None)
    ceilings = np.full(len(columns), np.inf)
    freed, counts = np.zeros(0, int), np.zeros(len(columns))
    for iteration in range(3):
        bounds = line_weights.bounds(problem, columns, counts, freed)
        design, lower, upper = _design(
            problem, profiles, dependents, problem.lines[:, freed], ceilings, bounds
        )
        coefficients, covariance = _solve(design, y - c, variance, lower, upper)
        fitted = c + design @ coefficients
        start = design.shape[1] - profiles.shape[1]
        counts, used = coefficients[start:], freed
        deviations = coefficients[start - used.size : start]
        if iteration == 1 and free_lines:
            chi2 = float(np.sum((y - fitted) ** 2 / variance))
            candidates = line_weights.secondary_lines(problem, columns)
            freed = line_weights.demanded(problem, design, y - fitted, variance, chi2, candidates)
        variance = np.clip(fitted, 1.0, None)
        dependents = _dependents(problem, columns, counts, used, deviations)
        ceilings = _ceilings(problem, columns, counts)
    start = design.shape[1] - profiles.shape[1] - freed.size
    lines = design[:, start:] @ coefficients[start:]
    measured = _profile_error(y, fitted, lines) if delta is None else delta
    variance = variance + (measured * lines) ** 2
    bounds = line_weights.bounds(problem, columns, counts, freed)
    design, lower, upper = _design(
        problem, profiles, dependents, problem.lines[:, freed], ceilings, bounds
    )
    coefficients, covariance = _solve(design, y - c, variance, lower, upper)
    fitted = c + design @ coefficients
    k = problem.splines.shape[1] + dependents.shape[1] + freed.size
    residual = (y - fitted) ** 2 / variance
    root = 1.0 / np.sqrt(variance)
    response = covariance[k:] @ (design * root[:, None]).T
    systematic = (
        _line_ratio_variance(
            problem, columns, coefficients[k:], response * root[None, :], list(columns), measured
        )
        + ((response * root[None, :]) @ problem.continuum_error) ** 2
        + _roll_off_variance(problem, list(columns))
    )
    return FamilyFit(
        tuple(columns),
        coefficients[k:],
        covariance[k:, k:] + np.diag(systematic),
        fitted,
        c + problem.splines @ coefficients[: problem.splines.shape[1]],
        variance,
        float(residual.sum()),
        measured,
        dependents,
        coefficients[problem.splines.shape[1] : k - freed.size],
        problem.lines[:, freed],
    )


def _ceilings(problem: Problem, columns, counts) -> np.ndarray:
    """The most counts each family of ``columns`` may hold: an L family at most its element's K
    family's ``counts`` / :data:`ACROSS_FAMILY_RATIO`, an M family its L (or K) family's — in a
    thin specimen at TEM voltages an element's K lines outshine its L lines, and its L lines
    its M lines (:mod:`.decide`) — so that a family fitted beside its element's stronger one
    (:mod:`.selection`) cannot take another element's peak; no bound without such a family."""
    columns = list(columns)
    elements, shells = problem.elements[columns], problem.shells[columns]
    ceilings = np.full(len(columns), np.inf)
    for i in range(len(columns)):
        below = (elements == elements[i]) & (shells < shells[i])
        if np.any(below):
            nearest = below & (shells == shells[below].max())
            ceilings[i] = max(float(np.max(counts[nearest])) / ACROSS_FAMILY_RATIO, 1e-6)
    return ceilings


def _line_ratio_variance(problem, columns, counts, response, targets, delta) -> np.ndarray:
    """Variance, counts², of the counts of families ``targets`` from a relative error ``delta``
    of each line of the other elements' families in the model (``columns`` with ``counts``):
    ``δ² Σ_ℓ (n_ℓ · ∂a/∂ℓ)²``, ``response`` (targets, channels) the counts each target gets
    per count added to a channel."""
    if delta <= 0 or not columns:
        return np.zeros(len(targets))
    position = {c: i for i, c in enumerate(columns)}
    inside = np.flatnonzero(np.isin(problem.owners, list(columns)))
    lines = problem.lines[:, inside] * counts[[position[o] for o in problem.owners[inside]]]
    effect = response @ lines
    same = problem.elements[targets][:, None] == problem.elements[problem.owners[inside]][None]
    return delta**2 * np.sum(np.where(same, 0.0, effect) ** 2, axis=1)


def _roll_off_variance(problem: Problem, targets) -> np.ndarray:
    """Variance, counts², of the counts of families ``targets`` from the roll-off's continuum
    error ``r``: the counts a continuum off by ``r`` in the shape of the family's profile ``p``
    would give it, ``(pᵀ r / pᵀ p)²``. Not through the fit's response, which the smooth
    continuum correction makes blind to a smooth error."""
    profiles = problem.profiles[:, list(targets)]
    norm = np.sum(profiles**2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(norm > 0, (profiles.T @ problem.roll_off) / norm, 0.0)
    return shift**2


def _profile_error(counts, fitted, lines) -> float:
    """δ: excess of the squared residuals over Poisson where the lines stand above the continuum
    (their counts above √model), relative to the lines' squared counts."""
    strong = lines > np.sqrt(np.clip(fitted, 1.0, None))
    if not np.any(strong):
        return 0.0
    excess = np.sum((counts[strong] - fitted[strong]) ** 2 - np.clip(fitted[strong], 1.0, None))
    return float(np.sqrt(max(excess, 0.0) / np.sum(lines[strong] ** 2)))


def score(problem: Problem, model: FamilyFit, candidates) -> tuple[np.ndarray, np.ndarray]:
    """Counts and 1σ each family of ``candidates`` (columns) would get if added alone to
    ``model`` (module docstring), with ``model``'s weights."""
    candidates = list(candidates)
    if not candidates:
        return np.zeros(0), np.zeros(0)
    root = 1.0 / np.sqrt(model.variance)
    inside = (
        np.concatenate(
            [
                problem.splines,
                model.dependents,
                model.freed,
                problem.profiles[:, list(model.columns)],
            ],
            axis=1,
        )
        * root[:, None]
    )
    added = problem.profiles[:, candidates] * root[:, None]
    normal = np.linalg.pinv(inside.T @ inside, rcond=1e-12, hermitian=True)
    orthogonal = added - inside @ (normal @ (inside.T @ added))
    information = np.sum(orthogonal**2, axis=0)
    residual = (problem.counts - model.fitted) * root
    with np.errstate(divide="ignore", invalid="ignore"):
        counts = np.where(information > 0, orthogonal.T @ residual / information, 0.0)
        sigmas = np.where(information > 0, 1.0 / np.sqrt(information), np.inf)
    response = (orthogonal / np.where(information > 0, information, np.inf)).T * root[None, :]
    systematic = (
        _line_ratio_variance(
            problem, list(model.columns), model.counts, response, candidates, model.delta
        )
        + (response @ problem.continuum_error) ** 2
        + _roll_off_variance(problem, candidates)
    )
    return counts, np.sqrt(sigmas**2 + systematic)
