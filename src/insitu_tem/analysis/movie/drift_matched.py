"""Least-squares registration of one frame on a low-noise template, with its covariance.

At the doses of in situ movies (50-1000 counts/px) with weak specimen texture, shot noise
dominates the high spatial frequencies. Phase correlation whitens the cross-power spectrum, so
every frequency counts alike and the noise decides the peak. The least-squares shift ``d`` of a
frame ``F = α T(x - d) + n`` (white noise ``n`` of variance σ² per pixel) against a template
``T`` (the mean of many aligned frames, so nearly noise-free) maximises the plain weighted
cross-correlation ``Σ W F(x) T(x - d)``: this is the matched filter. ``T`` is low-passed by a
Gaussian of ``LOWPASS_PX`` (what remains of its own noise at high frequencies carries no signal).
The peak is found on the integer grid by FFT and refined on a 1/``upsample`` px grid by a local
matrix DFT (Guizar-Sicairos et al. 2008) and a parabola.

The covariance of ``d`` is the sandwich ``σ²/α² H⁻¹ S H⁻¹`` with ``H = Σ W ∇T ∇Tᵀ`` and
``S = Σ W² ∇T ∇Tᵀ``, σ² the weighted residual variance of the frame about ``α T(x - d)`` — the
Cramér-Rao bound for white noise (Kay, *Fundamentals of Statistical Signal Processing:
Estimation Theory*, §3.7, 1993), with the texture that the template does not explain counted as
noise and σ² multiplied by how much the residual is correlated between neighbouring pixels
(its variance after a unit Gaussian over the white-noise value, when above 1).
Before each measurement but the first, the regions where the frame departs from the shifted
template (a front that moved, texture that changed) are left out (:func:`departing`).

References
----------
Guizar-Sicairos, Thurman & Fienup, "Efficient subpixel image registration algorithms",
Opt. Lett. 33, 156 (2008).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy import ndimage

from insitu_tem.analysis.movie.drift_registration import (
    dilated,
    one_blas_thread,
    three_point_vertex,
)

LOWPASS_PX = 1.0
SMOOTH_PX = 3.0
DEPART_Z = 4.0
KERNELS_KEPT = 16


@dataclass(frozen=True)
class MatchedShift:
    """Displacement of a frame's content relative to the template.

    Attributes
    ----------
    shift_px : numpy.ndarray
        (dy, dx), px.
    covariance_px2 : numpy.ndarray
        (2, 2) covariance of ``shift_px``, px² (infinite when the template has no gradient).
    peak : float
        Weighted correlation coefficient of frame and shifted template (0-1).
    residual : numpy.ndarray
        Frame minus the scaled, shifted template (frame shape).
    significance : float
        The template's scale in the frame over its 1σ, ``α / σ_α`` (the matched filter's
        signal-to-noise ratio; 0 when the template has no gradient).
    """

    shift_px: np.ndarray
    covariance_px2: np.ndarray
    peak: float
    residual: np.ndarray
    significance: float = 0.0


@dataclass(frozen=True)
class _Fit:
    """One weighted fit of a frame on the template: the shift (px), the frame less its weighted
    mean ``F``, the weight ``W``, the template's spectrum moved by the shift (image ``t``),
    ``Σ W t²``, ``Σ W F t``, the scale ``α`` and the residual ``F - α t``."""

    shift: np.ndarray
    centred: np.ndarray
    weight: np.ndarray
    moved: np.ndarray
    wt: float
    product: float
    alpha: float
    residual: np.ndarray


class MatchedRegistration:
    """Registers frames of one shape on a template by weighted cross-correlation.

    Parameters
    ----------
    shape : tuple of int
        Frame shape (rows, cols), px.
    upsample : int
        Sub-pixel grid of the refinement, 1/upsample px.
    """

    def __init__(self, shape: tuple[int, int], *, upsample: int = 20) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.upsample = int(upsample)
        self._fy = sfft.fftfreq(self.shape[0])[:, None]
        self._fx = sfft.rfftfreq(self.shape[1])[None, :]
        self._lowpass = np.exp(-2 * (np.pi * LOWPASS_PX) ** 2 * (self._fy**2 + self._fx**2))
        hermitian = np.where((self._fx == 0) | np.isclose(self._fx, 0.5), 1.0, 2.0)
        self._hermitian = hermitian

    def template_spectrum(self, template: np.ndarray) -> np.ndarray:
        """Low-passed spectrum of a template image."""
        data = np.asarray(template, dtype=float)
        return sfft.rfft2(data - data.mean()) * self._lowpass

    def measure(
        self, frame: np.ndarray, template: np.ndarray, weight: np.ndarray, *, near, radius: float
    ) -> MatchedShift:
        """Shift of ``frame`` relative to the template (its :meth:`template_spectrum`),
        searched within ``radius`` px of ``near``; ``weight`` (frame shape, 0-1) in frame
        coordinates."""
        data = np.asarray(frame, dtype=float)
        with one_blas_thread():
            return self._result(self._fit(data, template, weight, near=near, radius=radius))

    def measure_robust(
        self, frame, template, weight, *, near, radius: float, rounds: int = 2
    ) -> MatchedShift:
        """:meth:`measure`, then again ``rounds`` times without the regions where the frame
        departs from the shifted template beyond its noise (:func:`departing`); only the last
        fit's covariance is computed."""
        data = np.asarray(frame, dtype=float)
        with one_blas_thread():
            fit = self._fit(data, template, weight, near=near, radius=radius)
            for _ in range(rounds):
                kept = weight * ~departing(fit.residual, weight)
                if kept.sum() < 0.02 * weight.sum():
                    break
                fit = self._fit(data, template, kept, near=fit.shift, radius=1.0)
            return self._result(fit)

    def _fit(self, data, template, weight, *, near, radius: float) -> _Fit:
        centred = data - np.sum(weight * data) / np.sum(weight)
        cross = sfft.rfft2(weight * centred) * np.conj(template)
        centre = self._coarse_peak(sfft.irfft2(cross, s=self.shape), near, radius)
        shift = self._refine(cross, centre)
        phase = np.exp(-2j * np.pi * self._fy * shift[0]) * np.exp(
            -2j * np.pi * self._fx * shift[1]
        )
        moved = template * phase
        t = sfft.irfft2(moved, s=self.shape)
        wt = np.sum(weight * t * t)
        product = np.sum(weight * centred * t)
        alpha = float(product / wt) if wt > 0 else 0.0
        return _Fit(shift, centred, weight, moved, wt, product, alpha, centred - alpha * t)

    def _coarse_peak(self, coarse: np.ndarray, near, radius: float) -> np.ndarray:
        """Integer shift of the largest ``coarse`` value within ``radius`` px of ``near``."""
        rows, cols = (
            np.arange(np.ceil(c - radius), np.floor(c + radius) + 1)
            for c in np.asarray(near, float)
        )
        inside = np.hypot(rows[:, None] - near[0], cols[None, :] - near[1]) <= radius
        values = coarse[np.ix_(rows.astype(int) % self.shape[0], cols.astype(int) % self.shape[1])]
        index = np.unravel_index(int(np.argmax(np.where(inside, values, -np.inf))), inside.shape)
        return np.array([rows[index[0]], cols[index[1]]])

    def _refine(self, cross: np.ndarray, centre: np.ndarray) -> np.ndarray:
        offsets = _offsets(self.upsample)
        band = cross * self._hermitian
        rows = _row_kernel(float(centre[0]), self.shape[0], self.upsample)
        cols = _column_kernel(float(centre[1]), self.shape[1], self.upsample)
        grid = (rows @ band @ cols).real
        r, c = np.unravel_index(int(np.argmax(grid)), grid.shape)
        vertex = [
            three_point_vertex(grid[r - 1 : r + 2, c]),
            three_point_vertex(grid[r, c - 1 : c + 2]),
        ]
        return centre + (np.array([offsets[r], offsets[c]]) + np.array(vertex) / self.upsample)

    def _result(self, fit: _Fit) -> MatchedShift:
        """The fit's shift with its sandwich covariance and correlation coefficient."""
        weight, residual = fit.weight, fit.residual
        gy = sfft.irfft2(fit.moved * 2j * np.pi * self._fy, s=self.shape)
        gx = sfft.irfft2(fit.moved * 2j * np.pi * self._fx, s=self.shape)
        noise = np.sum(weight * residual**2) / np.sum(weight) * _correlation(residual, weight)
        g = np.stack([gy.ravel(), gx.ravel()])
        w = weight.ravel()
        h, s = (g * w) @ g.T, (g * w**2) @ g.T
        peak = float(fit.product / np.sqrt(np.sum(weight * fit.centred**2) * fit.wt + 1e-300))
        if fit.alpha <= 0 or np.linalg.cond(h) > 1e12:
            return MatchedShift(fit.shift, np.full((2, 2), np.inf), peak, residual)
        inverse = np.linalg.inv(h)
        covariance = noise / fit.alpha**2 * inverse @ s @ inverse
        t = sfft.irfft2(fit.moved, s=self.shape)
        significance = fit.alpha * fit.wt / np.sqrt(noise * np.sum(weight**2 * t * t))
        return MatchedShift(fit.shift, covariance, peak, residual, float(significance))


