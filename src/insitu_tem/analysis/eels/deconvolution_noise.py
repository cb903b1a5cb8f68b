"""Counting noise of Fourier-log single scattering, propagated from the recorded counts.

Linearised, Fourier-log (:func:`.thickness.fourier_log`) maps a perturbation δy of the
recorded counts to

    δS = I_0 · F⁻¹{ G_D · (F{D·δy} / J_D − F{D·δy_Z} / Z_D) } / D

(δy_Z only the channels of the zero-loss peak; J_D, Z_D and G_D the transforms of the damped
spectrum, zero-loss peak and Gaussian, D = e^(−αE) the damping of :func:`.thickness.fourier_log`,
under which the map stays that of the undamped causal inverse), a convolution of δy with a kernel
whose plasmon replicas carry the large counting noise of the plasmon peak onto the losses above it.
A linear functional wᵀS — what a least-squares fit on S is to first order — therefore has the
variance uᵀ Σ_y u, with u the correlation of w with the kernel and Σ_y the covariance of the
recorded counts. The counts are modelled as Poisson × gain after a detector point-spread and the
alignment's resampling: variance κ·ȳ (ȳ the counts smoothed over 4 channels) with the stationary
normalised power spectrum γ(ν) = κ exp(−(2πνσ_d)²). κ and σ_d are fitted to the periodogram of the
normalised residuals (y − p)/√ȳ of a local cubic p (Savitzky–Golay, 13 channels) in the upper half
of the spectrum above the zero-loss peak, divided by that filter's high-pass response where it
passes at least half the power; then
Var(wᵀS) = Σ_ν |F{u·√ȳ}|² γ(ν) / N.

References
----------
R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed.
(Springer, 2011), §4.1.1 (Fourier-log) and §4.1.2 (noise amplification).
A. Savitzky & M. J. E. Golay, "Smoothing and differentiation of data by simplified least
squares procedures", Anal. Chem. 36, 1627 (1964).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eels._common import smooth
from insitu_tem.analysis.eels.thickness import LogRatioTerms

_SG_WINDOW, _SG_ORDER, _LEVEL_CHANNELS, _CHUNK = 13, 3, 4.0, 256


@dataclass(frozen=True)
class DeconvolutionNoise:
    """Noise model of Fourier-log single scattering (see module docstring).

    Attributes
    ----------
    terms : LogRatioTerms
        The transforms the deconvolution used.
    level : ndarray, shape (n_spectra, n_channels)
        Smoothed recorded counts ȳ.
    gain : float
        κ, variance per count of the recorded counts before the point-spread.
    psf_channels : float
        σ_d of the Gaussian power-spectrum roll-off, channels.
    """

    terms: LogRatioTerms
    level: np.ndarray
    gain: float
    psf_channels: float

    def variance(self, influence: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Var(Σ_E influence[m, E] · δS[rows[m], E]) for every row m, counts²."""
        rows = np.asarray(rows, int)
        return np.concatenate(
            [
                self._variance(influence[start : start + _CHUNK], rows[start : start + _CHUNK])
                for start in range(0, len(rows), _CHUNK)
            ]
        )

    def _variance(self, influence: np.ndarray, rows: np.ndarray) -> np.ndarray:
        n = self.level.shape[1]
        size = 2 * n
        influence = influence / self.terms.weight[rows]
        weight = np.conj(self.terms.gauss[rows]) * np.fft.rfft(influence, size, axis=1)
        inverse_j = np.conj(1.0 / self.terms.spectrum[rows])
        inverse_z = np.conj(1.0 / self.terms.zlp[rows])
        above = np.fft.irfft(weight * inverse_j, size, axis=1)[:, :n]
        inside = np.fft.irfft(weight * (inverse_j - inverse_z), size, axis=1)[:, :n]
        columns = np.arange(n)[None, :]
        u = np.where(columns <= self.terms.zlp_end[rows, None], inside, above)
        u *= (
            self.terms.zlp_counts[rows, None]
            * self.terms.weight[rows]
            * np.sqrt(np.maximum(self.level[rows], 0.0))
        )
        power = np.abs(np.fft.fft(u, size, axis=1)) ** 2
        return (power * self._spectrum(np.abs(np.fft.fftfreq(size)))[None, :]).sum(axis=1) / size

    def _spectrum(self, frequency: np.ndarray) -> np.ndarray:
        return self.gain * np.exp(-((2 * np.pi * frequency * self.psf_channels) ** 2))


def _high_pass_response(frequency: np.ndarray) -> np.ndarray:
    from scipy.signal import savgol_coeffs

    taps = savgol_coeffs(_SG_WINDOW, _SG_ORDER)
    lags = np.arange(_SG_WINDOW) - _SG_WINDOW // 2
    response = (taps[None, :] * np.cos(2 * np.pi * frequency[:, None] * lags[None, :])).sum(axis=1)
    return (1.0 - response) ** 2


def _fit_power(y: np.ndarray, level: np.ndarray, first: int) -> tuple[float, float]:
    """κ and σ_d from the normalised Savitzky–Golay residuals of channels ``first``…"""
    from scipy.signal import savgol_filter

    part, scale = y[:, first:], np.sqrt(np.maximum(level[:, first:], 1.0))
    residual = (part - savgol_filter(part, _SG_WINDOW, _SG_ORDER, axis=1)) / scale
    residual = residual[:, _SG_WINDOW:-_SG_WINDOW]
    taper = np.hanning(residual.shape[1])
    periodogram = (np.abs(np.fft.rfft(residual * taper, axis=1)) ** 2).mean(axis=0)
    periodogram /= (taper**2).sum()
    frequency = np.fft.rfftfreq(residual.shape[1])
    response = _high_pass_response(frequency)
    usable = (response >= 0.5) & (periodogram > 0)
    if usable.sum() < 4:
        return float(np.median(residual**2)), 0.0
    slope, intercept = np.polyfit(
        frequency[usable] ** 2, np.log(periodogram[usable] / response[usable]), 1
    )
    return float(np.exp(intercept)), float(np.sqrt(max(-slope, 0.0)) / (2 * np.pi))


def deconvolution_noise(y: np.ndarray, terms: LogRatioTerms) -> DeconvolutionNoise:
    """Noise model of the Fourier-log of ``y`` (n_spectra, n_channels) with ``terms``.

    Raises
    ------
    ValueError
        When fewer than 4 Savitzky–Golay windows fit above the zero-loss peak.
    """
    level = smooth(np.asarray(y, float), _LEVEL_CHANNELS)
    n = y.shape[1]
    first = max(int(terms.zlp_end.max()) + 1, n // 2)
    if n - first < 4 * _SG_WINDOW:
        raise ValueError(
            f"{n - first} channels above the zero-loss peak are too few to estimate the noise"
        )
    gain, psf = _fit_power(np.asarray(y, float), level, first)
    return DeconvolutionNoise(terms, level, gain, psf)
