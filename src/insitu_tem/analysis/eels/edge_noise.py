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

Here the noise is estimated where it is nearly white, on the recorded (unsmoothed) channels.
η = w·y (w the fit's weights) less its projection on the background gives r₀; less its
projection on the normalised edge term q_s at shift s too, r_s. Its lag sums Σ_i r_i r_(i+k)
have the expectation Σ_m A_km c_m, c_m the noise's autocovariance and, with Q the p
orthonormal columns removed,

    A_km = (n − k) δ_km − s_k (2 ⟨T_k Q, T_m Q⟩ − ⟨Qᵀ T_k Q, Qᵀ T_m Q⟩),

T_m the symmetric band of lag m (T_0 = I), s_0 = 1, s_k = 1/2: solving for c removes the bias
the fitted columns leave in the residuals' autocovariance. The correlation ρ_k = c_k / c_0 is
solved at each spectrum's best shift and pooled over the scan (one detector); the variance c_0(s)
is each spectrum's own at every trial shift s (from Σ_i r_i², A at the best shift: the edge term
keeps its shape along the search), so that at a fixed s the edge's projection and the residuals
it is measured against are independent. Lags run to twice the last before the scan's mean
residual autocorrelation first falls below 0.1 (none for white noise), at most 32 and with
p (2L + 1) ≤ n/2. The smoothing is the analysis's own and known: ⟨e₀, t⊥⟩ = Σ_j η_j u_j with
u = Sᵀ(w t⊥) / w over the region widened by the kernel, so

    Var⟨e₀, t⊥(s)⟩ = c_0(s) (Γ_0 + 2 Σ_k ρ_k Γ_k),      Γ_k = Σ_j u_j u_(j+k),

Γ from the best shift's edge term per unit norm (the same shape at every s), and
z(s) = sign(⟨e₀, t_s⟩) √(ΔRSS(s) ‖t⊥(s)‖² / Var(s)). Its degrees of freedom combine those of
c_0, (n − p) / (1 + 2 Σ_k ρ_k), and of the pooled correlation, n N / (2L + 1) over N spectra.

