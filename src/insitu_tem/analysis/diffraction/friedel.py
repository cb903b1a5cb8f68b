"""Pattern centre from the inversion symmetry of the spot *positions* (Friedel pairs).

A thick or slightly tilted crystal can make a diffracted disk brighter than the direct beam, and
the intensity-weighted self-correlation of the pattern then centres on that disk. The positions
of the reflections do not depend on their intensities: the lattice of spots is centrosymmetric
about the direct beam, and inside the detector's field of view about no other spot as much.
:func:`friedel_vote` detects the spots of log(1 + counts) (equal weight each), and for every spot
as a candidate centre counts the spots whose Friedel mate (the spot at 2c − p) is also present.

References
----------
Friedel, G. (1913). Sur les symétries cristallines que peut révéler la diffraction des rayons
Röntgen. C. R. Acad. Sci. Paris 157, 1533–1536.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max

from insitu_tem.analysis.diffraction.disk_fit import robust_sigma

MAX_CANDIDATES = 150
DETECTION_SIGMA = 5.0
MIN_PAIRED = 4
MIN_PAIRED_FRACTION = 0.25


@dataclass(frozen=True)
class FriedelVote:
    """Outcome of the Friedel-pair vote.

    Attributes
    ----------
    ok : bool
        True when a candidate centre has at least :data:`MIN_PAIRED` spots and a quarter of all
        spots paired about it (fewer happen by chance among noise peaks and ring speckle) and no
        other candidate ties with it (``reason`` otherwise).
    centre_rc : tuple of float
        The best candidate's centre: the median midpoint of the spot pairs about it, (row, col)
        px, about ±0.5 px; NaN when no spot was found.
    n_paired : int
        Spots with a Friedel mate about that centre.
    n_spots : int
        Spots detected.
    tied_rc : tuple
        Other candidates with as many paired spots, (row, col) px each.
    reason : str
        Why the vote is not conclusive ("" when ok).
    """

    ok: bool
    centre_rc: tuple[float, float]
    n_paired: int
    n_spots: int
    tied_rc: tuple = ()
    reason: str = ""


def _candidates(data: np.ndarray, radius_px: float) -> tuple[np.ndarray, np.ndarray]:
    smooth = ndimage.gaussian_filter(np.log1p(data - data.min()), max(1.0, radius_px / 2))
    noise = robust_sigma(smooth - ndimage.gaussian_filter(smooth, 3 * max(1.0, radius_px)))
    peaks = peak_local_max(
        smooth,
        min_distance=max(2, int(radius_px)),
        threshold_abs=float(np.median(smooth)) + DETECTION_SIGMA * noise,
    )
    brightness = smooth[tuple(peaks.T)] if len(peaks) else np.zeros(0)
    order = np.argsort(-brightness, kind="stable")[:MAX_CANDIDATES]
    return peaks[order].astype(float), brightness[order]


def _midpoint(spots: np.ndarray, k: int, tolerance: float) -> tuple[float, float]:
    """Median midpoint of the pairs about spot ``k`` (or the spot itself), (row, col) px."""
    sums = spots[:, None, :] + spots[None, :, :]
    distance = np.hypot(*(sums - 2 * spots[k]).transpose(2, 0, 1))
    i, j = np.nonzero(np.triu(distance <= tolerance, 1))
    keep = (i != k) & (j != k)
    if not keep.any():
        return float(spots[k, 0]), float(spots[k, 1])
    middle = np.median(0.5 * sums[i[keep], j[keep]], axis=0)
    return float(middle[0]), float(middle[1])


def friedel_vote(pattern, *, radius_px: float) -> FriedelVote:
    """The spot about which most spots have their Friedel mate (see module docstring).

    Parameters
    ----------
    pattern : array_like
        2-D pattern, counts.
    radius_px : float
        Disk radius (or ~1 px for point-like spots), px: sets the smoothing, the spot separation
        and the pairing tolerance (max(1.5 px, 0.4 × radius)).
    """
    data = np.asarray(pattern, dtype=np.float64)
    spots, _ = _candidates(data, radius_px)
    nan = (float("nan"), float("nan"))
    if len(spots) < 3:
        return FriedelVote(False, nan, 0, len(spots), reason="fewer than three spots")
    tolerance = max(1.5, 0.4 * radius_px)
    sums = spots[:, None, :] + spots[None, :, :]
    scores = np.empty(len(spots), dtype=int)
    for k, centre in enumerate(spots):
        distance = np.hypot(*(sums - 2 * centre).transpose(2, 0, 1))
        np.fill_diagonal(distance, np.inf)
        distance[k] = np.inf
        scores[k] = int(np.sum(distance.min(axis=1) <= tolerance))
    best = int(np.argmax(scores))
    centre = _midpoint(spots, best, tolerance)
    tied = tuple(
        (float(r), float(c))
        for r, c in spots[(scores == scores[best]) & (np.arange(len(spots)) != best)]
    )
    if scores[best] < max(MIN_PAIRED, MIN_PAIRED_FRACTION * len(spots)):
        return FriedelVote(
            False, centre, int(scores[best]), len(spots), tied, "too few Friedel pairs"
        )
    if tied:
        return FriedelVote(
            False,
            centre,
            int(scores[best]),
            len(spots),
            tied,
            f"{len(tied) + 1} spots are centres of as many Friedel pairs",
        )
    return FriedelVote(True, centre, int(scores[best]), len(spots))
