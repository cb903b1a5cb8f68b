"""Checks of a kinetic fit: the variance scale of its weighted residuals (Birge ratio and serial
correlation) and whether the front moves at all (F test against a constant position).

References
----------
Birge, The calculation of errors by the method of least squares, *Phys. Rev.* 40, 207 (1932).
Bevington & Robinson, *Data Reduction and Error Analysis for the Physical Sciences*, 3rd ed.,
McGraw-Hill (2003), §11.4 (the F test for an additional term).
"""

from __future__ import annotations

import numpy as np

STATIC_P = 0.05


def static_reason(
    positions: np.ndarray, weights: np.ndarray, fit_chi2: float, dof: int, variance: float
) -> str:
    """Why the front does not move ("" when it does): the power law does not explain the
    positions significantly better than a constant (F test of the χ² drop per extra parameter
    against the fit's own variance scale, p ≥ ``STATIC_P``), so no exponent describes them.

    Parameters
    ----------
    positions, weights : numpy.ndarray
        Fitted positions and their weights (1/σ).
    fit_chi2 : float
        Weighted χ² of the power-law fit.
    dof : int
        Its degrees of freedom; ``len(positions) - dof - 1`` are the extra parameters.
    variance : float
        Variance of a weighted residual the fit's covariance assumes (reduced χ², or its floor
        1 for stated σ, × the serial-correlation factor).
    """
    from scipy.stats import f as f_distribution

    mean = np.average(positions, weights=weights**2)
    static_chi2 = float(np.sum((weights * (positions - mean)) ** 2))
    extra = positions.size - dof - 1
    if extra < 1:
        return ""
    drop = static_chi2 - fit_chi2
    if variance > 0:
        p_value = float(f_distribution.sf(drop / extra / variance, extra, dof))
    else:
        p_value = 0.0 if drop > 0 else 1.0
    if p_value < STATIC_P:
        return ""
    return (
        f"the front does not move significantly (a constant position explains the positions as "
        f"well: p = {p_value:.2g}), so it has no exponent"
    )


def residual_correlation(residuals: np.ndarray, *, max_lag: int = 3) -> float:
    """``1 + 2 Σ ρ_k`` over lags 1..``max_lag`` of residuals in time order (≥ 1): by how much
    serially correlated residuals (drift, frozen levels, roughness) reduce the number of
    independent points, so inflate the variance of the parameters."""
    r = np.asarray(residuals, dtype=float)
    variance = float(np.mean(r**2))
    if not variance > 0 or r.size <= max_lag + 2:
        return 1.0
    rho = [float(np.mean(r[k:] * r[:-k])) / variance for k in range(1, max_lag + 1)]
    return max(1.0 + 2.0 * float(np.sum(rho)), 1.0)


def variance_scale(residuals: np.ndarray, dof: int, absolute_sigma: bool) -> float:
    """Variance of a weighted residual: the reduced χ² (at least 1 when the weights are stated
    1/σ) × :func:`residual_correlation`."""
    reduced_chi2 = float(np.sum(residuals**2) / max(dof, 1))
    scale = max(reduced_chi2, 1.0) if absolute_sigma else reduced_chi2
    return scale * residual_correlation(residuals)
