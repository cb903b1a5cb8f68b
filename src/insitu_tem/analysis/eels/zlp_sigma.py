"""Variances of the ZLP centre and FWHM of :mod:`insitu_tem.analysis.eels.zlp`.

The counts' variance is ``φ y`` (Poisson times a gain φ). The centre ``-b/2c`` of the weighted
least-squares parabola on ``log y`` (weights ``w = y²``, Guo's) has the sandwich covariance
``M⁻¹ (Σ w² xxᵀ φ/y) M⁻¹`` (``M = Σ w xxᵀ``, ``x = (1, x, x²)``), since ``var log y = φ/y``,
propagated by the delta method; φ is estimated per spectrum from the fit's residuals
(``Σ y r² / (m - 3)``) and pooled. The half-maximum crossings are linear interpolations between
two samples at the level half the peak channel; their variance follows from the four samples
and the peak channel.

References
----------
Guo, IEEE Signal Process. Mag. 28, 134 (2011); Caruana et al., Anal. Chem. 58, 1162 (1986).
"""

from __future__ import annotations

import numpy as np

SUBSAMPLES = 16


def centre_variance(window, x, weights, log_y, coeffs, matrix) -> tuple[np.ndarray, np.ndarray]:
    """Variance per unit φ of the log-parabola centre (channels²), and φ per spectrum."""
    used = weights > 0
    counts = np.where(used, window, 1.0)
    meat_moments = [np.sum(np.where(used, counts**3, 0.0) * x**k, axis=1) for k in range(5)]
    meat = np.stack([np.stack(meat_moments[i : i + 3], axis=-1) for i in range(3)], axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        bread = np.linalg.pinv(matrix)
        covariance = bread @ meat @ bread
        b, c = coeffs[:, 1], coeffs[:, 2]
        gradient = np.stack([np.zeros_like(b), -1 / (2 * c), b / (2 * c**2)], axis=-1)
        variance = np.einsum("ni,nij,nj->n", gradient, covariance, gradient)
        residual = log_y - (coeffs[:, :1] + coeffs[:, 1:2] * x + coeffs[:, 2:3] * x**2)
        dof = used.sum(axis=1) - 3
        gain = np.where(dof > 0, np.sum(np.where(used, counts * residual**2, 0.0), axis=1), np.nan)
        gain = gain / np.where(dof > 0, dof, 1)
    return variance, gain


def pooled_gain(gains: np.ndarray) -> float:
    """φ pooled over spectra (mean of the finite estimates; 1, i.e. counts, when none)."""
    finite = gains[np.isfinite(gains)]
    return float(np.mean(finite)) if finite.size else 1.0


def crossing_variance(window, rows, lc, rc, level, peak) -> np.ndarray:
    """Variance per unit φ (channels²) of the width between the half-maximum crossings
    interpolated in ``[lc, lc + 1]`` and ``[rc - 1, rc]``, level half the ``peak`` channel."""
    a0, a1 = window[rows, lc], window[rows, lc + 1]
    b0, b1 = window[rows, rc - 1], window[rows, rc]
    rise, fall = a1 - a0, b0 - b1
    d_a0, d_a1 = -(level - a1) / rise**2, (level - a0) / rise**2
    d_b0, d_b1 = (level - b1) / fall**2, (b0 - level) / fall**2
    d_peak = 0.5 * (-1 / fall - 1 / rise)
    terms = (d_a0**2 * a0, d_a1**2 * a1, d_b0**2 * b0, d_b1**2 * b1, d_peak**2 * peak)
    return np.sum(np.clip(np.stack(terms), 0.0, None), axis=0)


def binned_gaussian(width: np.ndarray, centre: np.ndarray, half: int) -> np.ndarray:
    """Noise-free Gaussian tops of FWHM ``width`` centred ``centre`` channels from the middle
    sample, integrated over each channel (``2 half + 1`` samples per row)."""
    sub = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES - 0.5
    x = np.arange(-half, half + 1)[None, :, None] + sub[None, None, :] - centre[:, None, None]
    s = width[:, None, None] / np.sqrt(8 * np.log(2))
    return np.exp(-0.5 * (x / s) ** 2).mean(axis=2)
