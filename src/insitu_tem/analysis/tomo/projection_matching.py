"""Projection matching: the refinement of a tilt series' shifts by registering every projection
to a re-projection of the series without it (the ``"auto"`` method of :mod:`.alignment`).

The tilts are dealt into three interleaved groups; each group is re-projected (σ = 1 px) from an
MLEM-10 reconstruction of the other two, so no projection is in its own reference and both its
neighbours are. The reconstruction's voxels are two pixels deep along the beam
(``_REFERENCE_Z_STEP``): half the sparse products, and on the bench phantom and development
seeds 11–14 the shifts' RMS error within +0.005 px of cubic voxels' (the re-projection is
smoothed by 1 px and MLEM-10 from ±60° resolves little along the beam). Each projection is
registered to its re-projection (weighted least squares on the re-projection's gradient,
:func:`.registration.matched_displacement`) and moved by the full step, first on twice-binned
projections, then at full size [1]_. At full size each projection is also
searched along the tilt axis over a third of the field (:mod:`.along_search`) — at the first
step, and at every step after one that moved a projection — and moved by whole pixels where its
matched cost drops by more than 3σ (``_JUMP_LEVEL``): a projection the common-line start locked
onto the wrong stretch of the object lies tens of pixels off, beyond the registration's reach.

References
----------
.. [1] T. Dahmen et al., Microsc. Microanal. 21, 1177 (2015).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.along_search import along_axis_jump
from insitu_tem.analysis.tomo.geometry import (
    beyond_half_field,
    gauge_shifts,
    to_axis_frame,
    to_image_frame_shifts,
)
from insitu_tem.analysis.tomo.reconstruct import mlem_reprojections
from insitu_tem.analysis.tomo.registration import along_axis_interval, matched_fit

_MATCH_SIZE = 160
_MATCH_GROUPS = 3
_REFERENCE_ITERATIONS = 10
_REFERENCE_Z_STEP = 2
_COARSE_STEPS, _COARSE_TOLERANCE_PX = 8, 0.25
_FINE_STEPS, _FINE_TOLERANCE_PX = 12, 0.02
_SHARED_REFERENCE_ERROR = 3.0
_ALONG_REACH_PX = 4.0
_JUMP_LEVEL = 9.0 * _SHARED_REFERENCE_ERROR


def _binned_series(stack: np.ndarray, factor: int) -> np.ndarray:
    n, rows, cols = stack.shape
    rows, cols = rows // factor * factor, cols // factor * factor
    view = stack[:, :rows, :cols].reshape(n, rows // factor, factor, cols // factor, factor)
    return view.mean(axis=(2, 4), dtype=np.float32)


def _reprojections(
    small: np.ndarray, tilts: np.ndarray, offset: float, use: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Re-projections at ``tilts[target]`` of an MLEM-10 reconstruction from ``tilts[use]``
    (voxels ``_REFERENCE_Z_STEP`` px deep along the beam), smoothed by a 1-px Gaussian (a 3-D
    Gaussian on the volume projects to the same 2-D Gaussian on every projection, which costs a
    fraction)."""
    images = mlem_reprojections(
        small[use],
        tilts[use],
        tilts[target],
        iterations=_REFERENCE_ITERATIONS,
        axis_offset_px=offset,
        z_step=_REFERENCE_Z_STEP,
    )
    return ndimage.gaussian_filter(images, (0.0, 1.0, 1.0), mode="nearest")


def _match_step(
    small: np.ndarray, tilts: np.ndarray, offset: float, margin: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """One projection-matching step: every projection registered to its re-projection from the
    tilts outside its group (``i mod 3``), so a projection never pulls its reference towards
    itself while its nearest tilts on both sides still shape it; ``margin`` px of border,
    filled by the resampling, are left out. The reconstructions run one after the other (each on
    two threads), the registrations two at a time. Returns the steps, the fits' Pearson r, the
    steps' shot-noise variances (n, 2), all in the frame and pixels of ``small``, and what
    :func:`_along_sigma` needs."""
    n = tilts.size
    group = np.arange(n) % _MATCH_GROUPS
    references = np.empty_like(small)
    for g in range(min(_MATCH_GROUPS, n)):
        target = group == g
        references[target] = _reprojections(small, tilts, offset, ~target, target)
    with ThreadPoolExecutor(2) as pool:
        found = list(
            pool.map(lambda i: matched_fit(references[i], small[i], margin=margin), range(n))
        )
    steps = np.array([f[0] for f in found])
    variances = np.array([np.diag(f[2]) for f in found])
    fits = [references, small, steps, [f[3] for f in found], margin]
    return steps, np.array([f[1] for f in found]), variances, fits


def _along_sigma(fits: list) -> tuple[np.ndarray, np.ndarray]:
    """(n,) along-axis 1σ of each registration where its cost is not one well defined minimum,
    px of ``small`` (0 elsewhere), and (n,) whether so: the half-width of its profile-likelihood
    interval at ``_SHARED_REFERENCE_ERROR`` (:func:`.registration.along_axis_interval`) where
    that interval holds a second minimum or is not closed within ``_ALONG_REACH_PX``."""
    references, small, steps, noise, margin = fits

    def interval(i: int) -> tuple[float, bool]:
        return along_axis_interval(
            references[i],
            small[i],
            steps[i],
            noise[i],
            margin=margin,
            level=_SHARED_REFERENCE_ERROR,
            reach_px=_ALONG_REACH_PX,
        )

    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(interval, range(steps.shape[0])))
    loose = np.array([not single for _, single in found])
    return np.where(loose, [width for width, _ in found], 0.0), loose


