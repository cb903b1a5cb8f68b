"""Crystalline vs amorphous map of an HRTEM image from a sliding-window FFT.

The image is cut into square windows (``window_nm``, default 3.2 nm — just
above the 2–3 nm critical size below which lithium and WO3 conversion products
stay amorphous) stepped by a quarter window. Each window is mean-subtracted,
Hann-windowed and Fourier transformed; its spot statistic is the largest
``(P₃ₓ₃ − B) / S`` in the spacing band ``d_range_nm`` (same SNR as the FFT spot
finder: 3×3-summed power against the median ``B`` and scaled MAD ``S`` of its
ring). A window is crystalline when that SNR exceeds ``snr_threshold`` and at
least one overlapping neighbour agrees (isolated noise windows are dropped).

The crystal's edge is placed inside the windows (:mod:`.crystallinity_boundary`): near the
edge of the detected region each window's excess power at the crystal's strongest reflection,
against that of the nearest window inside the crystal, gives the crystal's Hann-weighted share
of the window; the share is interpolated to every pixel and the crystal is where it is at least
½ — where a straight edge crosses the window centre. The crystalline area fraction is the mean
of that pixel map and its 1σ (``sigma_crystalline_fraction``) the scatter of the fraction over
maps redrawn with the windows' noise, the crystal's own window-to-window scatter and the edge
model's range (on at most :data:`_REDRAWN_PX` pixels per axis, every n-th), plus a sampling term
for the edges of crystals too small to have a fully covered window. The domain size is the
area-weighted mean equivalent-circle diameter ``sqrt(4A/π)`` of the connected crystalline regions
(a lower bound for domains cut by the image edge); its 1σ (``sigma_domain_size_nm``) is that of the
same redrawn maps with the sampling term carried to the diameter.

A lattice's fringes are delocalised across the crystal's edge
(:mod:`.crystallinity_delocalisation`): a half-amplitude band reaches ``dl`` to either side of it
along each reflection g that is a window's strongest. With the image's defocus and Cs given
(``imaging``) the edge is taken within ``±dl`` of the map's when the interior windows' SNR says
the band is detected (the map kept) and within ``dl`` inside it when it is not (the map dilated
by half the dominant reflections' ``dl``, ``delocalisation_nm``), and the 1σ carries that
range; without them it is not included (``delocalisation_nm`` nan), and at Cs 1.2 mm a crystal
can read 0.5–3 nm larger or smaller per edge.

Until session 11 every pixel took the class of the nearest window centre: a strong crystal lit
windows it covered by a third (+3 to +6 percentage points on 11–12 nm crystals at Scherzer
defocus, docs/fft.md), and every edge carried the one-step sampling term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from insitu_tem.analysis.hrtem import crystallinity_boundary as edge_model
from insitu_tem.analysis.hrtem.crystallinity_boundary import drop_isolated
from insitu_tem.analysis.hrtem.crystallinity_delocalisation import (
    Imaging,
    band_detection_probability,
    delocalisation_nm,
    delocalised_map,
    dominant_reflections,
    folded_reflections,
)
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, ring_labels, ring_statistics

DEFAULT_WINDOW_NM = 3.2
DEFAULT_SNR = 12.0
DEFAULT_D_RANGE_NM = (0.15, 0.6)
_BATCH = 64
_REDRAWN_PX = 512


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
        Image-sized bool map (crystal's share of the interpolated windows at least ½).
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
        1σ of :attr:`crystalline_fraction` (window noise and the crystal's own scatter, see
        :mod:`.crystallinity_boundary`; the delocalisation's range when it is known), 0-1.
    sigma_domain_size_nm : float
        1σ of :attr:`domain_size_nm` from the same redrawn maps, nm.
    delocalisation_nm : float
        Fringe delocalisation ``dl`` of the dominant reflections, nm: the 1σ carries every
        window-strongest reflection's range and the map is dilated by up to half of it where the
        half-amplitude band is not detected (nan when the image's aberrations were not given:
        not included).
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
    sigma_domain_size_nm: float = 0.0
    delocalisation_nm: float = math.nan

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


def _excess(
    power: np.ndarray, labels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3×3-summed power above its ring median, the ring's scaled MAD and its median, per
    window."""
    summed = ndimage.uniform_filter(power, size=(1, 3, 3), mode="wrap") * 9.0
    median, spread = ring_statistics(summed, labels, n)
    return summed - median[:, labels], spread[:, labels], median[:, labels]


