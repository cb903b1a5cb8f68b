"""Whether a spectrum holds the reference's edge: a one-sided test of the edge term against the
smooth background alone, searched over the shift, with Davies' bound for that search.

At every trial shift s of the grid the edge term (the shifted reference) is one extra column
beside the smooth background (:mod:`.shift_fit`); its signed statistic is

    z(s) = sign(⟨e₀, t_s⟩) √(ΔRSS(s) ‖t⊥(s)‖² / Var⟨e₀, t⊥(s)⟩),

e₀ the weighted residuals of the smooth background alone, t_s the weighted edge term, ΔRSS(s)
the drop of the weighted residual sum it brings, t⊥(s) the edge term less its projection on
the background, and Var⟨e₀, t⊥(s)⟩ the noise's variance along it, estimated on the
recorded (unsmoothed) channels and carried through the fit's smoothing exactly
(:mod:`.edge_noise`; until session 28 it came from the smoothed residuals, which gave z a
spread of 1.23–1.36 on 0.05 eV channels). Without an edge z(s) is close to a t process of ν
degrees of freedom (those of the noise estimate, :func:`.edge_noise.edge_statistic`). Its
largest value M over the search is not one t variable: the reference's noise,
shifted across the search range, meets the spectrum's noise at several nearly independent
places. The F test of the best shift alone (until session 27) therefore detected edge-free
exact power laws at 4.8× its level (0.48 % at p < 10⁻³). The shift exists only under the
alternative (Davies 1977), so the p-value is Davies' (1987) bound on the tail of the supremum,
with the t process's upcrossing rate (Worsley 1994),

    p = P(t_ν > M) + V (1 + M²/ν)^(−(ν − 1)/2) / √(8π),   V = Σ_i |z(s_i) − z(s_(i−1))|,

V the total variation of z over the grid (Davies' estimate of the expected number of
upcrossings; R ``segmented::davies.test`` makes the same one-sided choice). One-sided: an edge
is a positive amplitude of the reference.

It does not tell an edge from a background that the power law × quadratic does not follow and
the reference's own shape follows better (docs/eels.md, *Edge detection*).

References
----------
R. B. Davies, "Hypothesis testing when a nuisance parameter is present only under the
alternative", Biometrika 64, 247 (1977); Biometrika 74, 33 (1987).
K. J. Worsley, "Local maxima and the expected Euler characteristic of excursion sets of χ², F
and t fields", Adv. Appl. Prob. 26, 13 (1994).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels.shift_fit import ShiftFit


def detection_p(fit: ShiftFit) -> np.ndarray:
    """Davies' p-value of the edge in every spectrum of ``fit`` (module docstring)."""
    return davies_p(fit.edge_z, fit.edge_dof)


def davies_p(z: np.ndarray, dof: np.ndarray) -> np.ndarray:
    """Davies' bound on P(sup z > M) for every row of ``z`` (n, grid), a t process of ``dof``
    (n,) degrees of freedom, M the z of largest size (negative where the best-fitting edge
    term is): at most 1."""
    from scipy.special import stdtr

    top = z[np.arange(len(z)), np.abs(z).argmax(axis=1)]
    dof = np.maximum(dof, 1.0)
    variation = np.abs(np.diff(z, axis=1)).sum(axis=1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        decay = np.exp(-0.5 * (dof - 1) * np.log1p(top**2 / dof))
        upcrossings = np.nan_to_num(variation * decay / np.sqrt(8 * np.pi))
    return np.minimum(stdtr(dof, -top) + upcrossings, 1.0)
