"""Lattice spacings from the FFT of an HRTEM region: power spectrum, spots, refinement.

The region is mean-subtracted and multiplied by a 2-D Hann window before the
FFT. Spots are local maxima of a 3×3-summed power spectrum whose signal-to-noise
ratio, ``(P - B(|k|)) / S(|k|)`` with ``B`` and ``S`` the median and scaled MAD of
the ring at the same spatial frequency, exceeds a threshold. Each Friedel pair
(g, -g) is reported once, as the member pointing into the upper half of the
displayed spectrum (angle in [0, 180) degrees counter-clockwise from +x, y up).

Spot positions are refined to sub-pixel precision by :mod:`.spot_refinement`.
Positions are in FFT pixels from the centre, (row, col); ``g`` is in 1/nm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_spot_refinement import refine_position

SPOT_SIGMA_FACTOR = 0.33
_MIN_RADIUS_PX = 3.0
_MIN_RING_PIXELS = 200


@dataclass(frozen=True, eq=False)
class PowerSpectrum:
    """Hann-windowed power spectrum of an image region.

    Attributes
    ----------
    power : numpy.ndarray
        ``|FFT|²`` of the windowed, mean-subtracted region, float64, zero
        frequency at (rows // 2, cols // 2).
    windowed : numpy.ndarray
        The windowed, mean-subtracted region (float64), for sub-pixel refinement.
    pixel_nm : float
        Real-space pixel size, nm.
    """

    power: np.ndarray
    windowed: np.ndarray
    pixel_nm: float

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(int(n) for n in self.power.shape)

    @property
    def centre(self) -> tuple[int, int]:
        """Index (row, col) of zero frequency in :attr:`power`."""
        return self.shape[0] // 2, self.shape[1] // 2

    @property
    def k_step_per_nm(self) -> tuple[float, float]:
        """Spatial-frequency step of one FFT pixel along (row, col), 1/nm."""
        return 1.0 / (self.shape[0] * self.pixel_nm), 1.0 / (self.shape[1] * self.pixel_nm)

    def log_power(self) -> np.ndarray:
        """log(1 + power) as float32, for display."""
        return np.log1p(self.power).astype(np.float32)

    def k_radius_per_nm(self) -> np.ndarray:
        """|k| of every pixel of :attr:`power`, 1/nm."""
        (r0, c0), (sr, sc) = self.centre, self.k_step_per_nm
        rows = (np.arange(self.shape[0]) - r0)[:, None] * sr
        cols = (np.arange(self.shape[1]) - c0)[None, :] * sc
        return np.hypot(rows, cols)


@dataclass(frozen=True)
class Spot:
    """One reflection (a Friedel pair reported once).

    Attributes
    ----------
    row_px, col_px : float
        Sub-pixel position from the spectrum centre, FFT px (row down, col right).
    g_per_nm : float
        Length of the reciprocal vector, 1/nm.
    angle_deg : float
        Direction of g, degrees counter-clockwise from +x with y up, in [0, 180).
    snr : float
        Peak of the 3×3-summed power above the ring background, in units of
        the ring's noise (scaled MAD).
    intensity : float
        Fraction of the region's (windowed) variance carried by the Friedel pair.
    sigma_g_per_nm : float
        Estimated 1-σ uncertainty of each component of g, 1/nm.
    g_row_per_nm, g_col_per_nm : float
        Components of g along (row, col), 1/nm.
    """

    row_px: float
    col_px: float
    g_per_nm: float
    angle_deg: float
    snr: float
    intensity: float
    sigma_g_per_nm: float
    g_row_per_nm: float
    g_col_per_nm: float

    @property
    def d_nm(self) -> float:
        """Lattice-plane spacing 1/g, nm."""
        return 1.0 / self.g_per_nm

    @property
    def d_A(self) -> float:  # noqa: N802 - unit suffix
        """Lattice-plane spacing, Å."""
        return 10.0 / self.g_per_nm

    @property
    def g_per_A(self) -> float:  # noqa: N802 - unit suffix
        """Reciprocal length 1/d, 1/Å."""
        return self.g_per_nm / 10.0

    @property
    def g_vector(self) -> np.ndarray:
        """g as a (row, col) vector, 1/nm."""
        return np.array([self.g_row_per_nm, self.g_col_per_nm])


@dataclass(frozen=True)
class SpotSearch:
    """Result of :func:`find_spots`.

    Attributes
    ----------
    ok : bool
        True when at least one spot passed the threshold.
    reason : str
        Why nothing was found ("" when ok).
    spots : tuple of Spot
        Sorted by decreasing SNR.
    """

    ok: bool
    reason: str
    spots: tuple[Spot, ...]


def power_spectrum(image, *, pixel_nm: float) -> PowerSpectrum:
    """Hann-windowed power spectrum of a 2-D region.

    Parameters
    ----------
    image : array_like
        2-D real image region (complex: modulus), at least 16 × 16 px.
    pixel_nm : float
        Pixel size, nm (pass 1.0 for an uncalibrated image: lengths are then in px).

    Returns
    -------
    PowerSpectrum
    """
    data = np.asarray(image)
    if data.ndim != 2 or min(data.shape) < 16:
        raise ValueError(
            f"need a 2-D region of at least 16 × 16 px, got shape {data.shape}; enlarge the ROI"
        )
    if not (math.isfinite(pixel_nm) and pixel_nm > 0):
        raise ValueError(
            f"pixel size {pixel_nm!r} nm is not positive; calibrate the image (--scale)"
        )
    data = np.abs(data) if np.iscomplexobj(data) else data.astype(np.float64)
    if not np.all(np.isfinite(data)):
        raise ValueError(
            "the region contains NaN or infinite pixels; choose an ROI inside the valid data"
        )
    window = np.outer(np.hanning(data.shape[0] + 2)[1:-1], np.hanning(data.shape[1] + 2)[1:-1])
    windowed = (data - data.mean()) * window
    power = np.abs(np.fft.fftshift(np.fft.fft2(windowed))) ** 2
    return PowerSpectrum(power=power, windowed=windowed, pixel_nm=float(pixel_nm))


def ring_statistics(
    values: np.ndarray, labels: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Median and scaled MAD (1.4826 MAD) of ``values`` in each ring of ``labels``.

    Neighbouring rings are pooled until at least _MIN_RING_PIXELS pixels are
    used. ``values`` may carry leading batch dimensions (..., rows, cols);
    the results then have shape (..., n).
    """
    order = np.argsort(labels, axis=None, kind="stable")
    flat = values.reshape(values.shape[:-2] + (-1,))[..., order]
    bounds = np.searchsorted(labels.ravel()[order], np.arange(n + 1))
    median = np.zeros(values.shape[:-2] + (n,))
    spread = np.zeros_like(median)
    for i in range(n):
        half = 0
        while (
            bounds[min(i + half + 1, n)] - bounds[max(i - half, 0)] < _MIN_RING_PIXELS and half < n
        ):
            half += 1
        ring = flat[..., bounds[max(i - half, 0)] : bounds[min(i + half + 1, n)]]
        median[..., i] = np.median(ring, axis=-1)
        spread[..., i] = 1.4826 * np.median(np.abs(ring - median[..., i, None]), axis=-1)
    return median, spread


def ring_labels(spectrum: PowerSpectrum) -> tuple[np.ndarray, int]:
    """Integer ring index of every spectrum pixel (width one FFT px) and the ring count."""
    step = min(spectrum.k_step_per_nm)
    labels = np.rint(spectrum.k_radius_per_nm() / step).astype(np.int64)
    return labels, int(labels.max()) + 1


@dataclass(frozen=True, eq=False)
class SnrMap:
    """Signal-to-noise map of a power spectrum (see :func:`snr_map`).

    Attributes
    ----------
    snr : numpy.ndarray
        (P₃ₓ₃ - B) / S per pixel, same shape as the spectrum.
    noise_power : numpy.ndarray
        Mean power of the ring background per pixel (unsummed), for uncertainties.
    """

    snr: np.ndarray
    noise_power: np.ndarray


def snr_map(spectrum: PowerSpectrum) -> SnrMap:
    """Spot signal-to-noise map: 3×3-summed power against the local background and noise of its
    ring.

    The background B(|k|) is the median of each one-pixel ring on its own, so the steep fall of
    the power near zero frequency does not leak into neighbouring rings; the noise is B times the
    scaled MAD of the relative deviations ``P₃ₓ₃ / B − 1``, pooled over neighbouring rings until
    enough pixels are used (the ring of an 8-px reflection holds only ~50).

    Parameters
    ----------
    spectrum : PowerSpectrum

    Returns
    -------
    SnrMap
    """
    summed = ndimage.uniform_filter(spectrum.power, size=3, mode="wrap") * 9.0
    labels, n = ring_labels(spectrum)
    index = np.arange(n)
    own = np.asarray(ndimage.median(summed, labels, index), dtype=float)
    raw_median = np.asarray(ndimage.median(spectrum.power, labels, index), dtype=float)
    floor = max(float(np.median(own[own > 0])) if np.any(own > 0) else 1.0, 1e-300) * 1e-9
    background = np.maximum(own, floor)[labels]
    relative_median, relative_spread = ring_statistics(summed / background - 1.0, labels, n)
    spread = np.maximum(relative_spread[labels], 1e-6) * background
    snr = (summed - background * (1.0 + relative_median[labels])) / spread
    return SnrMap(snr=snr, noise_power=np.maximum(raw_median, 0.0)[labels] / math.log(2.0))


def _upper_half(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return (rows < 0) | ((rows == 0) & (cols > 0))


def find_spots(
    spectrum: PowerSpectrum,
    *,
    snr_threshold: float = 15.0,
    d_min_nm: float | None = None,
    d_max_nm: float | None = None,
    max_spots: int | None = 30,
    snr: SnrMap | None = None,
) -> SpotSearch:
    """Find and refine the reflections of a power spectrum, each Friedel pair once.

    Parameters
    ----------
    spectrum : PowerSpectrum
    snr_threshold : float
        Minimum spot SNR (ring-noise units of the 3×3-summed power).
    d_min_nm, d_max_nm : float or None
        Keep spacings in this range, nm (default: up to Nyquist; down to 3 FFT px).
    max_spots : int or None
        Return at most this many spots, strongest first (None: all).
    snr : SnrMap, optional
        :func:`snr_map` of ``spectrum`` when already computed.

    Returns
    -------
    SpotSearch
    """
    if snr_threshold <= 0 or (max_spots is not None and max_spots < 1):
        raise ValueError("snr_threshold must be > 0 and max_spots >= 1")
    snr = snr_map(spectrum) if snr is None else snr
    peaks = (ndimage.maximum_filter(snr.snr, size=5, mode="wrap") == snr.snr) & (
        snr.snr >= snr_threshold
    )
    k = spectrum.k_radius_per_nm()
    k_min = max(_MIN_RADIUS_PX * min(spectrum.k_step_per_nm), 1.0 / d_max_nm if d_max_nm else 0.0)
    keep = peaks & (k >= k_min)
    if d_min_nm:
        keep &= k <= 1.0 / d_min_nm
    r0, c0 = spectrum.centre
    rows, cols = np.nonzero(keep)
    upper = _upper_half(rows - r0, cols - c0)
    rows, cols = rows[upper], cols[upper]
    order = np.argsort(-snr.snr[rows, cols])[:max_spots]
    spots = [make_spot(spectrum, snr, r, c) for r, c in zip(rows[order], cols[order])]
    if not spots:
        return SpotSearch(
            False, f"no spot above SNR {snr_threshold:g}: amorphous, too thin or too noisy", ()
        )
    return SpotSearch(True, "", tuple(spots))


def _total_power(spectrum: PowerSpectrum) -> float:
    r0, c0 = spectrum.centre
    return float(spectrum.power.sum() - spectrum.power[r0, c0]) or 1.0


def make_spot(
    spectrum: PowerSpectrum, snr: SnrMap, row: int, col: int, *, canonical: bool = True
) -> Spot:
    """Refined :class:`Spot` at spectrum pixel (row, col) (absolute indices), pointing into the
    upper
    half when ``canonical``; its 1σ from the power against the ring's noise power."""
    r0, c0 = spectrum.centre
    d_row, d_col = refine_position(spectrum, row - r0, col - c0)
    if canonical and d_row > 0:
        d_row, d_col = -d_row, -d_col
    box = spectrum.power[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3]
    excess = float(np.clip(box - snr.noise_power[row, col], 0, None).sum())
    peak = float(spectrum.power[row, col])
    sigma_px = SPOT_SIGMA_FACTOR * math.sqrt(snr.noise_power[row, col] / max(peak, 1e-300))
    return spot_from_position(
        spectrum,
        d_row,
        d_col,
        snr=float(snr.snr[row, col]),
        intensity=2.0 * excess / _total_power(spectrum),
        sigma_px=sigma_px,
    )


def spot_from_position(
    spectrum: PowerSpectrum,
    d_row: float,
    d_col: float,
    *,
    snr: float = math.nan,
    intensity: float = math.nan,
    sigma_px: float = math.nan,
) -> Spot:
    """Build a :class:`Spot` from a position in FFT px from the centre (row, col)."""
    sr, sc = spectrum.k_step_per_nm
    g_row, g_col = d_row * sr, d_col * sc
    angle = math.degrees(math.atan2(-g_row, g_col))
    return Spot(
        row_px=float(d_row),
        col_px=float(d_col),
        g_per_nm=float(math.hypot(g_row, g_col)),
        angle_deg=float(angle % 180.0),
        snr=snr,
        intensity=intensity,
        sigma_g_per_nm=float(sigma_px * math.sqrt(sr * sc)),
        g_row_per_nm=float(g_row),
        g_col_per_nm=float(g_col),
    )


def spot_near(
    spectrum: PowerSpectrum,
    d_row: float,
    d_col: float,
    *,
    search_px: int = 3,
    snr: SnrMap | None = None,
) -> Spot:
    """Refined spot at the power maximum within ``search_px`` of a clicked position.

    Parameters
    ----------
    spectrum : PowerSpectrum
    d_row, d_col : float
        Clicked position from the spectrum centre, FFT px.
    search_px : int
        Half-size of the search box, FFT px.
    snr : SnrMap, optional
        :func:`snr_map` of ``spectrum`` when already computed.
    """
    r0, c0 = spectrum.centre
    snr = snr_map(spectrum) if snr is None else snr
    row, col = int(round(r0 + d_row)), int(round(c0 + d_col))
    n_rows, n_cols = spectrum.shape
    r_lo, r_hi = max(row - search_px, 0), min(row + search_px + 1, n_rows)
    c_lo, c_hi = max(col - search_px, 0), min(col + search_px + 1, n_cols)
    if r_lo >= r_hi or c_lo >= c_hi:
        raise ValueError(
            f"position ({d_row:.1f}, {d_col:.1f}) px lies outside the spectrum; click inside it"
        )
    box = spectrum.power[r_lo:r_hi, c_lo:c_hi].copy()
    if r_lo <= r0 < r_hi and c_lo <= c0 < c_hi:
        box[r0 - r_lo, c0 - c_lo] = -np.inf
    best = np.unravel_index(int(np.argmax(box)), box.shape)
    return make_spot(spectrum, snr, r_lo + int(best[0]), c_lo + int(best[1]), canonical=False)


def angle_between(first: Spot, second: Spot) -> float:
    """Angle between two reciprocal vectors as clicked, degrees in [0, 180]."""
    a, b = first.g_vector, second.g_vector
    cosine = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
