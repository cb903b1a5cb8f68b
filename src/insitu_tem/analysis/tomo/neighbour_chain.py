"""Shifts of a tilt series by neighbour correlation and the common line.

Across the tilt axis each projection is registered on its neighbour towards the lowest tilt
(:func:`.registration.displacement`), the higher tilt stretched by ``cos θ_ref / cos θ``;
along it the common-line profiles (every projection summed across the axis,
:func:`profile_shifts`), which do not accumulate errors, are searched near the neighbour
chain's along-axis shifts. :func:`unlike_projections` tells a series that shares structure
between neighbouring tilts from noise (:func:`.registration.chance_level`).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from insitu_tem.analysis.tomo.geometry import stretch_across
from insitu_tem.analysis.tomo.registration import SURROGATES, chance_level, displacement

_ALONG_REACH = 3.0
_SERIES_FALSE_ALARM = 0.01


def profile_shifts(
    profiles: np.ndarray,
    *,
    rounds: int = 3,
    start: np.ndarray | None = None,
    reach: float | None = None,
) -> np.ndarray:
    """Shift of each 1-D profile relative to their common mean, px (sub-pixel, parabolic peak).

    Parameters
    ----------
    profiles : ndarray
        (n, length) profiles, e.g. every projection summed across the tilt axis.
    rounds : int
        Times the mean is rebuilt from the re-aligned profiles.
    start : ndarray, optional
        (n,) first estimate of the shifts, px (default 0).
    reach : float, optional
        Search each correlation peak only within this distance of the current estimate, px:
        profiles with a repeating pattern (voids every ~10 px along a wire) otherwise lock
        onto the wrong repeat.

    Returns
    -------
    ndarray
        (n,) displacement of each profile's content relative to the mean, px, zero-mean.
    """
    profiles = np.asarray(profiles, dtype=np.float64)
    n, length = profiles.shape
    taper = np.hanning(length)
    centred = (profiles - profiles.mean(axis=1, keepdims=True)) * taper
    size = 2 * length
    spectra = np.fft.rfft(centred, size, axis=1)
    frequencies = np.fft.rfftfreq(size)
    shifts = np.zeros(n) if start is None else np.asarray(start, float) - np.mean(start)
    for _ in range(rounds):
        realigned = spectra * np.exp(2j * np.pi * frequencies[None, :] * shifts[:, None])
        reference = realigned.mean(axis=0)
        correlation = np.fft.irfft(spectra * np.conj(reference)[None, :], size, axis=1)
        shifts = np.array(
            [_parabolic_peak(c, near=s, reach=reach) for c, s in zip(correlation, shifts)]
        )
        shifts -= shifts.mean()
    return shifts


def _parabolic_peak(
    correlation: np.ndarray, *, near: float = 0.0, reach: float | None = None
) -> float:
    size = correlation.size
    if reach is None:
        k = int(np.argmax(correlation))
    else:
        window = np.arange(int(np.floor(near - reach)), int(np.ceil(near + reach)) + 1)
        k = int(window[np.argmax(correlation[window % size])]) % size
    left, centre, right = correlation[k - 1], correlation[k], correlation[(k + 1) % size]
    curvature = left - 2 * centre + right
    delta = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    position = k + delta
    return float(position - size if position > size / 2 else position)


def _chain_pairs(tilts: np.ndarray) -> list[tuple[int, int]]:
    """(projection, its neighbour towards the lowest tilt), outwards from the lowest tilt."""
    n, start = tilts.size, int(np.argmin(np.abs(tilts)))
    return [(i, i - d) for d in (1, -1) for i in range(start + d, n if d > 0 else -1, d)]


def stretched(aligned: np.ndarray, tilts: np.ndarray, pair: tuple[int, int]) -> np.ndarray:
    """Projection ``pair[0]`` stretched across the axis by ``cos θ_neighbour / cos θ``."""
    cos = np.cos(np.deg2rad(tilts[list(pair)]))
    return stretch_across(aligned[pair[0]], cos[0] / cos[1])


def _chain(aligned: np.ndarray, tilts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Axis-frame (along, across) shifts by stretched neighbour correlation, and peaks (the pairs
    registered two at a time: the FFTs and filters release the GIL)."""
    n = tilts.size
    pairs = _chain_pairs(tilts)
    cos = np.cos(np.deg2rad(tilts))

    def register(pair: tuple[int, int]) -> tuple[np.ndarray, float]:
        i, j = pair
        step, peak = displacement(aligned[j], stretched(aligned, tilts, pair))
        return np.array([step[0], step[1] * cos[i] / cos[j]]), peak

    with ThreadPoolExecutor(2) as pool:
        steps = list(pool.map(register, pairs))
    shifts, peaks = np.zeros((n, 2)), np.ones(n)
    for (i, j), (step, peak) in zip(pairs, steps):
        shifts[i], peaks[i] = shifts[j] + step, peak
    return shifts, peaks


