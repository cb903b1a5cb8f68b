"""The counting noise of a linear functional of the counts about an onset (the onset itself, the
steepest rise), for :mod:`.onsets`: from the pre-edge residuals, or from the recorded counts'
noise carried through Fourier-log deconvolution.

From the residuals: the functional Σ_j h_j y_j (kernel h about the peak) has the variance
Σ_k C(k) Σ_j h_j h_(j+k), C the autocovariance of the pre-edge residuals (up to twice the lag
where their autocorrelation falls below 0.1, so correlated detector noise counts), scaled from
the pre-edge level to the level under h (Poisson). The residuals are those of the background
law *less a least-squares quadratic across the window* (:data:`DETREND_DEGREE`): the tail of a
preceding edge, its fine structure's slow part, or any smooth departure of the pre-edge counts
from the fitted law, is no counting noise, yet its slope and curvature over the window read as
a long-range autocovariance that the derivative's kernel (zero response to a constant, not to a
slope) weighs in — on the SrTiO3 core loss of pyEELSMODEL (``STO_coreloss.msa``) the O K
window's σ_D per √count was twice that of the Ti L2,3 window below it. A quadratic is the
smooth background the chemical shift's fit adds to the law (:mod:`.shift_fit`: power law ×
quadratic), not a choice made for these data. The columns removed take their share of the
noise too: for white noise of variance σ² the estimate's expectation is
Γ(0) σ² (1 − Σ_k w_k Γ(k) t_k / (n Γ(0))), t_k the lag-k trace of the projector on the
polynomial, w_k the lag weights; the estimate is scaled by that share for the mean alone over
that for the quadratic, so that only the quadratic's extra share is restored and a window
without structure reads as before (the mean's share is part of the estimate the onset's ±1σ
coverage was validated with). In a window of fewer than three kernel supports the polynomial
is lowered to a line or the mean
(:func:`detrend_degree`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import channel_range, smooth
from insitu_tem.analysis.eels.background import BackgroundFit
from insitu_tem.analysis.eels.deconvolution_noise import DeconvolutionNoise
from insitu_tem.analysis.eels.onset_peak import DerivativePeak
from insitu_tem.analysis.eels.zlp_noise import WINDOW, lag_sums, window_covariance

DETREND_DEGREE = 2
"""Degree of the polynomial removed from the pre-edge residuals before their autocovariance."""

SAMPLED = 64
"""Spectra (evenly spaced) whose windows measure the counts' covariance in :func:`counts_noise`."""


@cache
def _basis(size: int, degree: int) -> np.ndarray:
    """Orthonormal polynomials up to ``degree`` over ``size`` equally spaced channels."""
    return np.linalg.qr(np.vander(np.linspace(-1.0, 1.0, size), degree + 1))[0]


