"""The edge term's statistic z(s) of :mod:`.edge_detection`, its noise taken from the recorded
channels and carried through the smoothing exactly.

The fit of :mod:`.shift_fit` runs on spectra smoothed with a Gaussian S of σ = 0.3 eV. With
e₀ the weighted residuals of the smooth background alone and t⊥ the weighted edge term less
its projection on that background, the edge's statistic is z = ⟨e₀, t⊥⟩ / √Var⟨e₀, t⊥⟩.
Until session 28 the variance was estimated from the smoothed residuals themselves (their
variance and Newey–West autocorrelation): on 0.05 eV channels the smoothing spreads over 6
channels, the fitted region holds only ~20 independent noise samples, and the background's
polynomial removes the low frequencies where the smoothed noise has its power — the residuals'
variance and correlation both came out too small, and z had a standard deviation of 1.23–1.36
instead of 1 (docs/eels.md, *Session 28*).

Here the noise is estimated where it is nearly white, on the recorded (unsmoothed) channels:
η = w·y, w the fit's weights, less its projection on the background and the edge term at the
best shift (orthonormal columns Q, p of them), gives residuals r. Their lag sums
Σ_i r_i r_(i+k) have the expectation Σ_m A_km c_m, c_m the noise's autocovariance and

    A_km = (n − k) δ_km − s_k (2 ⟨T_k Q, T_m Q⟩ − ⟨Qᵀ T_k Q, Qᵀ T_m Q⟩),

T_m the symmetric band of lag m (T_0 = I), s_0 = 1, s_k = 1/2: solving for c removes the bias
the fitted columns leave in the residuals' autocovariance. Lags run to twice the first at which
the scan's mean residual autocorrelation falls below 0.1 (2 for white noise; a detector's point
spread adds more), at most 32 and with p (2L + 1) ≤ 3n/4. The correlation c_k / c_0 is the
scan's mean (one detector), the variance c_0 each spectrum's own. The smoothing is the
analysis's own and known: ⟨e₀, t⊥⟩ = Σ_j η_j u_j with u = Sᵀ(w t⊥) / w over the region widened
by the kernel, so

    Var⟨e₀, t⊥⟩ = c_0 Γ_0 + 2 Σ_k c_k Γ_k,      Γ_k = Σ_j u_j u_(j+k).

z(s) = sign(⟨e₀, t_s⟩) √(ΔRSS(s) ‖t⊥‖² / Var) with t⊥ and Var at the best shift. Its degrees
of freedom combine those of c_0, (n − p) / (1 + 2 Σ_k c_k / c_0), and of the correlation,
n N / (2L + 1) over N spectra: ν = 1 / ((1 + 2 Σ_k c_k / c_0) / (n − p) + (2L + 1) / (n N)).

Not corrected: the edge column removed is the one the search found best, so on spectra without
an edge it takes more than its share of the noise. Measured spread of z at a fixed shift on edge-
free power laws (W O2,3 geometry / N K): 1.03 / 1.01 on Poisson noise, 1.07 / 1.03, 1.09 / 1.05
and 1.14 / 1.09 under a Gaussian detector point spread of 1, 1.5 and 3 channels (session 27:
1.32 / 1.06 on Poisson noise). Estimating the noise at every trial shift separately removes it
(spread 1.00–1.01 at every point spread) but, without pooling the correlation over the scan,
leaves ν ≈ n / (2L + 1) and missed twice the W O2,3 edges of the corpus (docs/eels.md,
*Session 28*); not kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_THRESHOLD = 0.1
_MAX_LAG = 32
_CHUNK = 64


@dataclass(frozen=True)
class RecordedNoise:
    """The recorded counts around the fitted region, weighted as the fit weights them.

    Attributes
    ----------
    values : ndarray, shape (n, m)
        Weighted unsmoothed counts on the region widened by ``pad`` channels each side.
    weights : ndarray, shape (m,)
        The weights on those channels.
    pad : int
        Channels added before the region (the region is ``values[:, pad:pad + len(region)]``).
    width : float
        Standard deviation of the fit's Gaussian smoothing, channels.
    """

    values: np.ndarray
    weights: np.ndarray
    pad: int
    width: float


def edge_statistic(yw, ssr, templates, smooth_part, order, inner, extra, recorded: RecordedNoise):
    """z(s) of every spectrum (rows of ``yw``) at every shift of the grid, shape (n, grid), and
    its degrees of freedom, shape (n,) (module docstring).

    ``yw`` are the weighted smoothed spectra on the region, ``ssr`` (n, grid) the residual sums
    with the edge term at each shift, ``templates`` (grid, channels) the weighted edge terms,
    ``smooth_part`` the weighted background under the polynomial of ``order``, ``inner`` the
    best shift's grid index per spectrum, ``extra`` per-spectrum background columns or None and
    ``recorded`` the unsmoothed counts.
    """
    n = yw.shape[1]
    u = np.arange(n, dtype=float)
    u = (u - u.mean()) / max(np.ptp(u), 1e-9)
    smooth_design = smooth_part[:, None] * u[:, None] ** np.arange(order + 1)
    if extra is None:
        basis = np.broadcast_to(np.linalg.qr(smooth_design)[0], (len(yw),) + smooth_design.shape)
    else:
        stacked = np.broadcast_to(smooth_design, (len(yw),) + smooth_design.shape)
        basis = np.linalg.qr(np.concatenate([stacked, extra], axis=2))[0]
    residual_null = _remove_span(yw, basis)
    edge_part = _remove_span(templates[inner], basis)
    norm = np.maximum((edge_part**2).sum(axis=1), 1e-300)
    dof = max(n - basis.shape[2] - 2, 1)
    variance, effective = _edge_noise(edge_part, norm, basis, recorded, dof)
    gain = np.maximum((residual_null**2).sum(axis=1)[:, None] - ssr, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(gain * (norm / variance)[:, None])
        z = np.nan_to_num(z, nan=0.0, posinf=1e150)
    return np.sign(residual_null @ templates.T) * z, effective


def _edge_noise(edge_part, norm, basis, recorded: RecordedNoise, dof: int):
    """Var⟨e₀, t⊥⟩ (n,) and its degrees of freedom (n,) (module docstring)."""
    n = edge_part.shape[1]
    inside = slice(recorded.pad, recorded.pad + n)
    fitted = np.concatenate([basis, (edge_part / np.sqrt(norm)[:, None])[:, :, None]], axis=2)
    raw = _remove_span(recorded.values[:, inside], fitted)
    lag = _lag(raw, fitted.shape[2])
    spread = np.zeros((len(edge_part), recorded.values.shape[1]))
    spread[:, inside] = edge_part * recorded.weights[None, inside]
    if recorded.width > 0:
        from scipy.ndimage import gaussian_filter1d

        spread = gaussian_filter1d(spread, recorded.width, axis=1, mode="constant")
    spread = spread / recorded.weights[None, :]
    c = np.concatenate(
        [
            _noise_autocovariance(raw[start : start + _CHUNK], fitted[start : start + _CHUNK], lag)
            for start in range(0, len(raw), _CHUNK)
        ]
    )
    level = np.maximum(c[:, 0], 1e-300)
    rho = np.mean(c[:, 1:] / level[:, None], axis=0)
    gamma = _autocovariance(spread, lag)
    variance = level * (gamma[:, 0] + 2.0 * (rho[None, :] * gamma[:, 1:]).sum(axis=1))
    inflation = max(1.0 + 2.0 * float(rho.sum()), 1.0)
    white = (raw**2).sum(axis=1) / dof * (spread**2).sum(axis=1)
    variance = np.where(np.isfinite(variance) & (variance > 0), variance, white)
    effective = 1.0 / (inflation / dof + (2 * lag + 1) / (n * len(raw)))
    return variance, np.full(len(raw), effective if np.isfinite(effective) else 1.0)


def _lag(residual: np.ndarray, n_fitted: int) -> int:
    """Lags of the noise's correlation over all rows: twice the last lag before their mean
    autocorrelation first falls below :data:`_THRESHOLD` (0 for white noise), at most
    :data:`_MAX_LAG` and such that the fitted columns remove at most half of the lag window's
    samples (n_fitted (2L + 1) ≤ n / 2)."""
    n = residual.shape[1]
    cap = int(min(_MAX_LAG, max((0.75 * n / n_fitted - 1) // 2, 0)))
    c = _autocovariance(residual, max(cap, 1))
    rho = np.mean(c / np.where(c[:, :1] > 0, c[:, :1], 1.0), axis=0)
    below = rho < _THRESHOLD
    first = int(np.argmax(below)) if below.any() else cap + 1
    return int(np.clip(2 * first, 0, cap))


def _noise_autocovariance(residual, fitted, lag: int) -> np.ndarray:
    """The noise's autocovariance at lags 0..``lag`` (n, lag + 1) from the residuals left by the
    orthonormal columns ``fitted`` (n, e, p): E[Σ_i r_i r_(i+k)] = Σ_m A_km c_m with
    A_km = (e − k) δ_km − s_k (2 ⟨T_k Q, T_m Q⟩ − ⟨Qᵀ T_k Q, Qᵀ T_m Q⟩) (T_m the symmetric
    lag-m band, T_0 = I, s_0 = 1, s_k = 1/2), solved for c."""
    e = residual.shape[1]
    sums = _autocovariance(residual, lag)
    shifted = np.zeros((len(fitted), lag + 1) + fitted.shape[1:])
    shifted[:, 0] = fitted
    for m in range(1, lag + 1):
        shifted[:, m, m:] += fitted[:, :-m]
        shifted[:, m, :-m] += fitted[:, m:]
    gram = np.einsum("nkep,nmep->nkm", shifted, shifted)
    inner = np.einsum("nea,nmeb->nmab", fitted, shifted)
    cross = np.einsum("nkab,nmab->nkm", inner, inner)
    half = np.where(np.arange(lag + 1) == 0, 1.0, 0.5)[None, :, None]
    a = np.diag(e - np.arange(lag + 1.0))[None] - half * (2.0 * gram - cross)
    return np.linalg.solve(a, sums[..., None])[..., 0]


def _autocovariance(values: np.ndarray, max_lag: int) -> np.ndarray:
    n = values.shape[1]
    return np.stack(
        [(values[:, : n - k] * values[:, k:]).sum(axis=1) for k in range(max_lag + 1)], axis=1
    )


def _remove_span(values: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Rows of ``values`` (n, e) less their projections on their orthonormal ``basis`` (n, e, k)."""
    return values - np.einsum("nek,nk->ne", basis, np.einsum("nek,ne->nk", basis, values))
