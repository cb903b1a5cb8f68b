"""The spots of every pattern of a scan as :func:`~.disks.detect_spots` finds them one pattern at
a time, with the beams of all patterns fitted as one batch and their disks as another
(:mod:`~.disk_batches`: the same spots to rounding, 1e-12 px, for a fraction of the array
operations)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX
from insitu_tem.analysis.diffraction.disk_batches import fit_problems
from insitu_tem.analysis.diffraction.disk_model import (
    beam_fit,
    beam_problem,
    disk_fits,
    disk_problem,
    with_centroids,
)
from insitu_tem.analysis.diffraction.disks import Spots, spots_from_fits
from insitu_tem.analysis.diffraction.spot_candidates import scan_candidates

FIT_THREADS = 2
"""Threads the beams' and the disks' batches are fitted on (one per core of a laptop)."""


def detect_scan_spots(
    patterns,
    centres_rc,
    *,
    disk_radius_px: float,
    method: str = "template",
    should_stop: Callable[[], bool] | None = None,
) -> list[Spots]:
    """:func:`~.disks.detect_spots` of every pattern with its default options.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns, counts.
    centres_rc : array_like
        (n, 2) direct-beam centres (row, col), px.
    disk_radius_px : float
        Radius of the diffraction disks, px (the beam of each pattern is fitted from it).
    method : {"template", "log"}
        Spot detector.
    should_stop : callable, optional
        Polled between patterns; the spots of the patterns before it returned True.
    """
    found = scan_candidates(
        patterns,
        [tuple(centre) for centre in np.asarray(centres_rc, dtype=float)],
        disk_radius_px=disk_radius_px,
        method=method,
        should_stop=should_stop,
    )
    radius, blur = [disk_radius_px] * len(found), [1.0] * len(found)
    if disk_radius_px >= MIN_DISK_RADIUS_PX:
        beams = [beam_problem(f.counts, f.centre_rc, radius_px=disk_radius_px) for f in found]
        for i, (problem, tried) in enumerate(zip(beams, fit_problems(beams, threads=FIT_THREADS))):
            beam, blur[i] = beam_fit(problem, tried, radius_px=disk_radius_px)
            radius[i] = beam.radius_px if beam.ok else disk_radius_px
    disks = [
        disk_problem(
            f.residual,
            f.counts,
            f.peaks,
            radius_px=r,
            blur_px=b,
            background_var=f.background_var,
            others_rc=[f.centre_rc],
        )
        if r >= MIN_DISK_RADIUS_PX
        else None
        for f, r, b in zip(found, radius, blur)
    ]
    fitted = iter(fit_problems([p for p in disks if p is not None], threads=FIT_THREADS))
    spot_sets = []
    for f, r, problem in zip(found, radius, disks):
        models = [None] * len(f.peaks) if problem is None else disk_fits(problem, next(fitted))
        fits = with_centroids(
            models, f.residual, f.counts, f.peaks, radius_px=r, background_var=f.background_var
        )
        spot_sets.append(spots_from_fits(f, fits, disk_radius_px=disk_radius_px, radius_px=r))
    return spot_sets
