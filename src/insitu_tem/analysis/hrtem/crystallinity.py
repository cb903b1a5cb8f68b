"""Crystalline vs amorphous map of an HRTEM image from a sliding-window FFT.

The image is cut into square windows (``window_nm``, default 3.2 nm — just
above the 2–3 nm critical size below which lithium and WO3 conversion products
stay amorphous) stepped by a quarter window. Each window is mean-subtracted,
Hann-windowed and Fourier transformed; its spot statistic is the largest
``(P₃ₓ₃ − B) / S`` in the spacing band ``d_range_nm`` (same SNR as the FFT spot
finder: 3×3-summed power against the median ``B`` and scaled MAD ``S`` of its
ring). A window is crystalline when that SNR exceeds ``snr_threshold`` and at
least one overlapping neighbour agrees (isolated noise windows are dropped).

Every image pixel takes the class of the nearest window centre, giving the
overlay and the crystalline area fraction. The domain size is the
area-weighted mean equivalent-circle diameter ``sqrt(4A/π)`` of the connected
crystalline regions (a lower bound for domains cut by the image edge).

The fraction's 1σ (:func:`fraction_sigma`) has two terms in quadrature. Noise: a window's SNR
scatters by ``sqrt(1 + 2 SNR / 3)`` (the 3×3-summed power of a reflection of excess E over
complex Gaussian noise of power n per pixel has variance ``9n² + 2nE``, and the ring's noise
is about ``3n``); the map is redrawn :data:`NOISE_DRAWS` times with that scatter, correlated
between overlapping windows as the overlap of their areas (white noise averaged over one window
of the window grid), and the standard deviation of the redrawn fractions taken. Sampling: a
class boundary is placed to within one step, so each boundary pixel of the map contributes a
uniform ±step/2 error, ``step / √12`` in length, to the crystalline area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, ring_labels, ring_statistics

DEFAULT_WINDOW_NM = 3.2
DEFAULT_SNR = 12.0
DEFAULT_D_RANGE_NM = (0.15, 0.6)
NOISE_DRAWS = 32
_BATCH = 64


@dataclass(frozen=True, eq=False)
class CrystallinityMap:
    """Sliding-window crystallinity of one image.

    Attributes
    ----------
    snr : numpy.ndarray
        (n_rows, n_cols) strongest-spot SNR of every window.
    d_nm : numpy.ndarray
        Spacing of that strongest spot, nm (nan where amorphous).
    crystalline : numpy.ndarray
        (n_rows, n_cols) bool, SNR above the threshold.
    pixel_map : numpy.ndarray
        Image-sized bool map (nearest window centre).
    window_px, step_px : int
        Window side and step, px.
    pixel_nm : float
        Pixel size, nm.
    crystalline_fraction : float
        Fraction of the image area classed crystalline, 0-1.
    domain_size_nm : float
        Area-weighted mean equivalent-circle diameter of crystalline regions, nm
        (0 when none).
    sigma_crystalline_fraction : float
        1σ of :attr:`crystalline_fraction` (window SNR noise and boundary sampling, see the
        module docstring), 0-1.
    """

    snr: np.ndarray
    d_nm: np.ndarray
    crystalline: np.ndarray
    pixel_map: np.ndarray
    window_px: int
    step_px: int
    pixel_nm: float
    crystalline_fraction: float
    domain_size_nm: float
    sigma_crystalline_fraction: float = 0.0

    def window_centres_px(self) -> tuple[np.ndarray, np.ndarray]:
        """Row and column pixel coordinates of the window centres."""
        half = (self.window_px - 1) / 2
        return (
            half + self.step_px * np.arange(self.snr.shape[0]),
            half + self.step_px * np.arange(self.snr.shape[1]),
        )


def _window_power(windows: np.ndarray) -> np.ndarray:
    w = windows.shape[-1]
    hann = np.hanning(w + 2)[1:-1]
    data = windows - windows.mean(axis=(-2, -1), keepdims=True)
    return np.abs(np.fft.fftshift(np.fft.fft2(data * np.outer(hann, hann)), axes=(-2, -1))) ** 2


def _strongest_spots(
    power: np.ndarray, labels: np.ndarray, n: int, band: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    summed = ndimage.uniform_filter(power, size=(1, 3, 3), mode="wrap") * 9.0
    median, spread = ring_statistics(summed, labels, n)
    floor = np.maximum(np.median(spread, axis=-1, keepdims=True) * 1e-6, 1e-300)
    snr = (summed - median[:, labels]) / np.maximum(spread[:, labels], floor[..., None])
    snr = np.where(band, snr, -np.inf).reshape(len(power), -1)
    best = np.argmax(snr, axis=1)
    return snr[np.arange(len(power)), best], best


def crystallinity_map(
    image,
    *,
    pixel_nm: float,
    window_nm: float = DEFAULT_WINDOW_NM,
    snr_threshold: float = DEFAULT_SNR,
    d_range_nm: tuple[float, float] = DEFAULT_D_RANGE_NM,
    should_stop: Callable[[], bool] | None = None,
) -> CrystallinityMap:
    """Classify sliding windows of ``image`` as crystalline or amorphous.

    Parameters
    ----------
    image : array_like
        2-D image.
    pixel_nm : float
        Pixel size, nm.
    window_nm : float
        Window side, nm (rounded to an even number of px, at least 16 px).
    snr_threshold : float
        Window is crystalline when its strongest spot SNR exceeds this.
    d_range_nm : tuple of float
        (smallest, largest) lattice spacing considered, nm.
    should_stop : callable, optional
        Polled between batches; returning True raises InterruptedError.

    Returns
    -------
    CrystallinityMap
    """
    data = np.asarray(image, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"need a 2-D image, got shape {data.shape}; pick one frame")
    if not (math.isfinite(pixel_nm) and pixel_nm > 0 and window_nm > 0):
        raise ValueError(
            "pixel size and window must be positive (nm); calibrate the image with --scale"
        )
    window = max(16, 2 * int(round(window_nm / pixel_nm / 2)))
    if window > min(data.shape):
        raise ValueError(
            f"window {window} px is larger than the image {data.shape}; use a smaller window"
        )
    step = max(1, window // 4)
    windows = sliding_window_view(data, (window, window))[::step, ::step]
    grid = windows.shape[:2]
    stack = windows.reshape((-1, window, window))
    spectrum = PowerSpectrum(
        np.zeros((window, window)), np.zeros((window, window)), float(pixel_nm)
    )
    k = spectrum.k_radius_per_nm()
    band = (
        (k >= 1.0 / d_range_nm[1])
        & (k <= 1.0 / d_range_nm[0])
        & (k >= 3 * spectrum.k_step_per_nm[0])
    )
    labels, n = ring_labels(spectrum)
    snr, where = np.empty(len(stack)), np.empty(len(stack), dtype=int)
    for start in range(0, len(stack), _BATCH):
        if should_stop is not None and should_stop():
            raise InterruptedError("crystallinity map cancelled")
        chunk = slice(start, start + _BATCH)
        snr[chunk], where[chunk] = _strongest_spots(_window_power(stack[chunk]), labels, n, band)
    snr = snr.reshape(grid)
    crystalline = _drop_isolated(snr >= snr_threshold)
    d_nm = np.where(crystalline.ravel(), 1.0 / k.ravel()[where], np.nan).reshape(grid)
    pixel_map = _pixel_map(crystalline, data.shape, window, step)
    return CrystallinityMap(
        snr,
        d_nm,
        crystalline,
        pixel_map,
        window,
        step,
        float(pixel_nm),
        float(pixel_map.mean()),
        domain_size_nm(pixel_map, pixel_nm=pixel_nm),
        fraction_sigma(snr, snr_threshold, data.shape, window, step),
    )


def _window_areas(grid: tuple[int, int], shape, window: int, step: int) -> np.ndarray:
    """Fraction of the image's pixels that take each window's class (nearest window centre)."""
    half = (window - 1) / 2
    counts = [
        np.bincount(
            np.clip(np.rint((np.arange(n) - half) / step), 0, g - 1).astype(int), minlength=g
        )
        for n, g in zip(shape, grid)
    ]
    return np.outer(*counts) / float(shape[0] * shape[1])


def fraction_sigma(snr: np.ndarray, threshold: float, shape, window: int, step: int) -> float:
    """1σ of the crystalline fraction of a window SNR grid (see the module docstring).

    Parameters
    ----------
    snr : numpy.ndarray
        (n_rows, n_cols) strongest-spot SNR of every window.
    threshold : float
        SNR above which a window is crystalline.
    shape : tuple of int
        Image shape, px.
    window, step : int
        Window side and step, px.

    Returns
    -------
    float
        1σ of the fraction, 0-1.
    """
    areas = _window_areas(snr.shape, shape, window, step)
    span = max(1, window // step)
    spread = np.sqrt(1.0 + 2.0 * np.clip(snr, 0.0, None) / 3.0)
    rng = np.random.default_rng(0)
    fractions = []
    for _ in range(NOISE_DRAWS):
        field = ndimage.uniform_filter(rng.standard_normal(snr.shape), size=span, mode="wrap")
        crystalline = _drop_isolated(snr + spread * field * span >= threshold)
        fractions.append(float(np.sum(areas * crystalline)))
    pixel_map = _pixel_map(_drop_isolated(snr >= threshold), shape, window, step)
    boundary = np.count_nonzero(np.diff(pixel_map, axis=0)) + np.count_nonzero(
        np.diff(pixel_map, axis=1)
    )
    sampling = boundary * step / math.sqrt(12.0) / float(shape[0] * shape[1])
    return float(math.hypot(np.std(fractions), sampling))


def _drop_isolated(crystalline: np.ndarray) -> np.ndarray:
    """Windows overlap by 3/4, so a real crystal lights up neighbours: drop lone windows."""
    neighbours = (
        ndimage.convolve(crystalline.astype(int), np.ones((3, 3), int), mode="constant")
        - crystalline
    )
    return crystalline & (neighbours > 0)


def _pixel_map(
    crystalline: np.ndarray, shape: tuple[int, int], window: int, step: int
) -> np.ndarray:
    half = (window - 1) / 2
    rows = np.clip(
        np.rint((np.arange(shape[0]) - half) / step), 0, crystalline.shape[0] - 1
    ).astype(int)
    cols = np.clip(
        np.rint((np.arange(shape[1]) - half) / step), 0, crystalline.shape[1] - 1
    ).astype(int)
    return crystalline[rows[:, None], cols[None, :]]


def domain_size_nm(mask: np.ndarray, *, pixel_nm: float) -> float:
    """Area-weighted mean equivalent-circle diameter of the True regions of ``mask``, nm."""
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0.0
    areas = np.bincount(labels.ravel())[1:].astype(float)
    diameters = np.sqrt(4.0 * areas / math.pi) * pixel_nm
    return float(np.sum(diameters * areas) / np.sum(areas))
