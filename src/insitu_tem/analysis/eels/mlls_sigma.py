"""The 1σ of MLLS fractions (:mod:`.mlls`): the fit's counting noise, the references' noise and
the background model, and whether noisy references separate the phases at all.

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

References' noise: noisy references bias the weights (errors in variables: their noise adds
D = diag(Σ_c var R_k,c) to XᵀX on average, shrinking the weights along the references'
differences; Fuller 1987, §1.2, §2.2). When the references are means of m recordings of counts
like the data's, var R_k,c = s₀² max(R_k,c, 0) / m, with s₀² the median over the spectra of the
residuals' channel variance per expected count, Σ_c r_c² / Σ_c (u_c + Σ_k w_k² max(R_k,c, 0) / m)
(lag 0: D is a sum of channel variances, which a detector blur lowers, not their long-run
variance; the references' own share of the residuals taken out). The reported weights are
those of the fit; their bias is E[β̂] − β = −(XᵀX)⁻¹ D β to first order, with XᵀX the
observed (noisy) Gram matrix (its expectation is the noise-free one plus D), and the term is
the whole change of the fractions when this bias is added back. (Solving (XᵀX − D) β = Xᵀy
instead divides by the noise-free Gram's estimate, which diverges where the references barely
separate.)

Whether the references separate the phases: XᵀX − D estimates the noise-free Gram matrix S;
the references' noise is as large as their differences where some direction v of the weights
(the constant, noise-free, projected out) has vᵀSv ≤ vᵀDv, i.e. where the smallest generalized
eigenvalue μ of (S, D) is ≤ 1. The noise energy vᵀÊᵀÊv that D stands for fluctuates itself:
relative variance 2 Σ_l ρ_l² / n_eff, and the cross term 2 vᵀX₀ᵀÊv at μ = 1 adds
4 Σ_l ρ_l / n_eff (n_eff = (Σ_c a_c)² / Σ_c a_c², a_c = Σ_k v_k² var R_k,c; ρ_l the residuals'
autocorrelations to lag L). The fractions are measured where μ − 1 exceeds that 1σ; elsewhere
they are not (NaN, ok False with the reason).

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


def autocovariances(residuals: np.ndarray) -> np.ndarray:
    """Autocovariances of every row's residuals at lags 0 … L, L = ⌈4 (n/100)^(2/9)⌉ (Newey–West's
    lag), shape (n_rows, L + 1), counts²."""
    r = np.asarray(residuals, float)
    n = r.shape[-1]
    lags = min(int(np.ceil(4.0 * (n / 100.0) ** (2.0 / 9.0))), n - 1)
    return np.stack(
        [np.mean(r * r, axis=-1)]
        + [np.sum(r[:, lag:] * r[:, :-lag], axis=-1) / n for lag in range(1, lags + 1)],
        axis=-1,
    )


def long_run_variance(residuals: np.ndarray) -> np.ndarray:
    """Long-run variance of every row's residuals (autocovariances to Newey–West's lag, truncated
    kernel), counts²."""
    gamma = autocovariances(residuals)
    return np.clip(gamma[:, 0] + 2.0 * gamma[:, 1:].sum(axis=-1), 0.0, None)


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
    unit = np.linalg.norm(design, axis=0)
    unit = np.where(unit > 0, unit, 1.0)
    bread = np.linalg.pinv((design / unit).T @ (design / unit)) / np.outer(unit, unit)
    u = np.clip(counts, 0.0, None)
    meat = np.einsum("nc,ci,cj->nij", u, design, design)
    return noise_scale(counts, residuals)[:, None, None] * (bread @ meat @ bread)


def noise_scale(counts: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """s² of every row: the residuals' long-run variance per recorded count (NaN without
    counts)."""
    level = np.clip(counts, 0.0, None).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(level > 0, long_run_variance(residuals) / level, np.nan)


def channel_scale(counts, residuals, weights, variance) -> np.ndarray:
    """s₀² of every row: the residuals' channel variance (lag 0, what a detector blur lowers)
    per recorded count, the references' share of it taken out (module docstring).

    ``weights`` (n_spectra, k) are the references' weights, ``variance`` (k, n_window) their
    channel variance per unit s² (max(R, 0) / m).
    """
    expected = np.clip(counts, 0.0, None) + (np.asarray(weights, float) ** 2) @ variance
    level = expected.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(level > 0, np.mean(residuals**2, axis=1) / level, np.nan)


def reference_noise(design, coefficients, variance, counts, residuals, fractions) -> tuple:
    """The references' noise term of every fraction and "" or, where the references' noise is as
    large as their differences, NaN and why (module docstring).

    ``coefficients`` (n_spectra, p) are the fitted weights (references first, then the
    constant), ``variance`` (k, n_window) the references' channel variance per unit s²
    (max(R, 0) / m); ``counts``, ``residuals`` and ``fractions`` those of the fit.
    """
    k = len(variance)
    scale = np.nanmedian(channel_scale(counts, residuals, coefficients[:, :k], variance))
    gram = design.T @ design
    if not separable(gram, scale * variance, residuals):
        reason = (
            "the references' own noise is as large as their differences (not exceeded beyond its "
            "1σ in every direction): fractions not measured"
        )
        return np.full_like(fractions, np.nan), reason
    noise = np.zeros(design.shape[1])
    noise[:k] = scale * variance.sum(axis=1)
    weights = (coefficients + np.linalg.solve(gram, noise[:, None] * coefficients.T).T)[:, :k]
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shifted = np.where(total > 0, weights / np.where(total > 0, total, 1.0), np.nan)
    return np.abs(shifted - fractions), ""


def separable(gram: np.ndarray, variance: np.ndarray, residuals: np.ndarray) -> bool:
    """Whether the references' noise-free differences exceed their noise in every direction,
    beyond the 1σ fluctuation of that noise (module docstring).

    ``gram`` is XᵀX of the design (references first, then noise-free columns), ``variance``
    (k, n_window) the references' channel variances, ``residuals`` the fit's (their channel
    correlation).
    """
    k = len(variance)
    noise = variance.sum(axis=1)
    if np.any(noise <= 0):
        return True
    reduced = gram[:k, :k]
    if gram.shape[0] > k:
        reduced = reduced - gram[:k, k:] @ np.linalg.solve(gram[k:, k:], gram[k:, :k])
    unit = 1.0 / np.sqrt(noise)
    ratio, vectors = np.linalg.eigh((reduced - np.diag(noise)) * np.outer(unit, unit))
    direction = vectors[:, 0] * unit
    energy = (direction[:, None] ** 2 * variance).sum(axis=0)
    channels = energy.sum() ** 2 / np.sum(energy**2)
    gamma = np.nanmean(autocovariances(residuals), axis=0)
    rho = np.concatenate([gamma[:0:-1], gamma]) / gamma[0]
    spread = np.sqrt((2.0 * np.sum(rho**2) + 4.0 * max(np.sum(rho), 0.0)) / channels)
    return bool(ratio[0] - 1.0 > spread)


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
