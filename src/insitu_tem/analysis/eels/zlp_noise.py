"""The counts' noise covariance between channels for the ZLP's 1σ (:mod:`.zlp_sigma`).

A detector's point-spread function spreads each count over neighbouring channels: the noise of
channel ``j`` is then correlated with that of ``j ± k`` and the channel-to-channel differences
are suppressed (by ~100× at a PSF of σ 1.5 channels), so a gain measured from second differences
is far too small. Here the covariance ``c(k) = cov(yⱼ, yⱼ₊ₖ) / yⱼ`` (per count: a gain at lag 0)
is measured for lags 0–8 (PSFs up to σ ≈ 2 channels) away from the peak: the far channels are
cut into windows of 48, a quartic is fitted in each (a parabola over 32 channels left the
plasmon's and the ZLP tail's curvature in the residuals, which read as a correlation: the sample
line scan's white noise as c(1..8) ≈ 0.3 c(0)), and the residuals' lagged products, summed
over windows and divided by the windows' summed level, are the covariances seen through the fit
(``E[Σⱼ rⱼ rⱼ₊ₖ] = Σₗ c(l) Σⱼ (M Tₗ M)ⱼ,ⱼ₊ₖ``, ``M`` the residual maker, ``Tₗ`` ones on the ±l
diagonals), solved for ``c``. Windows whose lag-0 ratio exceeds four times the median (a tail or
an edge the parabola misses) are dropped, and the lags from the first whose correlation is
within two standard errors of 0 on are set to 0. A linear function ``Σ bⱼ yⱼ`` of the counts
then has the variance ``Σₖ c(k) Σⱼ bⱼ bⱼ₊ₖ √(yⱼ yⱼ₊ₖ)`` (both signs of ``k``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from insitu_tem.analysis.eels._common import residual_maker

LAGS = 8
WINDOW = 48
_DEGREE = 4
_NOISE_SPECTRA = 64


@cache
def _moments() -> tuple[np.ndarray, np.ndarray]:
    """The residual maker ``M`` of a window (quartic) and the matrix ``Aₖₗ = Σⱼ (M Tₗ M)ⱼ,ⱼ₊ₖ``."""
    maker = residual_maker(WINDOW, _DEGREE)
    matrix = np.empty((LAGS + 1, LAGS + 1))
    for lag in range(LAGS + 1):
        band = np.eye(WINDOW, k=lag) + (np.eye(WINDOW, k=-lag) if lag else 0.0)
        seen = maker @ band @ maker
        for k in range(LAGS + 1):
            matrix[k, lag] = np.trace(seen, offset=k)
    return maker, matrix


def _windows(y, rows, peak, width) -> np.ndarray:
    """Windows of 48 consecutive channels more than four FWHM (plus two channels) from the peak,
    in up to 64 of the spectra ``rows`` (spread over them)."""
    pick = rows[
        np.unique(np.linspace(0, len(rows) - 1, min(len(rows), _NOISE_SPECTRA)).astype(int))
    ]
    channel = np.arange(y.shape[1])
    windows = []
    for n in pick:
        reach = 4 * width[n] + 2 if np.isfinite(width[n]) else np.inf
        low, high = int(np.floor(peak[n] - reach)), int(np.ceil(peak[n] + reach))
        for start, stop in ((0, low), (high + 1, y.shape[1])):
            count = max(stop - start, 0) // WINDOW
            if count:
                span = channel[start : start + count * WINDOW]
                windows.append(y[n, span].reshape(count, WINDOW))
    return np.concatenate(windows).astype(np.float64) if windows else np.empty((0, WINDOW))


def noise_covariance(y: np.ndarray, rows, peak, width) -> np.ndarray | None:
    """``c(0..8)``: the counts' covariance per count at lags 0–8 channels (module docstring), or
    None where no spectrum has 48 consecutive far channels with a positive level."""
    return window_covariance(_windows(y, rows, peak, width))


def window_covariance(windows: np.ndarray) -> np.ndarray | None:
    """``c(0..8)`` from windows of 48 consecutive channels (rows of ``windows``) whose quartic
    leaves the counts' noise (module docstring), or None where none has a positive level."""
    level = windows.mean(axis=1)
    windows = windows[level > 0]
    if not len(windows):
        return None
    maker, matrix = _moments()
    residual = windows @ maker
    products = np.stack(
        [np.sum(residual[:, : WINDOW - k] * residual[:, k:], axis=1) for k in range(LAGS + 1)],
        axis=1,
    )
    ratio = products[:, 0] / level[level > 0]
    keep = ratio <= 4.0 * np.median(ratio)
    moments = products[keep].sum(axis=0) / level[level > 0][keep].sum()
    covariance = np.linalg.solve(matrix, moments)
    if covariance[0] <= 0:
        return None
    return _significant(covariance, int(keep.sum()) * WINDOW)


def _significant(covariance: np.ndarray, channels: int) -> np.ndarray:
    """The covariances up to the first lag whose correlation lies within two of its standard
    errors of 0 (Bartlett's ``(1 + 2 Σⱼ<ₖ ρⱼ²) / n``, ``n`` the channels the windows hold); zero
    from there on (a few far windows read correlations of ±0.1 from the noise alone)."""
    rho = covariance / covariance[0]
    error = np.sqrt((1 + 2 * np.cumsum(np.append(0.0, rho[1:-1] ** 2))) / channels)
    insignificant = np.flatnonzero(np.abs(rho[1:]) < 2 * error)
    stop = 1 + (insignificant[0] if len(insignificant) else LAGS)
    return np.where(np.arange(LAGS + 1) < stop, covariance, 0.0)


def lag_sums(b: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``Σⱼ bⱼ bⱼ₊ₖ √(yⱼ yⱼ₊ₖ)`` for lags 0–8 (rows of ``b`` and ``counts``; ``(n, 9)``), both
    signs of ``k`` counted in the lags above 0."""
    scaled = b * np.sqrt(np.clip(counts, 0.0, None))
    n = scaled.shape[1]
    sums = [np.sum(scaled * scaled, axis=1)]
    sums += [
        2 * np.sum(scaled[:, : max(n - k, 0)] * scaled[:, k:], axis=1) for k in range(1, LAGS + 1)
    ]
    return np.stack(sums, axis=1)