def _offsets(upsample: int) -> np.ndarray:
    """The refinement grid about an integer shift, px (-1 to 1 in steps of 1/upsample)."""
    return (np.arange(2 * upsample + 1) - upsample) / upsample


@lru_cache(maxsize=KERNELS_KEPT)
def _row_kernel(centre: float, rows: int, upsample: int) -> np.ndarray:
    """Matrix DFT from the row frequencies to the refinement grid about row shift ``centre``
    (kept for the last few centres: consecutive fits mostly share one)."""
    kernel = np.exp(2j * np.pi * np.outer(centre + _offsets(upsample), sfft.fftfreq(rows)))
    kernel.setflags(write=False)
    return kernel


@lru_cache(maxsize=KERNELS_KEPT)
def _column_kernel(centre: float, cols: int, upsample: int) -> np.ndarray:
    """:func:`_row_kernel` for the columns of a real FFT, transposed."""
    kernel = np.exp(2j * np.pi * np.outer(sfft.rfftfreq(cols), centre + _offsets(upsample)))
    kernel.setflags(write=False)
    return kernel


def _correlation(residual: np.ndarray, weight: np.ndarray) -> float:
    """Variance of the residual smoothed by a unit Gaussian over what white noise of the same
    variance would give (4π σ² times smaller), at least 1: residual texture is correlated."""
    smoothed = ndimage.gaussian_filter(residual, 1.0, mode="nearest")
    total = np.sum(weight)
    white = np.sum(weight * residual**2) / total / (4 * np.pi)
    return max(float(np.sum(weight * smoothed**2) / total / max(white, 1e-300)), 1.0)


def departing(residual: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Regions where a residual departs from noise: its Gaussian-smoothed (``SMOOTH_PX``)
    value beyond ``DEPART_Z`` robust σ of the smoothed values where ``weight`` > 0.5, dilated
    by ``SMOOTH_PX`` (a front that moved, texture that changed)."""
    smoothed = ndimage.gaussian_filter(residual, SMOOTH_PX, mode="nearest")
    inside = smoothed[weight > 0.5]
    if inside.size < 16:
        return np.zeros(residual.shape, bool)
    centre = np.median(inside, overwrite_input=True)
    scale = 1.4826 * np.median(np.abs(inside - centre), overwrite_input=True)
    far = np.abs(smoothed - centre) > DEPART_Z * max(scale, 1e-12)
    return dilated(far, int(SMOOTH_PX))