Spread of z at a fixed shift on edge-free power laws on the W O2,3 geometry: 1.01 on Poisson
noise, 1.06 and 1.09 under a Gaussian detector point spread of 1.5 and 3 channels (session 27:
1.32, 1.33, 1.37). What remains is ρ from the best shifts, where the search put the edge term on
the noise it fits best; solving ρ at every shift too (no pooling) removes it (1.00–1.01) but its
few degrees of freedom per spectrum on Fourier-log spectra missed twice the W O2,3 edges of the
corpus (docs/eels.md, *Session 28*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_THRESHOLD = 0.1
_MAX_LAG = 32
_CHUNK = 16


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
    per_norm, effective = _edge_noise(edge_part, norm, basis, templates, recorded, dof)
    gain = np.maximum((residual_null**2).sum(axis=1)[:, None] - ssr, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(gain / per_norm)
        z = np.nan_to_num(z, nan=0.0, posinf=1e150)
    return np.sign(residual_null @ templates.T) * z, effective


def _edge_noise(edge_part, norm, basis, templates, recorded: RecordedNoise, dof: int):
    """Var⟨e₀, t⊥(s)⟩ / ‖t⊥(s)‖² at every shift (n, grid) and its degrees of freedom (n,)
    (module docstring)."""
    n = edge_part.shape[1]
    inside = slice(recorded.pad, recorded.pad + n)
    edge = edge_part / np.sqrt(norm)[:, None]
    fitted = np.concatenate([basis, edge[:, :, None]], axis=2)
    null = _remove_span(recorded.values[:, inside], basis)
    best = null - (null * edge).sum(axis=1)[:, None] * edge
    lag = _lag(best, fitted.shape[2])
    spread = np.zeros((len(edge_part), recorded.values.shape[1]))
    spread[:, inside] = edge * recorded.weights[None, inside]
    if recorded.width > 0:
        from scipy.ndimage import gaussian_filter1d

        spread = gaussian_filter1d(spread, recorded.width, axis=1, mode="constant")
    gamma = _autocovariance(spread / recorded.weights[None, :], lag)
    gamma[:, 1:] *= 2.0
    sums = _autocovariance(null, lag)
    per_norm = np.empty((len(null), len(templates)))
    a = np.concatenate(
        [_lag_matrix(fitted[start : start + _CHUNK], lag) for start in range(0, len(null), _CHUNK)]
    )
    at_best = np.linalg.solve(a, _autocovariance(best, lag)[..., None])[..., 0]
    rho = np.concatenate([[1.0], np.mean(at_best[:, 1:] / np.maximum(at_best[:, :1], 1e-300), 0)])
    inflation = max(2.0 * float(rho.sum()) - 1.0, 1.0)
    expected = (a[:, 0, :] * rho[None, :]).sum(axis=1)
    along = (gamma * rho[None, :]).sum(axis=1)
    for start in range(0, len(null), _CHUNK):
        rows = slice(start, start + _CHUNK)
        shifted = _shift_sums(null[rows], sums[rows], templates, basis[rows], lag)
        per_norm[rows] = shifted[..., 0] / expected[rows, None] * along[rows, None]
    white = (sums[:, 0] / dof * gamma[:, 0])[:, None]
    per_norm = np.where(np.isfinite(per_norm) & (per_norm > 0), per_norm, white)
    effective = 1.0 / (inflation / dof + (2 * lag + 1) / (n * len(null)))
    return per_norm, np.full(len(null), effective)


def _shift_sums(null, sums, templates, basis, lag: int) -> np.ndarray:
    """Lag sums (n, grid, lag + 1) of the residuals left by the background and the edge term at
    every shift: r_s = r₀ − a_s q_s, q_s the normalised edge term less its projection on the
    background, a_s = ⟨r₀, q_s⟩. One q for all rows when they share the background."""
    base = basis[:1] if basis.strides[0] == 0 else basis
    q = templates[None] - np.einsum("nek,ngk->nge", base, np.einsum("nek,ge->ngk", base, templates))
    q = q / np.sqrt(np.maximum((q**2).sum(axis=2), 1e-300))[..., None]
    around = np.zeros((len(null), lag + 1, null.shape[1]))
    around[:, 0] = null
    for k in range(1, lag + 1):
        around[:, k, :-k] += 0.5 * null[:, k:]
        around[:, k, k:] += 0.5 * null[:, :-k]
    cross = np.matmul(q, around.transpose(0, 2, 1))
    own = np.stack(
        [(q**2).sum(axis=2)] + [(q[..., :-k] * q[..., k:]).sum(axis=2) for k in range(1, lag + 1)],
        axis=2,
    )
    a = cross[..., :1]
    return sums[:, None, :] - 2.0 * a * cross + a**2 * own


def _lag(residual: np.ndarray, n_fitted: int) -> int:
    """Lags of the noise's correlation over all rows: twice the last lag before their mean
    autocorrelation first falls below :data:`_THRESHOLD` (0 for white noise), at most
    :data:`_MAX_LAG` and such that the fitted columns remove at most half of the lag window's
    samples (n_fitted (2L + 1) ≤ n / 2)."""
    n = residual.shape[1]
    cap = int(min(_MAX_LAG, max((n / (2 * n_fitted) - 1) // 2, 0)))
    c = _autocovariance(residual, max(cap, 1))
    rho = np.mean(c / np.where(c[:, :1] > 0, c[:, :1], 1.0), axis=0)
    below = rho < _THRESHOLD
    first = int(np.argmax(below)) if below.any() else cap + 1
    return int(np.clip(2 * (first - 1), 0, cap))


def _lag_matrix(fitted: np.ndarray, lag: int) -> np.ndarray:
    """A (n, L + 1, L + 1) with E[Σ_i r_i r_(i+k)] = Σ_m A_km c_m for the residuals r left by the
    orthonormal columns ``fitted`` (n, e, p) and the noise's autocovariance c (c_m = 0 beyond
    ``lag``): A_km = (e − k) δ_km − s_k (2 ⟨T_k Q, T_m Q⟩ − ⟨Qᵀ T_k Q, Qᵀ T_m Q⟩), T_m the
    symmetric lag-m band (T_0 = I), s_0 = 1, s_k = 1/2."""
    e = fitted.shape[1]
    shifted = np.zeros((len(fitted), lag + 1) + fitted.shape[1:])
    shifted[:, 0] = fitted
    for m in range(1, lag + 1):
        shifted[:, m, m:] += fitted[:, :-m]
        shifted[:, m, :-m] += fitted[:, m:]
    gram = np.einsum("nkep,nmep->nkm", shifted, shifted)
    inner = np.einsum("nea,nmeb->nmab", fitted, shifted)
    cross = np.einsum("nkab,nmab->nkm", inner, inner)
    half = np.where(np.arange(lag + 1) == 0, 1.0, 0.5)[None, :, None]
    return np.diag(e - np.arange(lag + 1.0))[None] - half * (2.0 * gram - cross)


def _autocovariance(values: np.ndarray, max_lag: int) -> np.ndarray:
    n = values.shape[1]
    return np.stack(
        [(values[:, : n - k] * values[:, k:]).sum(axis=1) for k in range(max_lag + 1)], axis=1
    )


def _remove_span(values: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Rows of ``values`` (n, e) less their projections on their orthonormal ``basis`` (n, e, k)."""
    return values - np.einsum("nek,nk->ne", basis, np.einsum("nek,ne->nk", basis, values))