def _jumps(fits: list) -> np.ndarray:
    """(n,) whole-pixel jumps along the axis, px of ``small``, where a projection's cost drops
    below where the registration left it by more than ``_JUMP_LEVEL`` of its noise variance
    (:func:`.along_search.along_axis_jump`)."""
    references, small, steps, noise, margin = fits

    def jump(i: int) -> int:
        return along_axis_jump(
            references[i], small[i], steps[i], noise[i], margin=margin, level=_JUMP_LEVEL
        )

    with ThreadPoolExecutor(2) as pool:
        return np.array(list(pool.map(jump, range(steps.shape[0]))), dtype=float)


def _settled(jumps: np.ndarray, jumped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The jumps to make and every projection's jump so far (NaN: undone, not searched again): a
    projection whose search asks for a second jump is put back where it was — its cost has no
    one clear minimum along the axis (seen at end tilts, whose references are extrapolated)."""
    again = (jumps != 0) & (jumped != 0)
    made = np.where(np.isnan(jumped), 0.0, np.where(again, -jumped, jumps))
    return made, np.where(again | np.isnan(jumped), np.nan, jumped + made)


@dataclass(frozen=True)
class Matching:
    """Result of :func:`refine_by_projection_matching`.

    Attributes
    ----------
    shifts_px : ndarray
        (n, 2) content displacements (dy, dx), gauged, px.
    residual_px : float
        RMS change of the shifts in the last step, px.
    peaks : ndarray
        (n,) Pearson r of each projection with its re-projection.
    sigma_axis_px : ndarray
        (n, 2) 1σ of each shift along and across the tilt axis, px (NaN when cancelled before
        the full-size steps): the shot-noise σ of the last full-size registration, scaled by
        ``√_SHARED_REFERENCE_ERROR`` for the error its re-projection shares with its neighbours;
        along the axis, where the cost has a second minimum or is flat, the half-width of the
        profile-likelihood interval at that level (:func:`_along_sigma`) when larger.
    unconstrained : tuple of int
        Those projections: their interval along the axis holds a second minimum or does not
        close within ±``_ALONG_REACH_PX`` (px of the matched projections), so their shift is
        not determined along the axis.
    beyond : tuple of int
        Projections a step would have moved by more than half the image
        (:func:`.geometry.beyond_half_field`): the matching stopped before that step, its shifts
        are the last ones within the field and their 1σ NaN.
    """

    shifts_px: np.ndarray
    residual_px: float
    peaks: np.ndarray
    sigma_axis_px: np.ndarray
    unconstrained: tuple = ()
    beyond: tuple = ()


def refine_by_projection_matching(stack, tilts, angle, shifts, offset, should_stop) -> Matching:
    """Projection matching, coarse to fine: on twice-binned projections until the shifts change
    by less than ``_COARSE_TOLERANCE_PX``, then on projections binned to ≤ ``_MATCH_SIZE`` px until
    they change by less than ``_FINE_TOLERANCE_PX`` (RMS, px) or for ``_FINE_STEPS`` steps: the
    shifts' smooth modes along the series converge slowly, since each re-projection is mostly
    its neighbours'. At full size the along-axis jumps of :func:`_jumps` are added to the steps
    at the first step and after every step that made one. A step that would move a projection by
    more than half the image (a series without common structure: its fits are near-singular and
    their steps unbounded) is not taken, and the matching stops (``Matching.beyond``)."""
    fine = max(1, int(np.ceil(min(stack.shape[1:]) / _MATCH_SIZE)))
    residual, peaks = float("nan"), np.ones(tilts.size)
    sigma = np.full((tilts.size, 2), np.nan)
    levels = (
        (2 * fine, _COARSE_STEPS, _COARSE_TOLERANCE_PX),
        (fine, _FINE_STEPS, _FINE_TOLERANCE_PX),
    )
    for factor, max_steps, tolerance in levels:
        small_raw = _binned_series(stack, factor)
        search, jumped = factor == fine, np.zeros(tilts.size)
        for _ in range(max_steps):
            if should_stop is not None and should_stop():
                return Matching(shifts, residual, peaks, sigma)
            small = to_axis_frame(small_raw, axis_angle_deg=angle, shifts_px=shifts / factor)
            margin = int(np.ceil(np.abs(shifts).max() / factor)) + 3
            steps, peaks, variances, fits = _match_step(small, tilts, offset / factor, margin)
            if search:
                jumps, jumped = _settled(_jumps(fits), jumped)
                steps[:, 0] += jumps
                search = bool(np.any(jumps))
            update = to_image_frame_shifts(steps * factor, angle)
            new = gauge_shifts(shifts + update, tilts, angle)
            beyond = beyond_half_field(new, stack.shape[1:])
            if beyond.size:
                lost = np.full_like(sigma, np.nan)
                return Matching(shifts, residual, peaks, lost, beyond=tuple(beyond.tolist()))
            residual = float(np.sqrt(np.mean(np.sum((new - shifts) ** 2, axis=1))))
            shifts = new
            if factor == fine:
                sigma = factor * np.sqrt(variances * _SHARED_REFERENCE_ERROR)
            if residual < tolerance:
                break
    if not np.all(np.isfinite(sigma)):
        return Matching(shifts, residual, peaks, sigma)
    interval, loose = _along_sigma(fits)
    sigma[:, 0] = np.maximum(sigma[:, 0], fine * interval)
    return Matching(shifts, residual, peaks, sigma, tuple(int(i) for i in np.flatnonzero(loose)))
