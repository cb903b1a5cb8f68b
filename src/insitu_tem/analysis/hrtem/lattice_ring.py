"""The broad ring of polycrystalline, turbostratic or amorphous material in an HRTEM power
spectrum.

The ring-median power profile P(|k|) is taken in log-log coordinates and its lower convex hull
is used as the background (power-law decay plus white noise is convex there); a ring is the
highest excess above that hull when it exceeds ``ln(e) = 1`` (power 2.7× the background).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.ring_peaks import lower_hull
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, ring_labels, ring_statistics

RING_MIN_EXCESS = 1.0


@dataclass(frozen=True)
class LatticeRing:
    """A broad ring in the power spectrum (``ok`` when one stands out of the background).

    Attributes
    ----------
    d_nm : float
        Spacing at the ring maximum, nm.
    fwhm_per_nm : float
        Full width at half maximum of the ring excess, 1/nm.
    excess : float
        ln(peak / background) at the maximum.
    """

    ok: bool
    d_nm: float = math.nan
    fwhm_per_nm: float = math.nan
    excess: float = math.nan


def find_ring(spectrum: PowerSpectrum, *, min_excess: float = RING_MIN_EXCESS) -> LatticeRing:
    """Strongest broad ring of a power spectrum above its convex log-log background.

    Parameters
    ----------
    spectrum : PowerSpectrum
    min_excess : float
        Minimum ln(profile / background) at the ring maximum.

    Returns
    -------
    LatticeRing
    """
    labels, n = ring_labels(spectrum)
    profile, _ = ring_statistics(spectrum.power, labels, n)
    step = min(spectrum.k_step_per_nm)
    k = np.arange(n) * step
    use = (np.arange(n) >= 4) & (k <= 0.45 / spectrum.pixel_nm)
    if use.sum() < 8:
        return LatticeRing(False)
    x = np.log(k[use])
    y = ndimage.median_filter(np.log(np.maximum(profile[use], 1e-300)), size=5, mode="nearest")
    excess = y - lower_hull(x, y)
    peak = int(np.argmax(excess))
    if excess[peak] < min_excess:
        return LatticeRing(False, excess=float(excess[peak]))
    half = excess[peak] - math.log(2.0)
    low, high = peak, peak
    while low > 0 and excess[low - 1] > half:
        low -= 1
    while high < len(excess) - 1 and excess[high + 1] > half:
        high += 1
    ks = k[use]
    return LatticeRing(
        True,
        d_nm=float(1.0 / ks[peak]),
        fwhm_per_nm=float(ks[high] - ks[low] + step),
        excess=float(excess[peak]),
    )