def _chance_level(aligned: np.ndarray, tilts: np.ndarray, pair: tuple[int, int]) -> float:
    """:func:`chance_level` of a pair :func:`xcorr_shifts` correlates (the neighbour towards the
    lowest tilt the reference, the projection stretched as there)."""
    return chance_level(aligned[pair[1]], stretched(aligned, tilts, pair))


def _misfit(profiles: np.ndarray, shifts: np.ndarray) -> float:
    """Σ of squared differences between the profiles moved back by ``shifts`` and their mean."""
    length = profiles.shape[1]
    spectra = np.fft.rfft(profiles * np.hanning(length), 2 * length, axis=1)
    moved = spectra * np.exp(2j * np.pi * np.fft.rfftfreq(2 * length)[None, :] * shifts[:, None])
    return float(np.sum(np.abs(moved - moved.mean(axis=0)) ** 2))


def _along_axis(aligned: np.ndarray, chained: np.ndarray) -> np.ndarray:
    """Along-axis shifts from the common line (every projection summed across the axis): searched
    freely, and within ``_ALONG_REACH`` px of the neighbour chain's ``chained`` shifts (which
    accumulate errors but cannot jump to a repeat of a periodic pattern); the one whose profiles
    agree better."""
    profiles = aligned.sum(axis=2, dtype=np.float64)
    profiles = profiles - np.median(profiles, axis=1, keepdims=True)
    candidates = (
        profile_shifts(profiles),
        profile_shifts(profiles, start=chained, reach=_ALONG_REACH),
    )
    return min(candidates, key=lambda shifts: _misfit(profiles, shifts))


def xcorr_shifts(aligned: np.ndarray, tilts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Axis-frame (along, across) shifts of axis-frame projections, px, and correlation peaks.

    Across the axis: neighbours correlated outwards from the lowest tilt, the
    higher tilt stretched by ``cos θ_ref / cos θ``. Along it: the common-line
    profiles (:func:`profile_shifts`), which do not accumulate errors, searched near the
    neighbour chain's along-axis shifts (which do, but cannot jump to a repeat of the pattern).
    """
    shifts, peaks = _chain(aligned, tilts)
    shifts[:, 0] = _along_axis(aligned, shifts[:, 0])
    return shifts, peaks


def unlike_projections(aligned: np.ndarray, tilts: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """The projections whose correlation ``peaks`` with their neighbour (:func:`xcorr_shifts`)
    are at or below its chance level (:func:`chance_level`) when no more of the pairs exceed
    theirs than noise would: each does so with probability ``p = 1 / (SURROGATES + 1)``, and
    the count is declined unless a binomial (pairs, p) reaches it with probability below
    ``_SERIES_FALSE_ALARM``. Empty when the series shares structure, known as soon as enough
    pairs, outwards from the lowest tilt, exceed their level. (A single pair cannot tell a
    smooth object from smooth noise: a wire's few low-frequency modes, phase-randomised,
    correlate with it nearly as well as its neighbour does; the series can.)"""
    pairs = _chain_pairs(tilts)
    needed = _pairs_needed(len(pairs), 1 / (SURROGATES + 1), _SERIES_FALSE_ALARM)
    levels, above = np.full(tilts.size, np.nan), 0
    with ThreadPoolExecutor(2) as pool:
        for start in range(0, len(pairs), 2):
            batch = pairs[start : start + 2]
            for (i, _), level in zip(
                batch, pool.map(lambda pair: _chance_level(aligned, tilts, pair), batch)
            ):
                levels[i], above = level, above + int(peaks[i] > level)
            if above >= needed:
                return np.array([], dtype=int)
    return np.flatnonzero(np.isfinite(levels) & (peaks <= levels))


def _pairs_needed(pairs: int, p: float, false_alarm: float) -> int:
    """Fewest successes in ``pairs`` independent trials, each a success with probability ``p``,
    that chance alone reaches with probability below ``false_alarm`` (the binomial upper tail,
    summed exactly: scipy.stats costs 0.5 CPU s to import)."""
    tail = 0.0
    for k in range(pairs, -1, -1):
        tail += math.comb(pairs, k) * p**k * (1 - p) ** (pairs - k)
        if tail >= false_alarm:
            return k + 1
    return 0


def unlike_reason(unlike: np.ndarray) -> str:
    """Why the projections ``unlike`` (:func:`unlike_projections`) were not aligned."""
    return (
        f"projections {unlike.tolist()} share no more structure with their neighbouring tilts "
        "than noise would, and too few of the others do to tell the series from noise (their "
        f"correlation peaks are at or below the highest of {SURROGATES} phase-randomised copies'; "
        f"chance {_SERIES_FALSE_ALARM:g}): nothing to align on — check them"
    )
