"""One projection unlike both its neighbouring tilts in a series that otherwise aligns: a blank
frame, a frame of noise, a frame of another object.

The series test (:func:`.neighbour_chain.unlike_projections`) judges the whole series, since a
single pair cannot tell a smooth object from smooth noise of the same spectrum. A single odd
projection is told instead by its *deficit*: how far the better of its two neighbour
correlation peaks (:func:`.neighbour_chain.xcorr_shifts`) lies below the better of the peaks its
neighbours reach with their other neighbours. Two noise scales must both be exceeded, each at
``z``, the one-sided normal quantile of a false alarm of ``_FALSE_ALARM`` divided by the number
of projections (Bonferroni):

* the series' own spread of deficits (1.4826 × their median absolute deviation): an outlier of
  this series (cheap; it selects the candidates), and
* the spread of the peaks the projection's phase-randomised copies
  (:func:`.registration.chance_peaks`) reach against each neighbour: the chance fluctuation of a
  correlation with that projection's spectrum.

On 22 development phantoms (seeds 1, 2 at 64 px, 11–30 at 96 px) the largest deficit of any
projection was 0.52 of that chance spread (``z`` ≈ 3.3); a blank or Poisson-noise frame put in
their place reached 30 or more (docs/tomography.md, Session 38).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from insitu_tem.analysis.tomo.neighbour_chain import stretched
from insitu_tem.analysis.tomo.registration import chance_peaks

_FALSE_ALARM = 0.01
_MAD_TO_SIGMA = 1.4826


def pair_peaks(tilts: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """(n − 1,) correlation peak of each pair of neighbouring projections (k, k + 1), from the
    ``peaks`` of :func:`.neighbour_chain.xcorr_shifts` (each held by the projection of the pair
    farther from the lowest tilt)."""
    start = int(np.argmin(np.abs(tilts)))
    k = np.arange(tilts.size - 1)
    return np.where(k + 1 > start, peaks[k + 1], peaks[k])


def _deficit(pairs: np.ndarray, i: int) -> float:
    """The better peak of the pairs beyond projection ``i``'s neighbours minus the better of its
    own two (NaN without a pair beyond)."""
    own = [pairs[k] for k in (i - 1, i) if 0 <= k < pairs.size]
    beyond = [pairs[k] for k in (i - 2, i + 1) if 0 <= k < pairs.size]
    return max(beyond) - max(own) if beyond else float("nan")


def _chance_spread(aligned: np.ndarray, tilts: np.ndarray, i: int) -> float:
    """Largest standard deviation, over projection ``i``'s neighbours, of the peaks its
    phase-randomised copies reach against them (stretched as :func:`.neighbour_chain.xcorr_shifts`
    pairs them)."""
    neighbours = [j for j in (i - 1, i + 1) if 0 <= j < tilts.size]
    return max(
        float(np.std(chance_peaks(aligned[j], stretched(aligned, tilts, (i, j)))))
        for j in neighbours
    )


def odd_projections(aligned: np.ndarray, tilts: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """0-based indices of the projections unlike both neighbouring tilts (module docstring).

    Parameters
    ----------
    aligned : ndarray
        (n, rows, cols) projections in the axis frame.
    tilts : ndarray
        (n,) tilts, degrees.
    peaks : ndarray
        (n,) neighbour correlation peaks of :func:`.neighbour_chain.xcorr_shifts`.

    Returns
    -------
    ndarray
        Sorted int indices; empty for fewer than 3 projections.
    """
    if tilts.size < 3:
        return np.array([], dtype=int)
    pairs = pair_peaks(tilts, np.asarray(peaks, dtype=float))
    deficits = np.array([_deficit(pairs, i) for i in range(tilts.size)])
    z = NormalDist().inv_cdf(1 - _FALSE_ALARM / tilts.size)
    centre = float(np.nanmedian(deficits))
    spread = _MAD_TO_SIGMA * float(np.nanmedian(np.abs(deficits - centre)))
    candidates = np.flatnonzero(deficits > centre + z * spread)
    odd = [i for i in candidates if deficits[i] > z * _chance_spread(aligned, tilts, int(i))]
    return np.array(odd, dtype=int)


def left_out_reason(odd) -> str:
    """What the command line says of the projections ``odd`` (:func:`odd_projections`)."""
    return (
        f"projections {list(odd)} share far less structure with both neighbouring tilts than "
        "the neighbours share with their other neighbours (beyond the chance spread of the "
        "correlations; "
        f"false alarm {_FALSE_ALARM:g} per series): a blank frame, noise or another object? "
        "Left out of the reconstruction — check them"
    )
