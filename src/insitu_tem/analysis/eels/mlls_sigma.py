"""The 1σ of MLLS fractions (:mod:`.mlls`): the fit's counting noise and the background model.

Statistical: the weights β of y ≈ Xβ (X the references in the fit window and the constant) are
linear in the counts, so their covariance is the sandwich

    Cov β = s² (XᵀX)⁻¹ Xᵀ diag(u) X (XᵀX)⁻¹,   u_c = max(y_c, 0) the recorded counts,

with the scale s² = LRV(r) / mean(u) of the residuals r: their long-run variance (the
autocovariances summed to lag L = ⌈4 (n/100)^(2/9)⌉, Newey–West's lag with the truncated
kernel: a detector blur's correlation dies within L channels, where Bartlett's weights would
undercount it by a quarter), which takes in the gain, that correlation and the references' own
noise (it is in the residuals, r = y − Σ w_k R̂_k). The fraction f_j = w_j / Σ w then has
gradient (δ_ij − f_j) / Σ w (delta method).
The covariance is that of the unconstrained least squares: at a fraction of 0 or 1 (a weight on
the non-negativity bound) it is a one-sided bound's scale, not a symmetric interval.

References' noise: noisy references also bias the weights (errors in variables: their noise
adds D = diag(Σ_c var R_k,c) to XᵀX, shrinking the weights along the references' differences;
Fuller 1987, §2.2). When the references are means of m recordings of counts like the data's,
var R_k,c = s̄² max(R_k,c, 0) / m (s̄² the median scale) and the fit is repeated with the
corrected normal equations (XᵀX − D) β = Xᵀy. The truth lies between the two fits (the
correction is first order, and D is itself estimated), and the term is half the change of the
fractions, as for other bounds between none and a correction (:mod:`.thickness_sigma`). Where
XᵀX − D is not positive definite the references' noise is as large as their differences and
the fractions are not measured.

Background model: the fit of the recorded counts (the references' backgrounds in their own
shape, a free constant) and the fit after subtracting from spectra and references a background
model fitted in the pre-edge window are both defensible; half the difference of their fractions
is the model's 1σ. For a linear mixture of phases the recorded-counts fit is the exact model (a
power law extrapolated from a mixture is not the mixture of the power laws); where a thickness
change alters the background's shape along a scan, neither is.

References
----------
W. K. Newey and K. D. West, *Rev. Econ. Stud.* 61, 631 (1994) (lag choice); R. F. Egerton,
*Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed. (Springer, 2011), §4.5.2
(MLLS fitting); P. Leapman and C. Swyt, *Ultramicroscopy* 26, 393 (1988); W. A. Fuller,
*Measurement Error Models* (Wiley, 1987); H. White and I. Domowitz, *Econometrica* 52, 143 (1984)
(truncated kernel).
"""

from __future__ import annotations

import numpy as np


def long_run_variance(residuals: np.ndarray) -> np.ndarray:
    """Long-run variance of every row's residuals (autocovariances to Newey–West's lag, truncated
    kernel), counts²."""
    r = np.asarray(residuals, float)
    n = r.shape[-1]
    lags = int(np.ceil(4.0 * (n / 100.0) ** (2.0 / 9.0)))
    total = np.mean(r * r, axis=-1)
    for lag in range(1, min(lags, n - 1) + 1):
        total = total + 2.0 * np.sum(r[:, lag:] * r[:, :-lag], axis=-1) / n
    return np.clip(total, 0.0, None)


def weight_covariance(design: np.ndarray, counts: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """Sandwich covariance of the least-squares weights of every row (module docstring).

    Parameters
    ----------
    design : ndarray, shape (n_window, p)
        References (and constant) in the fit window.
    counts : ndarray, shape (n_spectra, n_window)
        Recorded counts in the window (the Poisson shape u).
    residuals : ndarray, shape (n_spectra, n_window)
        Data minus the fitted model.

    Returns
    -------
    ndarray, shape (n_spectra, p, p)
    """
    bread = np.linalg.pinv(design.T @ design)
    u = np.clip(counts, 0.0, None)
    meat = np.einsum("nc,ci,cj->nij", u, design, design)
    return noise_scale(counts, residuals)[:, None, None] * (bread @ meat @ bread)


def noise_scale(counts: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """s² of every row: the residuals' long-run variance per recorded count (NaN without
    counts)."""
    level = np.clip(counts, 0.0, None).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(level > 0, long_run_variance(residuals) / level, np.nan)


def reference_noise(design, data, variance, counts, residuals, fractions) -> tuple:
    """The references' noise term of every fraction and "" or, where the corrected normal
    equations are not positive definite, NaN and why (module docstring).

    ``variance`` is the references' channel variance in counts per unit s² (max(R, 0) / m);
    ``counts``, ``residuals`` and ``fractions`` those of the fit of ``data`` with ``design``.
    """
    scale = np.nanmedian(noise_scale(counts, residuals))
    corrected = corrected_weights(design, data, scale * variance)
    if corrected is None:
        reason = (
            "the references' own noise is as large as their differences (the corrected normal "
            "equations are not positive definite): fractions not measured"
        )
        return np.full_like(fractions, np.nan), reason
    weights = corrected[:, : len(variance)]
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shifted = np.where(total > 0, weights / np.where(total > 0, total, 1.0), np.nan)
    return 0.5 * np.abs(shifted - fractions), ""


def corrected_weights(
    design: np.ndarray, data: np.ndarray, reference_variance: np.ndarray
) -> np.ndarray | None:
    """Weights of every row from (XᵀX − D) β = Xᵀy, D the references' summed channel variances on
    the first diagonal entries (module docstring); None where XᵀX − D is not positive
    definite."""
    gram = design.T @ design
    k = len(reference_variance)
    corrected = gram.copy()
    corrected[np.arange(k), np.arange(k)] -= reference_variance.sum(axis=1)
    if np.linalg.eigvalsh(corrected).min() <= 1e-12 * np.trace(gram):
        return None
    return np.linalg.solve(corrected, design.T @ data.T).T


def fraction_sigma(weights: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """1σ of every fraction w_j / Σ w from the weights' covariance (first k rows/columns), NaN
    where Σ w ≤ 0."""
    k = weights.shape[1]
    total = weights.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    fractions = weights / safe[:, None]
    gradient = (np.eye(k)[None, :, :] - fractions[:, :, None]) / safe[:, None, None]
    cov = covariance[:, :k, :k]
    variance = np.einsum("nji,nil,njl->nj", gradient, cov, gradient)
    return np.where(total[:, None] > 0, np.sqrt(np.clip(variance, 0.0, None)), np.nan)
