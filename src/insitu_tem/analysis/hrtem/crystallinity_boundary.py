"""Where a crystal ends inside the sliding windows of the crystallinity map.

A window the crystal covers only in part still shows the crystal's reflection, weaker and
broader. For a straight edge at a distance x from the window centre (crystal side positive) the
crystal's Hann-weighted share of a window of side W is ``f(x) = ½ + x/W + sin(2πx/W)/2π``, ½
exactly when the centre lies on the edge, and the ratio R(x) of the window's 3×3-summed excess
power at the reflection to that of a fully covered window follows from the Hann window alone
(:func:`edge_profile`). It lies between two limits: f², the power at the reflection itself, and
the 3×3 sum of the edge-cut fringe's DFT averaged over the reflection's sub-pixel position,
which keeps the power the cut spreads into the neighbouring bins (R(0) = 0.25 and 0.38). R is
the upper limit (since session 18): on generated fringes, on the crystal-beside-amorphous
composites with a corrector and on one-multislice boundaries the spread power is kept (R midway,
with half the limits' difference as a systematic term until session 18, put the edge +2 px into
the amorphous side; docs/fft.md). The measured ratio gives each window near the edge its share
``a = f(R⁻¹(E / E_ref))`` and the edge lies where ``a`` crosses ½. The window SNR cannot place
the edge: the cut's streaks raise the ring spread the SNR is divided by, so a window half on a
strong crystal can read an SNR of 10 and one a third on it 50.

The *edge windows* are those within half a window of the detected region's edge, on either side
(the windows a straight edge can cut); each is compared with its nearest *interior* window
(detected, with every window within half a window detected too: fully covered) if one lies
within one window: the edge window's excess ``E`` at that interior window's strongest
reflection against the interior window's own excess ``E_ref`` there. Other detected windows take
``a = 1``, other undetected ones ``a = 0``; ``a`` is interpolated bilinearly from the window
centres to every pixel and the crystal is where it is at least ½ (between two centres a quarter
window apart the interpolation is within 0.005 window of the profile's crossing). A crystal with
no interior window within one window of its edge (smaller than about 1.5 windows) has no
reference: its edge falls midway between a detected and an undetected window, anywhere within
±step/2, a sampling term ``step / √12`` per edge pixel, summed along the edge.

The 1σ of the crystalline fraction redraws the map :data:`NOISE_DRAWS` times. Noise of power n
per FFT px gives the 3×3-summed power a standard deviation ``c n`` with ``c = 4.8`` for the Hann
window's correlated bins (:func:`summed_noise`; 3 for independent bins) and a reflection of
excess E adds ``2nE`` to its variance. So every window's detection SNR scatters by
``sqrt(1 + 2 (SNR − SNR₀) / c)``, SNR₀ the median SNR of the undetected windows (what noise
alone reaches as a band maximum: no reflection's excess); each edge window's excess by the same
law with n from its ring median (the median of a gamma variable of that mean and variance; the
ring's MAD would count the cut's streaks as noise); ``E_ref`` by the relative scatter of the
excess over the interior windows within one window of it (the crystal's own thickness and
bending). Windows overlap: two Hann-windowed powers ``s`` apart correlate as ``ρ(s)²``, ``ρ`` the
windows' overlap (:func:`noise_kernel`: 0.44 one step apart, 0.03 two steps), and the redrawn
fields carry that correlation. The 1σ is the redrawn fractions' standard deviation and the
sampling term in quadrature.

The domain size (the area-weighted mean equivalent-circle diameter of the crystalline regions,
:func:`equivalent_diameter_px`) is measured on the same redrawn maps: its 1σ is their domain
sizes' standard deviation and, in quadrature, the sampling term carried to the diameter
(``D = √(4A/π)``: ``σ_D / D = σ_A / 2A``, with ``σ_A`` the sampling term's area).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

NOISE_DRAWS = 32


def summed_noise(window: int) -> tuple[float, float]:
    """(c, σ/median) of the 3×3-summed power of Hann-windowed white noise: its standard
    deviation is ``c n`` for a mean power ``n`` per FFT px (``c = Σ |ρ(a − b)|²`` over the 3×3
    bins, ρ the Hann spectrum's bin-to-bin amplitude correlation; 3 for independent bins), and
    as a gamma variable of the same mean ``9n`` and variance its standard deviation over its
    median."""
    from scipy import stats  # 0.5 CPU s: not at the GUI's start

    hann2 = np.hanning(window + 2)[1:-1] ** 2
    rho = np.abs(np.fft.fft(hann2))[:3] / np.sum(hann2)
    c = float(sum(rho[abs(a - b)] ** 2 for a in range(3) for b in range(3)))
    shape = 81.0 / c**2
    return c, c / (9.0 / shape * stats.gamma.median(shape))


def edge_windows(detected: np.ndarray, span: int) -> np.ndarray:
    """Windows within half a window (``span // 2`` steps, 8-connected) of a window of the other
    class, on either side of the detected region's edge: those a straight edge can cut."""
    half = max(1, span // 2)
    structure = np.ones((2 * half + 1, 2 * half + 1), bool)
    inside = ndimage.binary_erosion(detected, structure, border_value=1)
    return ndimage.binary_dilation(detected, structure) & ~inside


def interior_windows(detected: np.ndarray, span: int) -> np.ndarray:
    """Detected windows whose neighbours within half a window (``span // 2`` steps) are all
    detected: windows a crystal covers fully."""
    half = max(1, span // 2)
    structure = np.ones((2 * half + 1, 2 * half + 1), bool)
    return ndimage.binary_erosion(detected, structure, border_value=1)


def nearest_interior(interior: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """(2, n_rows, n_cols) grid indices of the nearest interior window of every window, and
    whether it lies within one window (``span`` steps)."""
    distance, indices = ndimage.distance_transform_edt(~interior, return_indices=True)
    return indices, distance <= span


def relative_scatter(excess: np.ndarray, interior: np.ndarray, span: int) -> np.ndarray:
    """Relative standard deviation of ``excess`` over the interior windows within one window
    (``span`` steps) of every window (0 where fewer than two)."""
    size = 2 * span + 1
    weight = interior.astype(float)
    count = ndimage.uniform_filter(weight, size=size, mode="constant") * size**2
    first = ndimage.uniform_filter(weight * excess, size=size, mode="constant") * size**2
    second = ndimage.uniform_filter(weight * excess**2, size=size, mode="constant") * size**2
    mean = first / np.maximum(count, 1.0)
    variance = (second - count * mean**2) / np.maximum(count - 1.0, 1.0)
    ok = (count >= 2) & (mean > 0)
    return np.where(ok, np.sqrt(np.clip(variance, 0.0, None)) / np.where(ok, mean, 1.0), 0.0)


def bilinear_weights(n: int, grid: int, window: int, step: int) -> np.ndarray:
    """(n, grid) weights interpolating values at the window centres to ``n`` pixels (constant
    beyond the first and last centre)."""
    position = np.clip((np.arange(n) - (window - 1) / 2) / step, 0, grid - 1)
    low = np.minimum(np.floor(position).astype(int), max(grid - 2, 0))
    frac = position - low
    weights = np.zeros((n, grid))
    weights[np.arange(n), low] = 1.0 - frac if grid > 1 else 1.0
    if grid > 1:
        weights[np.arange(n), low + 1] = frac
    return weights


def edge_profile(window: int, *, points: int = 129, offsets: int = 11) -> tuple:
    """(R, f) of a straight edge at ``points`` distances x from −W/2 to W/2 (module
    docstring): the ratio of the edge-cut window's 3×3-summed excess power to the full
    window's at its upper limit — the 3×3 sum of the edge-cut fringe's DFT (1-D: the sum along
    the edge cancels) averaged over ``offsets`` sub-pixel reflection positions, which keeps the
    broadened power — and the crystal's Hann-weighted share f of the window."""
    r = np.arange(window) - (window - 1) / 2
    hann = np.hanning(window + 2)[1:-1]
    x = np.linspace(-window / 2, window / 2, points)
    k = window // 4
    ratio = np.zeros(points)
    for delta in np.linspace(-0.5, 0.5, offsets):
        fringe = hann * np.exp(2j * np.pi * (k + delta) * r / window)
        cut = np.fft.fft((r[None, :] <= x[:, None]) * fringe, axis=-1)[:, k - 1 : k + 2]
        full = np.fft.fft(fringe)[k - 1 : k + 2]
        ratio += np.sum(np.abs(cut) ** 2, axis=-1) / np.sum(np.abs(full) ** 2) / offsets
    share = np.clip(0.5 + x / window + np.sin(2 * np.pi * x / window) / (2 * np.pi), 0.0, 1.0)
    return np.maximum.accumulate(ratio), share


def amplitude_share(
    detected: np.ndarray,
    edge: np.ndarray,
    excess: np.ndarray,
    reference: np.ndarray,
    profile: tuple,
) -> np.ndarray:
    """The crystal's share ``a`` of every window (module docstring): ``f(R⁻¹(E / E_ref))`` on
    the ``edge`` windows, 1 on the other detected ones, 0 elsewhere."""
    ratio = np.clip(excess / np.where(reference > 0, reference, np.inf), 0.0, 1.0)
    return np.where(edge, np.interp(ratio, *profile), detected.astype(float))


def pixel_crystal(share: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Pixels whose share interpolated from the window centres (``rows @ share @ cols.T``) is
    at least ½."""
    return rows @ share @ cols.T >= 0.5


def drop_isolated(crystalline: np.ndarray) -> np.ndarray:
    """Windows overlap by 3/4, so a real crystal lights up neighbours: drop lone windows."""
    neighbours = (
        ndimage.convolve(crystalline.astype(int), np.ones((3, 3), int), mode="constant")
        - crystalline
    )
    return crystalline & (neighbours > 0)


def noise_kernel(window: int, step: int) -> np.ndarray:
    """1-D kernel whose autocorrelation on the window grid is that of two Hann-windowed power
    values ``lag`` steps apart under white noise, ``ρ(lag step)²`` with ``ρ(s) = Σ w(r) w(r+s) /
    Σ w²`` (complex Gaussian amplitudes: cov(|a|², |b|²) = |cov(a, b)|²); unit sum of squares."""
    hann = np.hanning(window + 2)[1:-1]
    lags = np.arange(0, window, step)
    rho = np.array([np.sum(hann[: window - s] * hann[s:]) for s in lags]) / np.sum(hann**2)
    size = 8 * len(lags) + 1
    correlation = np.zeros(size)
    correlation[: len(lags)] = rho**2
    correlation[size - len(lags) + 1 :] = (rho**2)[1:][::-1]
    root = np.fft.ifft(np.sqrt(np.clip(np.fft.fft(correlation).real, 0.0, None))).real
    kernel = np.fft.fftshift(root)[size // 2 - 2 * len(lags) : size // 2 + 2 * len(lags) + 1]
    return kernel / np.sqrt(np.sum(kernel**2))


def redrawn_fractions(
    snr: np.ndarray,
    threshold: float,
    edge: np.ndarray,
    edge_excess: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    weights: tuple[np.ndarray, np.ndarray],
    kernel: np.ndarray,
    profile: tuple,
    bins: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Crystalline fractions and domain sizes (:func:`equivalent_diameter_px`, in the redrawn
    maps' pixels) of :data:`NOISE_DRAWS` redrawn maps (module docstring).

    ``edge_excess`` is (excess, its noise standard deviation, reference excess, the reference's
    relative scatter) on the window grid, used on the ``edge`` windows only; ``weights`` the
    row and column interpolation weights of :func:`bilinear_weights`; ``kernel`` that of
    :func:`noise_kernel`; ``profile`` the edge profile of :func:`edge_profile`; ``bins`` the
    ``c`` of :func:`summed_noise`.
    """
    excess, spread, reference, scatter = edge_excess
    background = snr[~drop_isolated(snr >= threshold)]
    typical = float(np.median(background)) if background.size else 0.0
    snr_scatter = np.sqrt(1.0 + 2.0 * np.clip(snr - typical, 0.0, None) / bins)
    excess_scatter = spread * np.sqrt(1.0 + 2.0 * np.clip(excess / spread, 0.0, None) / bins)
    rng = np.random.default_rng(0)

    def field() -> np.ndarray:
        noise = ndimage.convolve1d(rng.standard_normal(snr.shape), kernel, axis=0, mode="wrap")
        return ndimage.convolve1d(noise, kernel, axis=1, mode="wrap")

    fractions, sizes = np.empty(NOISE_DRAWS), np.empty(NOISE_DRAWS)
    for i in range(NOISE_DRAWS):
        found = drop_isolated(snr + snr_scatter * field() >= threshold)
        share = amplitude_share(
            found,
            edge,
            excess + excess_scatter * field(),
            reference * (1.0 + scatter * field()),
            profile,
        )
        redrawn = pixel_crystal(share, *weights)
        fractions[i], sizes[i] = float(redrawn.mean()), equivalent_diameter_px(redrawn)
    return fractions, sizes


def equivalent_diameter_px(mask: np.ndarray) -> float:
    """Area-weighted mean equivalent-circle diameter ``sqrt(4A/π)`` of the True regions of
    ``mask``, px (0 when there is none)."""
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0.0
    areas = np.bincount(labels.ravel())[1:].astype(float)
    return float(np.sum(np.sqrt(4.0 * areas / math.pi) * areas) / np.sum(areas))


def domain_sigma_px(sizes: np.ndarray, stride: float, pixel_map: np.ndarray, sampling: float):
    """1σ (px) of the domain size of ``pixel_map``: the standard deviation of the redrawn maps'
    ``sizes`` (in their pixels, ``stride`` image px on a side) and the ``sampling`` 1σ of the
    fraction carried to the diameter, in quadrature (module docstring)."""
    spread = float(np.std(sizes, ddof=1)) * stride if len(sizes) > 1 else 0.0
    fraction = float(np.mean(pixel_map))
    carried = equivalent_diameter_px(pixel_map) * sampling / (2.0 * fraction) if fraction else 0.0
    return math.hypot(spread, carried)


def sampling_sigma(pixel_map: np.ndarray, measured: np.ndarray, window: int, step: int) -> float:
    """1σ of the fraction from the edges the windows do not measure (no interior window within
    one window): there the edge falls midway between two window centres, anywhere within ±step/2
    of the truth, ``step / √12`` per edge pixel, summed along the edge (module docstring)."""
    nearest = [
        np.clip(np.rint((np.arange(n) - (window - 1) / 2) / step), 0, g - 1).astype(int)
        for n, g in zip(pixel_map.shape, measured.shape)
    ]
    unmeasured = ~measured[nearest[0][:, None], nearest[1][None, :]]
    edges = np.count_nonzero(np.diff(pixel_map, axis=0) & unmeasured[1:]) + np.count_nonzero(
        np.diff(pixel_map, axis=1) & unmeasured[:, 1:]
    )
    return edges * step / math.sqrt(12.0) / float(pixel_map.size)


def fraction_sigma(fractions: np.ndarray, sampling: float) -> float:
    """Standard deviation of the redrawn fractions and the ``sampling`` 1σ in quadrature."""
    spread = float(np.std(fractions, ddof=1)) if len(fractions) > 1 else 0.0
    return math.hypot(spread, sampling)


def window_span(window: int, step: int) -> int:
    """Steps per window side."""
    return max(1, int(math.ceil(window / step)))
