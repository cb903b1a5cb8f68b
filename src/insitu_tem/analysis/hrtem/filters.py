"""Display filters for HRTEM images: average background subtraction (ABSF) and Wiener.

Both work on the Fourier transform ``F(k)`` of the mean-subtracted image and
estimate the non-periodic background ring by ring in |k| with medians, which
ignore the few Bragg pixels of each ring:

* ABSF (after Kilaas, J. Microsc. 190 (1998) 45–51): the background amplitude
  ``A(|k|) = median |F|`` of the ring is subtracted from every amplitude,
  phases kept: ``F' = F · max(1 − A/|F|, 0)``.
* Wiener: with the noise power ``N(|k|) = median |F|² / ln 2`` (the mean of an
  exponential distribution from its median), ``F' = F · max(1 − N/|F|², 0)``.

* Bragg filter: ``F' = F · M`` with ``M`` a sum of Gaussian disks (σ = radius/2,
  clipped at 1) on the chosen reflections and their Friedel mates, so only
  those lattice fringes remain in real space.

The image mean is restored. The filtered image is for display; measure
spacings on the raw data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, ring_labels, ring_statistics

METHODS = ("absf", "wiener")
DEFAULT_BRAGG_RADIUS_PX = 3.0


@dataclass(frozen=True, eq=False)
class FilteredImage:
    """A filtered image and how it was made.

    Attributes
    ----------
    image : numpy.ndarray
        Filtered image (float64), same shape and mean as the input.
    method : str
        "absf", "wiener" or "bragg".
    kept_fraction : float
        Fraction of the input's (non-DC) Fourier power kept, 0-1.
    """

    image: np.ndarray
    method: str
    kept_fraction: float


def _centred_fft(image) -> tuple[np.ndarray, float, np.ndarray, int]:
    data = np.asarray(image, dtype=np.float64)
    if data.ndim != 2 or min(data.shape) < 8:
        raise ValueError(f"need a 2-D image of at least 8 × 8 px, got shape {np.shape(image)}")
    if not np.all(np.isfinite(data)):
        raise ValueError(
            "the image contains NaN or infinite pixels; crop to the valid region first"
        )
    mean = float(data.mean())
    spectrum = np.fft.fftshift(np.fft.fft2(data - mean))
    labels, n = ring_labels(PowerSpectrum(spectrum.real, spectrum.real, 1.0))
    return spectrum, mean, labels, n


def _apply(spectrum: np.ndarray, gain: np.ndarray, mean: float, method: str) -> FilteredImage:
    filtered = spectrum * gain
    total = float(np.sum(np.abs(spectrum) ** 2)) or 1.0
    image = np.real(np.fft.ifft2(np.fft.ifftshift(filtered))) + mean
    return FilteredImage(image, method, float(np.sum(np.abs(filtered) ** 2) / total))


def _ring_filter(image, method: str) -> FilteredImage:
    """``F' = F · max(1 − B/X, 0)`` with X = |F| (ABSF) or |F|² (Wiener) and B the ring's
    background of X (its median; over ln 2 for the power's exponential noise)."""
    spectrum, mean, labels, n = _centred_fft(image)
    exponent, scale = (1, 1.0) if method == "absf" else (2, 1.0 / math.log(2.0))
    magnitude = np.abs(spectrum) ** exponent
    median, _ = ring_statistics(magnitude, labels, n)
    gain = np.clip(1.0 - scale * median[labels] / np.maximum(magnitude, 1e-300), 0.0, None)
    return _apply(spectrum, gain, mean, method)


def absf(image) -> FilteredImage:
    """Average background subtraction filter of a 2-D image of any real dtype (module docstring)."""
    return _ring_filter(image, "absf")


def wiener(image) -> FilteredImage:
    """Wiener filter with the ring-median noise power, of a 2-D image (module docstring)."""
    return _ring_filter(image, "wiener")


def hrtem_filter(image, *, method: str) -> FilteredImage:
    """Apply ``method`` ("absf" or "wiener") to ``image``."""
    if method not in METHODS:
        raise ValueError(f"unknown filter {method!r}; choose one of {METHODS}")
    return absf(image) if method == "absf" else wiener(image)


def bragg_filter(
    image, positions_px, *, radius_px: float = DEFAULT_BRAGG_RADIUS_PX
) -> FilteredImage:
    """Keep only the chosen reflections (and their Friedel mates) of ``image``.

    Parameters
    ----------
    image : array_like
        2-D region (the same region whose spectrum gave the positions).
    positions_px : sequence of (float, float)
        Reflections as (row, col) offsets from the centre of the region's
        centred FFT, FFT px (``Spot.row_px, Spot.col_px``).
    radius_px : float
        Mask radius, FFT px (Gaussian σ = radius / 2).

    Returns
    -------
    FilteredImage
    """
    positions = np.asarray(positions_px, dtype=float).reshape(-1, 2)
    if len(positions) == 0:
        raise ValueError("choose at least one spot to Bragg-filter")
    if not radius_px > 0:
        raise ValueError(f"radius {radius_px!r} px must be positive")
    spectrum, mean, _, _ = _centred_fft(image)
    r0, c0 = spectrum.shape[0] // 2, spectrum.shape[1] // 2
    rows = np.arange(spectrum.shape[0])[:, None] - r0
    cols = np.arange(spectrum.shape[1])[None, :] - c0
    mask = np.zeros(spectrum.shape)
    sigma = radius_px / 2.0
    for row, col in np.concatenate([positions, -positions]):
        mask += np.exp(-((rows - row) ** 2 + (cols - col) ** 2) / (2 * sigma**2))
    return _apply(spectrum, np.clip(mask, 0.0, 1.0), mean, "bragg")