def detrend_degree(size: int, width: int) -> int:
    """:data:`DETREND_DEGREE`, lowered so that every coefficient spans at least one kernel
    support (``size`` ≥ (degree + 1) ``width``): in a window of a few channels a polynomial
    would follow the very noise the kernel sees; the mean at least."""
    return int(np.clip(size // max(width, 1) - 1, 0, DETREND_DEGREE))


def _lag_traces(basis: np.ndarray, max_lag: int) -> np.ndarray:
    """t_k = Σ_i P_(i, i+k), k = 0 … ``max_lag``, of the projector P on the columns of the
    orthonormal ``basis``."""
    n = len(basis)
    return np.array([(basis[: n - k] * basis[k:]).sum() for k in range(max_lag + 1)])


def _kernel_variance(kernel: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """Σ_k w_k C(k) Γ(k) per spectrum, C the detrended residuals' autocovariance and Γ the
    kernel's (lags up to twice the first where the autocorrelation is below 0.1, within the
    kernel and a quarter of the window; w_0 = 1, w_k = 2), times the white-noise share the
    mean leaves over the share the polynomial leaves (module docstring)."""
    n, width = residual.shape[1], kernel.shape[1]
    max_lag = max(min(width - 1, n // 4), 0)
    basis = _basis(n, detrend_degree(n, width))
    centred = residual - (residual @ basis) @ basis.T
    c = np.stack(
        [(centred[:, : n - k] * centred[:, k:]).sum(axis=1) / n for k in range(max_lag + 1)], axis=1
    )
    gamma = np.stack(
        [(kernel[:, : width - k] * kernel[:, k:]).sum(axis=1) for k in range(max_lag + 1)], axis=1
    )
    rho = c / np.where(c[:, :1] > 0, c[:, :1], 1.0)
    below = rho < 0.1
    first = np.where(below.any(axis=1), np.argmax(below, axis=1), max_lag)
    k = np.arange(max_lag + 1)[None, :]
    taper = np.where(k == 0, 1.0, 2.0 * (k <= np.minimum(2 * first, max_lag)[:, None]))
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = [
            1.0 - (taper * gamma * _lag_traces(b, max_lag)).sum(axis=1) / (n * gamma[:, 0])
            for b in (basis, _basis(n, 0))
        ]
        correction = kept[1] / kept[0]
    correction = np.where(np.isfinite(correction) & (correction > 0), correction, 1.0)
    return np.maximum((taper * c * gamma).sum(axis=1), 0.0) * correction


def _patches(values: np.ndarray, index: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(values, ((0, 0), (radius, radius)), mode="edge")
    columns = index[:, None] + np.arange(2 * radius + 1)[None, :]
    return padded[np.arange(len(values))[:, None], columns]


def residual_noise(
    y, fit: BackgroundFit, energy: Axis, peak: DerivativePeak, kernel, radius: int
) -> np.ndarray:
    """1σ of a linear functional (``kernel``, shape (n, 2 radius + 1), about each spectrum's
    peak) of the counts ``y`` (n, channels) from the detrended pre-edge residuals of ``fit``
    (module docstring), in the functional's units per count."""
    window = channel_range(energy, fit.window_eV, minimum=3)
    residual = np.nan_to_num(y[:, window] - fit.evaluate(energy.coordinates()[window]))
    reach = int(4.0 / energy.scale + 0.5) + radius + 1
    low = max(min(window.start, int(peak.index.min())) - reach, 0)
    high = min(max(window.stop, int(peak.index.max()) + 1) + reach, energy.size)
    level = smooth(np.nan_to_num(y[:, low:high]), 1.0 / energy.scale)
    pre_level = level[:, window.start - low : window.stop - low].mean(axis=1)
    local = (kernel**2 * _patches(level, peak.index - low, radius)).sum(axis=1) / np.maximum(
        (kernel**2).sum(axis=1), 1e-300
    )
    ratio = np.where(
        (pre_level > 0) & (local > 0), local / np.where(pre_level > 0, pre_level, 1), 1.0
    )
    return np.sqrt(_kernel_variance(kernel, residual) * ratio)


def propagated_noise(
    noise: DeconvolutionNoise, kernel, peak: DerivativePeak, radius: int, size: int
) -> np.ndarray:
    """1σ of a linear functional (``kernel`` about the peak) of Fourier-log single scattering
    from the recorded counts' noise (:mod:`.deconvolution_noise`)."""
    influence = np.zeros((len(kernel), size))
    columns = peak.index[:, None] + np.arange(-radius, radius + 1)[None, :]
    inside = (columns >= 0) & (columns < size)
    rows = np.broadcast_to(np.arange(len(kernel))[:, None], columns.shape)
    influence[rows[inside], columns[inside]] = kernel[inside]
    return np.sqrt(np.maximum(noise.variance(influence, np.arange(len(kernel))), 0.0))


def counts_noise(y, energy: Axis, peak: DerivativePeak, kernel, radius: int) -> np.ndarray | None:
    """1σ of a linear functional (``kernel`` about each spectrum's peak) of the counts ``y``
    from their covariance per count c(0..8) measured over whole spectra: every run of
    :data:`.zlp_noise.WINDOW` channels of up to :data:`SAMPLED` of them, each less its quartic,
    windows holding an edge or a peak dropped (:func:`.zlp_noise.window_covariance`), then
    Var = Σ_k c(k) Σ_j h_j h_(j+k) √(ȳ_j ȳ_(j+k)) with ȳ the 1 eV-smoothed counts. A short
    pre-edge window cannot show a detector's correlation (its lags stop at a quarter of it) and
    its mean or line takes much of the correlated noise with it: there σ_D read 1.3–3.6× low on
    edge-free spectra (9–16 channels, detector blur 0–1.5 channels) and the onset's ±1σ covered
    0–67 %; :mod:`.onsets` takes the larger of the two in a window shorter than one of these
    (:func:`short_window`). None where no window has counts."""
    picks = np.unique(np.linspace(0, len(y) - 1, min(len(y), SAMPLED)).astype(int))
    whole = energy.size // WINDOW * WINDOW
    if not whole:
        return None
    windows = np.nan_to_num(y[picks, :whole]).reshape(-1, WINDOW)
    covariance = window_covariance(windows)
    if covariance is None:
        return None
    reach = int(4.0 / energy.scale + 0.5) + radius + 1
    low = max(int(peak.index.min()) - reach, 0)
    high = min(int(peak.index.max()) + 1 + reach, energy.size)
    level = smooth(np.nan_to_num(y[:, low:high]), 1.0 / energy.scale)
    sums = lag_sums(kernel, _patches(level, peak.index - low, radius))
    return np.sqrt(np.maximum(sums @ covariance, 0.0))


def short_window(channels: int) -> bool:
    """Whether a pre-edge window of ``channels`` is shorter than one window of
    :func:`counts_noise` (:data:`.zlp_noise.WINDOW`, the run a quartic needs to show lags 0–8):
    its own residuals then cannot measure the counts' covariance as well (at 0.05 eV/channel
    W O2,3's 110 channels can, within −8 % to +1 % of the derivative's scatter, where the
    whole-spectrum estimate read −14 % to +16 % off, 1e2–1e6 counts)."""
    return channels < WINDOW
