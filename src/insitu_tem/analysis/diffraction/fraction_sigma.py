"""1σ of NMF phase fractions: refit noise on the fixed components plus component ambiguity.

Statistical part: each profile's weights w are the least-squares fit of the
profile x on the components H (what the NMF converges to with H held), so
their covariance is the sandwich (H Hᵀ)⁻¹ H V Hᵀ (H Hᵀ)⁻¹ with V the
diagonal per-bin noise variance. The noise is Poisson-like, its variance
proportional to the fitted profile times a factor along the bins (the pixels
per ring of an azimuthal mean, the gain) pooled from every profile's squared
residuals over its fitted values, and scaled to each profile's own residual
(corrected for the k fitted parameters). The end members are measured profiles; their noise
enters every fit through the same residual, so it is inside this term. Fractions
f = w / Σw get the covariance J C Jᵀ with J = (I − f 1ᵀ) / Σw.

Systematic part (component ambiguity): the free components of an NMF are
not unique; the factorisation is repeated from other random starts and the
standard deviation of each fraction over the starts is added in quadrature.
With fixed components only, this term is zero.

References
----------
.. [1] C. L. Lawson and R. J. Hanson, *Solving Least Squares Problems*,
   SIAM (1995), ch. 7 (covariance of a least-squares solution).
.. [2] D. Donoho and V. Stodden, "When does non-negative matrix factorization
   give a correct decomposition into parts?", NIPS 16 (2003) (non-uniqueness).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from insitu_tem.analysis.diffraction.decomposition import NmfResult, nmf_runs


@dataclass(frozen=True)
class FractionSigma:
    """1σ of every NMF fraction.

    Attributes
    ----------
    statistical : numpy.ndarray
        (n, k) noise of the refit on the components.
    systematic : numpy.ndarray
        (n, k) spread over NMF restarts (free components' ambiguity).
    total : numpy.ndarray
        (n, k) both in quadrature.
    """

    statistical: np.ndarray
    systematic: np.ndarray
    total: np.ndarray


def _bin_variance(residual: np.ndarray, fitted: np.ndarray, n_params: int) -> np.ndarray:
    """(n, m) noise variance per profile and bin from the residuals."""
    n, m = residual.shape
    dof = max(m - n_params, 1) / m
    level = np.maximum(fitted, 1e-3 * max(float(fitted.max()), 1e-300))
    shape = np.mean(residual**2 / level, axis=0)
    shape = np.maximum(shape, 1e-3 * max(float(shape.mean()), 1e-300))
    model = level * shape[None, :]
    scale = np.sum(residual**2, axis=1) / dof / np.maximum(np.sum(model, axis=1), 1e-300)
    return scale[:, None] * model


def statistical_sigma(result: NmfResult) -> np.ndarray:
    """(n, k) 1σ of the fractions from the noise of each profile's refit (module docstring)."""
    h, w = result.components, result.weights
    bread = np.linalg.pinv(h @ h.T)
    variance = _bin_variance(result.residual, w @ h, h.shape[0])
    weights_cov = np.einsum("ab,bm,nm,cm,dc->nad", bread, h, variance, h, bread)
    total = np.maximum(w.sum(axis=1), 1e-300)
    fractions = result.fractions
    jacobian = (np.eye(h.shape[0])[None] - fractions[:, :, None]) / total[:, None, None]
    cov = np.einsum("nab,nbc,ndc->nad", jacobian, weights_cov, jacobian)
    return np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))


def _matched(reference: NmfResult, other: NmfResult) -> np.ndarray:
    """``other``'s fractions with its free components reordered to match ``reference``'s."""
    n_fixed = sum(reference.fixed)
    a, b = reference.components[n_fixed:], other.components[n_fixed:]
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    _, order = linear_sum_assignment(-(a @ b.T))
    columns = list(range(n_fixed)) + [n_fixed + i for i in order]
    return other.fractions[:, columns]


def fraction_sigma(
    profiles, result: NmfResult, *, restarts: int = 3, max_iter: int = 2000, restarted=None
) -> FractionSigma:
    """1σ of ``result.fractions`` (see module docstring).

    Parameters
    ----------
    profiles : array_like
        (n, m) the profiles ``result`` factorised.
    result : NmfResult
        The factorisation (its fixed components are reused by the restarts).
    restarts : int
        NMF repeats from other random starts (seeds 1 to ``restarts``) for the ambiguity term
        (only when there are free components).
    max_iter : int
        Most updates per restart.
    restarted : sequence of NmfResult, optional
        The restarts already run (with ``result``, by
        :func:`~insitu_tem.analysis.diffraction.decomposition.nmf_runs`); ``restarts`` and
        ``max_iter`` are then unused.
    """
    statistical = statistical_sigma(result)
    n_fixed = sum(result.fixed)
    systematic = np.zeros_like(statistical)
    if restarted is None and n_fixed < len(result.fixed) and restarts > 0:
        restarted = nmf_runs(
            profiles,
            seeds=range(1, restarts + 1),
            n_components=len(result.fixed),
            fixed_components=result.components[:n_fixed] if n_fixed else None,
            max_iter=max_iter,
        )
    if restarted and n_fixed < len(result.fixed):
        runs = [result.fractions] + [_matched(result, other) for other in restarted]
        systematic = np.std(np.stack(runs), axis=0, ddof=1)
    return FractionSigma(statistical, systematic, np.hypot(statistical, systematic))
