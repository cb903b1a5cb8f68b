"""Reflections of an HRTEM power spectrum: spots, their refinement and uncertainty.

Spots are local maxima of the signal-to-noise map (:func:`.fft_spectrum.snr_map`),
``(P - B(|k|)) / S(|k|)`` with ``B`` and ``S`` the median and scaled MAD of the
ring at the same spatial frequency, above a threshold. Each Friedel pair
(g, -g) is reported once, as the member pointing into the upper half of the
displayed spectrum (angle in [0, 180) degrees counter-clockwise from +x, y up).

Spot positions are refined to sub-pixel precision by :mod:`.fft_spot_refinement`; two maxima
of the SNR map that refine onto the same reflection (closer than one FFT pixel, less than the
Hann main lobe's half width) are reported once, with the higher SNR and the smaller 1σ. Positions
are in FFT pixels from the centre, (row, col); ``g`` is in 1/nm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap, snr_map
from insitu_tem.analysis.hrtem.fft_spot_refinement import refine_positions

SPOT_SIGMA_FACTOR = 0.33
_MIN_RADIUS_PX = 3.0
_SAME_PEAK_PX = 1.0


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
        the ring's noise (scaled MAD); for a spot found at a lattice node, the
        larger of that and its SNR against the local background
        (:func:`.lattice_nodes.local_snr`).
    intensity : float
        Fraction of the region's (windowed) variance carried by the Friedel pair.
    sigma_g_per_nm : float
        Estimated 1-σ uncertainty of each component of g, 1/nm.
    g_row_per_nm, g_col_per_nm : float
        Components of g along (row, col), 1/nm.
    sigma_d_nm : float
        1σ of :attr:`d_nm`, nm, including the scatter of the spots about their lattice
        (:func:`.lattice_fit.with_spot_sigmas`); nan until a lattice measurement sets it.
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
    sigma_d_nm: float = math.nan

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
    spots = make_spots(spectrum, snr, rows[order], cols[order])
    spots = _distinct([s for s in spots if math.hypot(s.row_px, s.col_px) >= _MIN_RADIUS_PX])
    if not spots:
        return SpotSearch(
            False, f"no spot above SNR {snr_threshold:g}: amorphous, too thin or too noisy", ()
        )
    return SpotSearch(True, "", tuple(spots))


def _distinct(spots: list[Spot]) -> list[Spot]:
    """``spots`` (strongest first) with those whose position or Friedel mate lies within
    :data:`_SAME_PEAK_PX` of a stronger one merged into it: the merged spot has the higher SNR
    and the smaller 1σ (whose starting pixel had the higher power, nearer the common peak)."""
    kept: list[Spot] = []
    for spot in spots:
        same = [
            i
            for i, k in enumerate(kept)
            if min(
                math.hypot(spot.row_px - k.row_px, spot.col_px - k.col_px),
                math.hypot(spot.row_px + k.row_px, spot.col_px + k.col_px),
            )
            < _SAME_PEAK_PX
        ]
        if not same:
            kept.append(spot)
        elif spot.sigma_g_per_nm < kept[same[0]].sigma_g_per_nm:
            kept[same[0]] = replace(spot, snr=kept[same[0]].snr)
    return kept


def _total_power(spectrum: PowerSpectrum) -> float:
    r0, c0 = spectrum.centre
    return float(spectrum.power.sum() - spectrum.power[r0, c0]) or 1.0


def make_spots(
    spectrum: PowerSpectrum, snr: SnrMap, rows, cols, *, canonical: bool = True
) -> list[Spot]:
    """Refined :class:`Spot` at each spectrum pixel (rows[i], cols[i]) (absolute indices), all
    refined together, pointing into the upper half when ``canonical``; each 1σ from the power
    against the ring's noise power."""
    rows, cols = np.asarray(rows, int).ravel(), np.asarray(cols, int).ravel()
    r0, c0 = spectrum.centre
    positions = refine_positions(spectrum, np.stack([rows - r0, cols - c0], axis=1))
    total = _total_power(spectrum)
    spots = []
    for (d_row, d_col), row, col in zip(positions, rows, cols):
        if canonical and d_row > 0:
            d_row, d_col = -d_row, -d_col
        noise = snr.noise_power[row, col]
        box = spectrum.power[max(row - 2, 0) : row + 3, max(col - 2, 0) : col + 3]
        excess = float(np.clip(box - noise, 0, None).sum())
        peak = float(spectrum.power[row, col])
        spots.append(
            spot_from_position(
                spectrum,
                d_row,
                d_col,
                snr=float(snr.snr[row, col]),
                intensity=2.0 * excess / total,
                sigma_px=SPOT_SIGMA_FACTOR * math.sqrt(noise / max(peak, 1e-300)),
            )
        )
    return spots


def make_spot(
    spectrum: PowerSpectrum, snr: SnrMap, row: int, col: int, *, canonical: bool = True
) -> Spot:
    """One spot of :func:`make_spots`."""
    return make_spots(spectrum, snr, [row], [col], canonical=canonical)[0]


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
