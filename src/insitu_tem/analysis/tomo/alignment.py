"""Tilt-series alignment: tilt axis, shifts, and their refinement by projection matching.

``align_tilt_series(stack, tilts)`` returns an :class:`Alignment` whose
``shifts_px[i] = (dy, dx)`` is the displacement of projection i's content
relative to the aligned series (raw image frame, px), in the gauge of
:mod:`.geometry`. Methods:

``"xcorr"``
    neighbours cross-correlated outwards from the lowest tilt, the higher
    tilt stretched by ``cos θ_ref / cos θ`` across the axis first [1]_;
``"com"``
    centre of mass across the axis: the residual from the fitted
    ``u₀ + x cos θ + z sin θ``; along the axis the common-line profiles
    (a centre of mass along the axis is meaningless for a wire crossing the
    field of view);
``"auto"``
    ``"xcorr"`` then projection matching: the tilts dealt into three interleaved groups, each
    group re-projected (σ = 1 px) from an MLEM-10 reconstruction of the other two — so no
    projection is in its own reference and both its neighbours are — and each projection
    registered to its re-projection (weighted least squares on the re-projection's gradient,
    :func:`.registration.matched_displacement`) and moved by the full step; repeated first on
    twice-binned projections until the shifts change by < 0.25 px, then at full size until
    they change by < 0.02 px or for 12 steps (the smooth modes of the shifts along the
    series converge slowly) [2]_, with a search along the axis for projections locked whole
    pixels off (:mod:`.along_search`); each shift's 1σ from the last registration
    (``shifts_sigma_px``);
``"none"``
    no shifts.

Whatever the method, the series must share structure between neighbouring tilts: each
neighbour pair's correlation peak is compared with those of phase-randomised copies
(:func:`.neighbour_chain.unlike_projections`), and when no more pairs exceed theirs than chance
would, the result is ``ok=False`` naming the projections that do not (noise, smooth noise or a
fixed ramp has nothing to align on, whatever its size or smoothness). In a series that does, a
single projection unlike both its neighbouring tilts (a blank frame, noise, another object) is
named in ``unlike_projections`` and ``left_out_projections`` (:mod:`.odd_projections`), and the
reconstruction leaves it out; ``ok`` is unchanged.

The tilt-axis direction is found from the motion between tilts (when asked) and its offset by
the centre-of-mass fit where that agrees (within 2 px) with the offset that minimises the
reprojection error, else by the latter (:mod:`.axis`), unless given.
:func:`.alignment_result.apply_alignment` applies the result to any other channel (EDS maps) of
the same series.

References
----------
.. [1] M. C. Lawrence, in *Electron Tomography* (ed. J. Frank), Plenum (1992),
   ch. 8 (stretching); D. N. Mastronarde, *IMOD* tiltxcorr documentation.
.. [2] T. Dahmen et al., Microsc. Microanal. 21, 1177 (2015) (projection matching).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from insitu_tem.analysis.tomo.axis import (
    centre_of_mass_across,
    estimate_axis_offset,
    estimate_axis_offset_by_consistency,
)
from insitu_tem.analysis.tomo.axis_direction import estimate_axis_direction
from insitu_tem.analysis.tomo.geometry import (
    axis_vectors,
    within_half_field,
    gauge_shifts,
    to_axis_frame,
    to_image_frame_shifts,
)
from insitu_tem.analysis.tomo.alignment_result import Alignment
from insitu_tem.analysis.tomo.odd_projections import odd_projections
from insitu_tem.analysis.tomo.projection_matching import refine_by_projection_matching
from insitu_tem.analysis.tomo.neighbour_chain import (
    profile_shifts,
    unlike_projections,
    unlike_reason,
    xcorr_shifts,
)

METHODS = ("auto", "xcorr", "com", "none")
_AGREEMENT_PX = 2.0
_CHECK_WIDTH = 64


def _com_shifts(aligned: np.ndarray, tilts: np.ndarray) -> np.ndarray:
    theta = np.deg2rad(tilts)
    profiles = aligned.sum(axis=2, dtype=np.float64)
    along = profile_shifts(profiles - np.median(profiles, axis=1, keepdims=True))
    across = centre_of_mass_across(aligned)
    design = np.stack([np.ones_like(theta), np.cos(theta), np.sin(theta)], axis=1)
    across = across - design @ np.linalg.lstsq(design, across, rcond=None)[0]
    return np.stack([along - along.mean(), across], axis=1)


def _check(stack: np.ndarray, tilts: np.ndarray, method: str) -> None:
    if stack.ndim != 3 or min(stack.shape[1:]) < 16:
        raise ValueError(
            "a tilt series must be (n_tilts, rows, cols) with images of at least 16 px; got "
            f"{stack.shape}"
        )
    if tilts.size != stack.shape[0]:
        raise ValueError(
            f"{tilts.size} tilt angles for {stack.shape[0]} projections; give one angle per "
            "projection"
        )
    if method not in METHODS:
        raise ValueError(f"alignment method {method!r} is not one of {', '.join(METHODS)}")
    if not np.all(np.isfinite(stack)):
        raise ValueError(
            "the tilt series holds NaN or Inf; replace them (e.g. by 0) before aligning"
        )


def align_tilt_series(
    stack: np.ndarray,
    tilts_deg,
    *,
    method: str = "auto",
    axis_angle_deg: float | None = 0.0,
    axis_offset_px: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Alignment:
    """Align a tilt series (see module docstring).

    Parameters
    ----------
    stack : ndarray
        (n_tilts, rows, cols) raw projections, intensity growing with mass (HAADF).
    tilts_deg : array_like
        Tilt of each projection, degrees.
    method : {"auto", "xcorr", "com", "none"}
    axis_angle_deg : float or None
        Tilt-axis direction, degrees; default 0 (axis along the rows, as most
        acquisition software writes series). None estimates it from the
        motion between tilts (:mod:`.axis_direction`); when that cannot
        decide, 0° is used and the result is ``ok=False`` with the reason.
    axis_offset_px : float, optional
        Tilt-axis offset, px; default: estimated.
    should_stop, progress : callable, optional
        Cancellation poll and ``progress(fraction, message)``.

    Returns
    -------
    Alignment
    """
    stack = np.asarray(stack, dtype=np.float32)
    tilts = np.asarray(tilts_deg, dtype=float).ravel()
    _check(stack, tilts, method)
    report = progress or (lambda fraction, message: None)
    angle, angle_sigma, angle_reason = float(axis_angle_deg or 0.0), 0.0, ""
    axis_method = "given"
    if axis_angle_deg is None:
        direction = estimate_axis_direction(stack, tilts)
        angle, angle_sigma = direction.angle_deg, direction.sigma_deg
        axis_method = direction.method if direction.ok else ""
        if not direction.ok:
            angle_reason = f"tilt-axis direction not found, 0° used: {direction.reason}"
    report(0.1, "tilt axis")
    aligned = to_axis_frame(stack, axis_angle_deg=angle)
    n = tilts.size
    chain_shifts, chain_peaks = xcorr_shifts(aligned, tilts)
    unlike = unlike_projections(aligned, tilts, chain_peaks)
    odd = np.array([], dtype=int) if unlike.size else odd_projections(aligned, tilts, chain_peaks)
    kept = np.setdiff1d(np.arange(n), odd)
    fit = _fit(
        _take(stack, kept),
        tilts[kept],
        _take(aligned, kept),
        xcorr_shifts(aligned[kept], tilts[kept]) if odd.size else (chain_shifts, chain_peaks),
        method=method,
        angle=angle,
        axis_offset_px=axis_offset_px,
        should_stop=should_stop,
        report=report,
    )
    shifts, sigma, peaks = np.zeros((n, 2)), np.full((n, 2), np.nan), chain_peaks.copy()
    shifts[kept], sigma[kept], peaks[kept] = fit.shifts, fit.sigma, fit.peaks
    matching = fit.matching
    stopped = tuple(kept[list(matching.beyond)].tolist()) if matching else ()
    unconstrained = tuple(kept[list(matching.unconstrained)].tolist()) if matching else ()
    reasons = [angle_reason] if angle_reason else []
    reasons += [unlike_reason(unlike)] if unlike.size else []
    reasons += _matching_reasons(stopped, unconstrained)
    shifts, sigma, unshifted, outside = within_half_field(shifts, sigma, stack.shape[1:])
    reasons += [outside] if outside else []
    report(1.0, "aligned")
    result = _result(
        tilts,
        shifts,
        angle,
        angle_sigma,
        fit.offset,
        fit.offset_sigma,
        fit.residual,
        peaks,
        method,
        should_stop,
        "; ".join(reasons),
    )
    return replace(
        result,
        axis_method=axis_method,
        shifts_sigma_px=sigma,
        unlike_projections=tuple(unlike.tolist()) or tuple(odd.tolist()),
        left_out_projections=tuple(odd.tolist()),
        stopped_projections=stopped,
        unconstrained_projections=unconstrained,
        unshifted_projections=unshifted,
        axis_reason=angle_reason,
    )


def _take(array: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """``array[kept]``, without a copy when every projection is kept."""
    return array if kept.size == array.shape[0] else array[kept]


@dataclass(frozen=True)
class _Fit:
    """Shifts, their 1σ, peaks and axis offset of the projections aligned (:func:`_fit`)."""

    shifts: np.ndarray
    sigma: np.ndarray
    peaks: np.ndarray
    residual: float
    offset: float
    offset_sigma: float
    matching: object = None


def _fit(
    stack, tilts, aligned, chain, *, method, angle, axis_offset_px, should_stop, report
) -> _Fit:
    """Align the projections kept (``chain``: their :func:`.neighbour_chain.xcorr_shifts`):
    shifts by ``method``, the axis offset, and for ``"auto"`` the projection matching."""
    n = tilts.size
    axis_shifts, peaks = chain
    if method == "com":
        axis_shifts = _com_shifts(aligned, tilts)
    elif method == "none":
        axis_shifts, peaks = np.zeros((n, 2)), np.ones(n)
    shifts = (
        gauge_shifts(to_image_frame_shifts(axis_shifts, angle), tilts, angle)
        if method != "none"
        else np.zeros((n, 2))
    )
    report(0.4, "shifts")
    refine = method == "auto" and n >= 4
    offset, offset_sigma, consistent = _offset(
        stack, tilts, angle, shifts, axis_offset_px, coarse=refine
    )
    if not refine:
        return _Fit(shifts, np.full((n, 2), np.nan), peaks, float("nan"), offset, offset_sigma)
    report(0.5, "projection matching")
    matching = refine_by_projection_matching(stack, tilts, angle, shifts, offset, should_stop)
    offset, offset_sigma, _ = _offset(
        stack, tilts, angle, matching.shifts_px, axis_offset_px, near=consistent
    )
    return _Fit(
        matching.shifts_px,
        image_frame_sigma(matching.sigma_axis_px, angle),
        matching.peaks,
        matching.residual_px,
        offset,
        offset_sigma,
        matching,
    )


def _matching_reasons(stopped: tuple, unconstrained: tuple) -> list[str]:
    """Why the projection matching is not to be trusted: it stopped on the projections
    ``stopped``, or left those ``unconstrained`` along the axis."""
    reasons = []
    if stopped:
        reasons.append(
            f"projection matching stopped: a step would have moved projections "
            f"{list(stopped)} by more than half the image, so the series holds too "
            "little common structure to register them (noise only, or a wrong tilt axis?)"
        )
    if unconstrained:
        reasons.append(
            f"projections {list(unconstrained)} are not constrained along the tilt "
            "axis (their registration cost is flat or has a second minimum along it): "
            "their shifts may be pixels off"
        )
    return reasons


def image_frame_sigma(sigma_axis_px: np.ndarray, axis_angle_deg: float) -> np.ndarray:
    """(n, 2) 1σ along and across the tilt axis -> (n, 2) 1σ of (dy, dx), px (independent
    errors along and across)."""
    along, across = axis_vectors(axis_angle_deg)
    variance = np.outer(sigma_axis_px[:, 0] ** 2, along**2) + np.outer(
        sigma_axis_px[:, 1] ** 2, across**2
    )
    return np.sqrt(variance)


def _offset(
    stack, tilts, angle, shifts, given, near=None, coarse=False
) -> tuple[float, float, float | None]:
    """Offset, its 1σ and the consistency estimate (searched about ``near`` when given, only on
    the coarse grid when ``coarse``: a first estimate for the projection matching, which is
    insensitive to it — an offset error moves the projections by ``a + b cos θ``, the gauge).

    About ``near``, the 1-px search runs first on columns binned to ≤ ``_CHECK_WIDTH``: when
    that estimate agrees with the centre of mass within ``_AGREEMENT_PX`` even three grid
    resolutions (step / √12) away, the full-size search, which would confirm it unless it fell
    more than that from the binned one, is skipped. The reprojection-error offset's 1σ is the
    slabs' (:mod:`.axis`); the choices between the two estimates use the grid's resolution.

    The centre-of-mass offset's 1σ is that of its least-squares fit alone: the shifts' errors
    across the axis carry no ``1``, ``cos θ`` or ``sin θ`` component (their gauge) and so do not
    move it (a 0.3 px floor added to it made the ±1σ cover 100 % of the held-out phantoms)."""
    if given is not None:
        return float(given), 0.0, None
    if tilts.size < 4:
        return 0.0, float("nan"), None
    aligned = to_axis_frame(stack, axis_angle_deg=angle, shifts_px=shifts)
    com, com_sigma = estimate_axis_offset(aligned, tilts)
    if near is not None and stack.shape[2] >= 2 * _CHECK_WIDTH:
        check = estimate_axis_offset_by_consistency(
            aligned, tilts, near=near, max_width=_CHECK_WIDTH
        )
        if abs(com - check.offset_px) + 3 * check.resolution_px <= _AGREEMENT_PX:
            return com, com_sigma, check.offset_px
    consistent = estimate_axis_offset_by_consistency(aligned, tilts, near=near, coarse_only=coarse)
    if abs(com - consistent.offset_px) <= max(_AGREEMENT_PX, 3 * consistent.resolution_px):
        return com, com_sigma, consistent.offset_px
    return consistent.offset_px, consistent.sigma_px, consistent.offset_px


def _result(
    tilts,
    shifts,
    angle,
    angle_sigma,
    offset,
    offset_sigma,
    residual,
    peaks,
    method,
    should_stop,
    angle_reason,
) -> Alignment:
    reasons = [angle_reason] if angle_reason else []
    if should_stop is not None and should_stop():
        reasons.append("cancelled before the refinement finished")
    return Alignment(
        tilts,
        shifts,
        angle,
        angle_sigma,
        offset,
        offset_sigma,
        residual,
        peaks,
        method,
        not reasons,
        "; ".join(reasons),
    )