def _strongest_spots(
    power: np.ndarray, labels: np.ndarray, n: int, band: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(SNR, flat spectrum index, excess power) of every window's strongest spot in ``band``."""
    excess, spread, _ = _excess(power, labels, n)
    floor = np.maximum(np.median(spread, axis=(-2, -1), keepdims=True) * 1e-6, 1e-300)
    snr = excess / np.maximum(spread, floor)
    snr = np.where(band, snr, -np.inf).reshape(len(power), -1)
    best = np.argmax(snr, axis=1)
    taken = np.arange(len(power))
    return snr[taken, best], best, excess.reshape(len(power), -1)[taken, best]


def crystallinity_map(
    image,
    *,
    pixel_nm: float,
    window_nm: float = DEFAULT_WINDOW_NM,
    snr_threshold: float = DEFAULT_SNR,
    d_range_nm: tuple[float, float] = DEFAULT_D_RANGE_NM,
    imaging: Imaging | None = None,
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
    imaging : Imaging, optional
        Defocus, Cs and beam energy of the image; when given the map and its 1σ take in the
        reflections' delocalisation (module docstring).
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
    snr, where, peak = (np.empty(len(stack)) for _ in range(3))
    for start in range(0, len(stack), _BATCH):
        if should_stop is not None and should_stop():
            raise InterruptedError("crystallinity map cancelled")
        chunk = slice(start, start + _BATCH)
        snr[chunk], where[chunk], peak[chunk] = _strongest_spots(
            _window_power(stack[chunk]), labels, n, band
        )
    snr, where, peak = snr.reshape(grid), where.reshape(grid).astype(int), peak.reshape(grid)
    crystalline = drop_isolated(snr >= snr_threshold)
    d_nm = np.where(crystalline, 1.0 / k.ravel()[where], np.nan)
    geometry = (window, step, edge_model.window_span(window, step))
    pixel_map, sigma, sigma_domain_px = _edge_map(
        snr, snr_threshold, (where, peak), stack, (labels, n), data.shape, geometry
    )
    delocalised = math.nan
    if imaging is not None and crystalline.any():
        pixel_map, sigma_dl, sigma_domain_dl, delocalised = _delocalised(
            pixel_map, imaging, where[crystalline], snr, snr_threshold, geometry, pixel_nm
        )
        sigma = math.hypot(sigma, sigma_dl)
        sigma_domain_px = math.hypot(sigma_domain_px, sigma_domain_dl)
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
        sigma,
        sigma_domain_px * float(pixel_nm),
        delocalised,
    )


def _delocalised(pixel_map, imaging, where, snr, threshold, geometry, pixel_nm):
    """(map, fraction 1σ, domain-size 1σ in px, dominant dl in nm) with the delocalisation of
    the crystalline windows' strongest reflections (flat spectrum indices ``where``) taken in
    (:func:`.crystallinity_delocalisation.delocalised_map`)."""
    window, _, span = geometry
    found = _reflection_per_nm(where, window, pixel_nm)
    g = folded_reflections(found)
    lengths = np.hypot(*g.T)
    shifts = np.array([delocalisation_nm(float(k), imaging) for k in lengths])
    dominant = dominant_reflections(found, tolerance_per_nm=1.0 / (window * pixel_nm))
    delocalised = delocalisation_nm(float(np.hypot(*dominant[0])), imaging)
    detected = band_detection_probability(
        snr, threshold, span=span, bins=edge_model.summed_noise(window)[0]
    )
    pixel_map, sigma, sigma_domain = delocalised_map(
        pixel_map,
        delocalised / pixel_nm * dominant / np.hypot(*dominant.T)[:, None],
        (shifts / lengths)[:, None] * g / pixel_nm,
        detected=detected,
    )
    return pixel_map, sigma, sigma_domain, delocalised


def _reflection_per_nm(index: np.ndarray, window: int, pixel_nm: float) -> np.ndarray:
    """(n, 2) (row, col) spatial frequency, 1/nm, of flat indices into a centred window
    spectrum."""
    rc = np.stack(np.unravel_index(index, (window, window)), axis=-1) - window // 2
    return rc / (window * pixel_nm)


def _edge_excess(stack, cells, index, rings, per_median) -> tuple[np.ndarray, np.ndarray]:
    """Excess power of the windows ``cells`` at their spectrum ``index`` and its noise 1σ (the
    ring median times ``per_median``, :func:`.crystallinity_boundary.summed_noise`)."""
    excess, noise = np.empty(len(cells)), np.empty(len(cells))
    for start in range(0, len(cells), _BATCH):
        chunk = slice(start, start + _BATCH)
        ring_excess, _, ring_median = _excess(_window_power(stack[cells[chunk]]), *rings)
        taken = (np.arange(len(ring_excess)), index[chunk])
        excess[chunk] = ring_excess.reshape(len(ring_excess), -1)[taken]
        noise[chunk] = ring_median.reshape(len(ring_excess), -1)[taken] * per_median
    return excess, np.maximum(noise, 1e-300)


def _edge_map(snr, threshold, strongest, stack, rings, shape, geometry):
    """Pixel map, fraction 1σ and domain-size 1σ (px) with the crystal's edge placed inside
    the windows (:mod:`.crystallinity_boundary`)."""
    where, peak = strongest
    window, step, span = geometry
    detected = drop_isolated(snr >= threshold)
    edge = edge_model.edge_windows(detected, span)
    interior = edge_model.interior_windows(detected, span)
    edge &= interior.any()
    bins, per_median = edge_model.summed_noise(window)
    excess, spread = np.zeros(snr.shape), np.ones(snr.shape)
    reference, scatter = np.zeros(snr.shape), np.zeros(snr.shape)
    if interior.any():
        nearest, close = edge_model.nearest_interior(interior, span)
        edge &= close
    if edge.any():
        cells = np.flatnonzero(edge)
        source = tuple(axis.ravel()[cells] for axis in nearest)
        excess.flat[cells], spread.flat[cells] = _edge_excess(
            stack, cells, where[source], rings, per_median
        )
        reference.flat[cells] = peak[source]
        scatter.flat[cells] = edge_model.relative_scatter(peak, interior, span)[source]
    weights = [edge_model.bilinear_weights(n, g, window, step) for n, g in zip(shape, snr.shape)]
    profile = edge_model.edge_profile(window)
    share = edge_model.amplitude_share(detected, edge, excess, reference, profile)
    strides = [max(1, len(w) // _REDRAWN_PX) for w in weights]
    fractions, sizes = edge_model.redrawn_fractions(
        snr,
        threshold,
        edge,
        (excess, spread, reference, scatter),
        [w[::stride] for w, stride in zip(weights, strides)],
        edge_model.noise_kernel(window, step),
        profile,
        bins,
    )
    pixel_map = edge_model.pixel_crystal(share, *weights)
    sampling = edge_model.sampling_sigma(pixel_map, edge, window, step)
    domain = edge_model.domain_sigma_px(
        sizes, math.sqrt(strides[0] * strides[1]), pixel_map, sampling
    )
    return pixel_map, edge_model.fraction_sigma(fractions, sampling), domain


def domain_size_nm(mask: np.ndarray, *, pixel_nm: float) -> float:
    """Area-weighted mean equivalent-circle diameter of the True regions of ``mask``, nm."""
    return edge_model.equivalent_diameter_px(mask) * pixel_nm


def domain_size_status(result: CrystallinityMap) -> tuple[bool, str]:
    """Whether :attr:`CrystallinityMap.domain_size_nm` measures a domain, and why not.

    Parameters
    ----------
    result : CrystallinityMap

    Returns
    -------
    ok : bool
        False when no pixel is crystalline (there is no domain; ``domain_size_nm`` is 0) or
        every pixel is (no boundary is seen: the crystal fills the field of view and
        ``domain_size_nm``, the field's equivalent-circle diameter, is only a lower bound).
    reason : str
        Why ``ok`` is False ("" when it is True).
    """
    mask = np.asarray(result.pixel_map, bool)
    if not mask.any():
        return False, "no crystalline region: no domain to size"
    if mask.all():
        return False, "the crystal fills the field of view (no boundary seen): domains are larger"
    return True, ""


def fraction_sigma_status(result: CrystallinityMap) -> tuple[bool, str]:
    """Whether :attr:`CrystallinityMap.sigma_crystalline_fraction` is a measured 1σ, and why not.

    A 1σ of exactly 0 means no redraw of the windows' noise moved the fraction (every window far
    from the threshold, no crystal edge in the field): the scatter did not measure anything.

    Returns
    -------
    ok : bool
    reason : str
        Why ``ok`` is False ("" when it is True).
    """
    if result.sigma_crystalline_fraction > 0:
        return True, ""
    return False, (
        "not measured: every window lies far from the threshold and no crystal edge lies in the "
        "field: no redraw of the windows' noise moves the fraction, which leaves its 1σ unmeasured "
        "(not 0)"
    )
