"""An M family's line weights, fitted when the data demand it.

exspy's database gives every M family one set of relative weights (Mβ 0.594, Mγ 0.085, Mζ
0.013 of Mα for W, Os, Ir, Pt alike): a generic table, not each element's. A heavy element's
M family that stands far above the continuum (the Pt of a FIB section's cap) then leaves
residuals of tens of σ beside Mα, which the continuum's smooth correction rises to meet, and a
continuum above the counts takes its excess from the lines around (Mg, Al, Si Kα).

Each secondary line ``j`` of an M family in the model gets a column of its own beside the
family's profile, its coefficient ``d_j`` the counts the line holds beyond its database weight
``w_j`` per count of the main line, ``a``: the line holds ``(a + d_j) w_j``. It is bounded so
that the line holds between none and its main line's counts, ``−a ≤ d_j ≤ a (1/w_j − 1)`` (a
secondary M line is never stronger than Mα: fewer electrons in the M4 and M3 subshells than in
M5). The lines are freed only when a score test asks for it [1]_: the Δχ² the columns would
take (the partial regression of :func:`~insitu_tem.analysis.eds.fit.score` on the residual of
the fit with the database's weights), divided by that fit's χ²/dof (never below 1), above the
χ² quantile of :data:`LEVEL` with as many degrees of freedom as lines freed. The freed columns
are fitted with the families, so their uncertainty reaches the family's counts through the
covariance. The identification frees them in the fit that measures the counts and the continuum
(:mod:`.identify`); the selection and the decisions keep the database's weights (freed there,
the bounded solves cost 2.5× the CPU and borderline Na and Al Kα of the real tilt series moved
across the threshold: docs/eds.md, Session 38).

References
----------
.. [1] C. R. Rao, Large sample tests of statistical hypotheses concerning several parameters,
   Math. Proc. Cambridge Philos. Soc. 44, 50 (1948); P. R. Bevington and D. K. Robinson, *Data
   Reduction and Error Analysis for the Physical Sciences*, 3rd ed., McGraw-Hill (2003), ch. 11.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2 as chi2_distribution

LEVEL = 1e-3
FREED_SHELL = 2


def secondary_lines(problem, columns) -> np.ndarray:
    """Indices (into ``problem.lines``) of the secondary lines of the M families ``columns``:
    every line of the family but its first (the main line), none that lies outside the fitted
    range."""
    found = []
    for column in columns:
        if problem.shells[column] != FREED_SHELL:
            continue
        own = np.flatnonzero(problem.owners == column)
        found.extend(j for j in own[1:] if np.any(problem.lines[:, j] > 0))
    return np.asarray(found, dtype=int)


def bounds(problem, columns, counts, freed) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the freed lines' coefficients (module docstring), from the
    main lines' ``counts`` of the families ``columns``."""
    position = {c: i for i, c in enumerate(columns)}
    main = np.asarray(counts, float)[[position[problem.owners[j]] for j in freed]]
    main = np.clip(main, 1e-6, None)
    weights = np.array([_weight(problem, j) for j in freed])
    return -main, main * (1.0 / weights - 1.0)


def _weight(problem, line: int) -> float:
    """A line's weight relative to its family's main line (the ratio of their columns' sums)."""
    main = np.flatnonzero(problem.owners == problem.owners[line])[0]
    return float(np.sum(problem.lines[:, line]) / max(np.sum(problem.lines[:, main]), 1e-300))


def demanded(problem, design, residual, variance, chi2, candidates) -> np.ndarray:
    """The lines of ``candidates`` (indices into ``problem.lines``) whose family's score test
    passes (module docstring), for a fit of weighted ``design`` columns with ``residual`` and
    ``variance`` per channel and ``chi2``."""
    if candidates.size == 0:
        return candidates
    root = 1.0 / np.sqrt(variance)
    inside = design * root[:, None]
    normal = np.linalg.pinv(inside.T @ inside, rcond=1e-12, hermitian=True)
    scale = max(chi2 / max(residual.size - design.shape[1], 1), 1.0)
    weighted = residual * root
    kept = []
    for owner in np.unique(problem.owners[candidates]):
        lines = candidates[problem.owners[candidates] == owner]
        added = problem.lines[:, lines] * root[:, None]
        orthogonal = added - inside @ (normal @ (inside.T @ added))
        projection = orthogonal.T @ weighted
        information = np.linalg.pinv(orthogonal.T @ orthogonal, rcond=1e-10, hermitian=True)
        statistic = float(projection @ information @ projection) / scale
        if statistic > chi2_distribution.isf(LEVEL, lines.size):
            kept.extend(lines)
    return np.asarray(kept, dtype=int)
