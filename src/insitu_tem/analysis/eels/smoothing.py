"""Gaussian smoothing of spectra along energy with the numbers of
:func:`scipy.ndimage.gaussian_filter1d` (``mode="nearest"``, radius 4σ), read only where they are
used and without importing scipy (whose array-API layer costs more CPU at start-up than the plasmon
energy's smoothing itself).

:meth:`SmoothedRows.exact` repeats the filter's arithmetic: the centre channel times its weight,
then the pairs of channels r … 1 from the centre added outermost first, each pair's sum times its
weight (the order of scipy's C loop for a symmetric kernel, compiled without fused multiply-adds on
x86-64). :func:`smooth_rows` estimates every smoothed value by an FFT convolution, within a bound
per row far above its rounding error (10⁻¹⁰ of the row's summed absolute counts, against ~10⁻¹⁵),
so that a maximum, or the side of a level a value lies on, is decided exactly from the estimate
and the exact values of the few channels within the bound of the decision. Rows with a non-finite
count, or none above zero, are smoothed exactly in full.

References
----------
P. Virtanen et al., *Nat. Methods* 17, 261 (2020) (SciPy: ``ndimage.correlate1d``);
N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed. (SIAM, 2002), §24.1
(the rounding error of the FFT).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOUND = 1e-10
_BLOCK_ROWS = 256


def gaussian_weights(sigma_channels: float) -> np.ndarray:
    """The kernel of :func:`scipy.ndimage.gaussian_filter1d`: radius ``int(4σ + 0.5)`` channels,
    weights summing to one."""
    radius = int(4.0 * float(sigma_channels) + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 / (sigma_channels * sigma_channels) * x**2)
    return weights / weights.sum()


def _filter(windows: np.ndarray, weights: np.ndarray, width: int) -> np.ndarray:
    """The filter's arithmetic on rows holding ``width`` + 2r channels: ``width`` values each."""
    r = len(weights) // 2
    out = windows[:, r : r + width] * weights[r]
    pair = np.empty_like(out)
    for k in range(r, 0, -1):
        np.add(windows[:, r - k : r - k + width], windows[:, r + k : r + k + width], out=pair)
        pair *= weights[r - k]
        out += pair
    return out


def _fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c ≥ n (a fast FFT length)."""
    best = 1 << max(n - 1, 0).bit_length()
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            length = power35
            while length < n:
                length *= 2
            best = min(best, length)
            power35 *= 3
        power5 *= 5
    return best


@dataclass(frozen=True)
class SmoothedRows:
    """Smoothed rows: an estimate of every value and the filter's exact values on request.

    Attributes
    ----------
    estimate : ndarray, shape (n_rows, n_columns)
        Every smoothed value within ``bound`` of the filter's (exactly the filter's on rows whose
        bound is 0).
    bound : ndarray, shape (n_rows,)
        Largest difference of the estimate from the filter's value, counts (0: exact).
    padded : ndarray
        The rows extended by their end channels (at least the kernel's radius r on each side).
    weights : ndarray
        The kernel (:func:`gaussian_weights`).
    first : int
        Column of ``padded`` of the first channel the estimate's first column reads (its
        centre less r).
    """

    estimate: np.ndarray
    bound: np.ndarray
    padded: np.ndarray
    weights: np.ndarray
    first: int = 0

    def columns(self, start: int, stop: int) -> SmoothedRows:
        """The same rows, columns [start, stop) only."""
        return SmoothedRows(
            self.estimate[:, start:stop], self.bound, self.padded, self.weights, self.first + start
        )

    def exact(self, rows, start, width: int = 1) -> np.ndarray:
        """The filter's values of the ``rows`` at ``width`` columns from ``start`` (per row;
        every column within the estimate's), shape (len(rows), width)."""
        rows = np.asarray(rows, int)
        start = np.broadcast_to(np.asarray(start, int), rows.shape)
        span = np.arange(width)
        out = self.estimate[rows[:, None], start[:, None] + span]
        todo = np.flatnonzero(self.bound[rows] > 0)
        if len(todo):
            first = start[todo] + self.first
            span = np.arange(width + len(self.weights) - 1)
            windows = self.padded[rows[todo][:, None], first[:, None] + span]
            out[todo] = _filter(windows, self.weights, width)
        return out


def smooth_rows(rows: np.ndarray, sigmas_channels) -> tuple[SmoothedRows, ...]:
    """:class:`SmoothedRows` of float64 ``rows`` (n_rows, n_channels), ``mode="nearest"``, one
    for each σ of ``sigmas_channels`` (channels; one forward FFT for all, by blocks of rows that
    stay in cache)."""
    kernels = [gaussian_weights(sigma) for sigma in sigmas_channels]
    radius = max(len(weights) // 2 for weights in kernels)
    padded = np.pad(rows, ((0, 0), (radius, radius)), mode="edge")
    length = _fast_length(padded.shape[1])
    transfers = [np.fft.rfft(weights, length) for weights in kernels]
    starts = [radius + len(weights) // 2 for weights in kernels]
    n, size = rows.shape
    estimates = [np.empty((n, size)) for _ in kernels]
    bound = np.empty(n)
    with np.errstate(over="ignore", invalid="ignore"):
        for low in range(0, n, _BLOCK_ROWS):
            block = padded[low : low + _BLOCK_ROWS]
            bound[low : low + len(block)] = BOUND * np.abs(block).sum(axis=1)
            spectrum = np.fft.rfft(block, length, axis=1)
            for estimate, transfer, start in zip(estimates, transfers, starts):
                smoothed = np.fft.irfft(spectrum * transfer, length, axis=1)
                estimate[low : low + len(block)] = smoothed[:, start : start + size]
    exact = ~np.isfinite(bound) | (bound < np.finfo(float).tiny)
    bound[exact] = 0.0
    out = []
    for estimate, weights in zip(estimates, kernels):
        first = radius - len(weights) // 2
        if exact.any():
            estimate[exact] = _filter(padded[exact, first:], weights, size)
        out.append(SmoothedRows(estimate, bound, padded, weights, first))
    return tuple(out)
