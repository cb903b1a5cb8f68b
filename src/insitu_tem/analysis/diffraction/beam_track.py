"""One direct-beam track along a scan: the beam is the disk present in every pattern.

The centres of a scan are found each from the last (:func:`centres_along_scan`). A bright
diffracted disk of a thick grain can be taken for the direct beam; the centres then jump by a
reciprocal-lattice vector where the grain ends, and only one side of the jump is the beam. Every
run of centres between jumps is followed from its ends through the rest of the scan, each
pattern searched near the last centre found: the direct beam is present in every pattern, so the
run that can be followed through every pattern where a beam was found, without a jump, is the
beam, while a diffracted disk ends with its grain. The centres become that track. When no run or
more than one distinct run can be followed through the whole scan (a disk that the other grain
also has, or a beam lost), the centres are kept and ``reason`` says that the beam is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.diffraction.descan import (
    CentreSeries,
    beam_of_pattern,
    centres_along_scan,
)

MIN_JUMP_PX = 2.0
"""Smallest move between neighbouring centres taken for a jump to another disk, px."""


@dataclass(frozen=True)
class _Track:
    centre_rc: np.ndarray
    radius_px: np.ndarray
    sigma_px: np.ndarray


def beam_along_scan(patterns, *, method: str = "edge", search_px: int = 12, should_stop=None):
    """:func:`centres_along_scan` with the centres made one beam track (see the module).

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns.
    method, search_px, should_stop
        See :func:`insitu_tem.analysis.diffraction.descan.centres_along_scan`.

    Returns
    -------
    CentreSeries
        ``reason`` non-empty when the centres jump and no single track explains the scan.
    """
    series = centres_along_scan(
        patterns, method=method, search_px=search_px, should_stop=should_stop
    )
    if should_stop is not None and should_stop():
        return series
    return single_track(patterns, series, method=method, search_px=search_px)


def jump_limit_px(series: CentreSeries) -> float:
    """Move between neighbouring centres beyond which the finder jumped to another disk, px:
    the median beam radius, at least :data:`MIN_JUMP_PX`."""
    radius = series.radius_px[series.ok]
    return max(MIN_JUMP_PX, float(np.median(radius)) if radius.size else 0.0)


def runs_between_jumps(series: CentreSeries, jump_px: float) -> list[np.ndarray]:
    """Indices of the found centres, split where neighbouring ones move more than ``jump_px``."""
    found = np.flatnonzero(series.ok)
    if found.size == 0:
        return []
    step = np.hypot(*np.diff(series.centre_rc[found], axis=0).T)
    return np.split(found, np.flatnonzero(step > jump_px) + 1)


def single_track(patterns, series: CentreSeries, *, method: str, search_px: int) -> CentreSeries:
    """``series`` made one beam track where its centres jump (see the module)."""
    jump = jump_limit_px(series)
    runs = runs_between_jumps(series, jump)
    if len(runs) < 2:
        return series
    tracks = [_followed(patterns, series, run, jump, method, search_px) for run in runs]
    distinct: list[_Track] = []
    for track in tracks:
        if track is not None and not any(_same(track, other, jump) for other in distinct):
            distinct.append(track)
    if len(distinct) == 1:
        track = distinct[0]
        return CentreSeries(
            track.centre_rc,
            np.isfinite(track.centre_rc).all(axis=1),
            track.radius_px,
            track.sigma_px,
        )
    return replace(
        series,
        reason=f"ambiguous direct beam: the centres jump by more than {jump:.1f} px "
        f"({len(runs)} runs) and {len(distinct)} of them can be followed through the whole "
        "scan; give the centre",
    )


def _same(one: _Track, other: _Track, jump: float) -> bool:
    both = np.isfinite(one.centre_rc).all(axis=1) & np.isfinite(other.centre_rc).all(axis=1)
    return bool(np.all(np.hypot(*(one.centre_rc - other.centre_rc)[both].T) <= jump))


def _followed(patterns, series, run, jump, method, search_px) -> _Track | None:
    """The run followed from its ends to both ends of the scan, or None where it is lost in a
    pattern in which a beam was found."""
    n = len(series.ok)
    track = _Track(np.full((n, 2), np.nan), np.full(n, np.nan), np.full(n, np.nan))
    sigma = np.full(n, np.nan) if series.sigma_px is None else series.sigma_px
    track.centre_rc[run], track.radius_px[run], track.sigma_px[run] = (
        series.centre_rc[run],
        series.radius_px[run],
        sigma[run],
    )
    for start, order in ((run[0], range(run[0] - 1, -1, -1)), (run[-1], range(run[-1] + 1, n))):
        guess = series.centre_rc[start]
        for i in order:
            found = beam_of_pattern(
                np.asarray(patterns[i], float), guess, method=method, search_px=search_px
            )
            if found.ok and np.hypot(*np.subtract(found.centre_rc, guess)) <= jump:
                track.centre_rc[i], track.radius_px[i], track.sigma_px[i] = (
                    found.centre_rc,
                    found.radius_px,
                    found.sigma_px,
                )
                guess = found.centre_rc
            elif series.ok[i]:
                return None
    return track
