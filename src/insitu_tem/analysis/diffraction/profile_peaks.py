"""Peaks of a 1-D profile: local maxima, their prominence and where they cross a fraction of it.

The definitions and the arithmetic of :func:`scipy.signal.find_peaks` (local maxima, flat tops
at their middle sample) and :func:`scipy.signal.peak_prominences` / :func:`~scipy.signal.
peak_widths` over the whole profile [1]_, so the results are bit-identical to theirs. Written
with numpy so that a ring analysis does not import ``scipy.signal``, which loads ``scipy.stats``,
``interpolate`` and ``optimize`` (about 1 CPU s in the diffraction worker's start-up).

References
----------
.. [1] P. Virtanen et al., "SciPy 1.0: fundamental algorithms for scientific computing in
   Python", Nat. Methods 17, 261–272 (2020); ``scipy/signal/_peak_finding_utils.pyx``.
"""

from __future__ import annotations

import numpy as np


def local_maxima(x) -> np.ndarray:
    """Indices of the local maxima of ``x``.

    Parameters
    ----------
    x : array_like
        1-D profile, any units.

    Returns
    -------
    numpy.ndarray of int
        For each run of equal samples higher than the samples on both sides, its middle sample
        (rounded down); a run that touches either end of ``x`` is not a maximum.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size < 3:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    ends = np.r_[starts[1:], x.size] - 1
    inside = (starts >= 1) & (ends <= x.size - 2)
    starts, ends = starts[inside], ends[inside]
    rise = (x[starts - 1] < x[starts]) & (x[ends + 1] < x[ends])
    return (starts[rise] + ends[rise]) // 2


def prominences(x, peaks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prominence of each peak of ``x`` and its bases.

    Parameters
    ----------
    x : array_like
        1-D profile, any units.
    peaks : array_like of int
        Indices of peaks of ``x``.

    Returns
    -------
    prominence : numpy.ndarray
        Height of each peak above the higher of its two bases, units of ``x``.
    left_base, right_base : numpy.ndarray of int
        The lowest sample between the peak and the nearest higher sample on each side (the
        profile's end when there is none); on a tie, the one nearest the peak.
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = np.asarray(peaks, dtype=np.intp)
    prominence = np.empty(peaks.size)
    left_base, right_base = np.empty(peaks.size, np.intp), np.empty(peaks.size, np.intp)
    for k, peak in enumerate(peaks):
        higher = np.flatnonzero(~(x[:peak] <= x[peak]))
        left = x[(higher[-1] + 1 if higher.size else 0) : peak + 1]
        higher = np.flatnonzero(~(x[peak + 1 :] <= x[peak]))
        right = x[peak : peak + 1 + (higher[0] if higher.size else x.size - peak - 1)]
        left_base[k] = peak - int(np.argmin(left[::-1]))
        right_base[k] = peak + int(np.argmin(right))
        prominence[k] = x[peak] - max(x[left_base[k]], x[right_base[k]])
    return prominence, left_base, right_base


def crossings(x, peaks, *, rel_height: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Where each peak of ``x`` falls to ``rel_height`` of its prominence below its top.

    Parameters
    ----------
    x : array_like
        1-D profile, any units.
    peaks : array_like of int
        Indices of peaks of ``x``.
    rel_height : float, keyword-only
        Fraction of the prominence below the top (0.5: the full width at half maximum).

    Returns
    -------
    left, right : numpy.ndarray
        Fractional sample positions of the crossings on each side (linear interpolation between
        the samples around them; a base when the peak does not fall that far before it).
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = np.asarray(peaks, dtype=np.intp)
    prominence, left_base, right_base = prominences(x, peaks)
    left, right = np.empty(peaks.size), np.empty(peaks.size)
    for k, peak in enumerate(peaks):
        height = x[peak] - prominence[k] * rel_height
        lo, hi = left_base[k], right_base[k]
        stop = np.flatnonzero(~(height < x[lo + 1 : peak + 1]))
        i = lo + 1 + stop[-1] if stop.size else lo
        left[k] = i
        if x[i] < height:
            left[k] += (height - x[i]) / (x[i + 1] - x[i])
        stop = np.flatnonzero(~(height < x[peak:hi]))
        i = peak + stop[0] if stop.size else hi
        right[k] = i
        if x[i] < height:
            right[k] -= (height - x[i]) / (x[i - 1] - x[i])
    return left, right
