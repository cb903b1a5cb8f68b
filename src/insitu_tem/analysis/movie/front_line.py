"""The whole front analysis along a line, shared by the CLI and the movie panel:
optional drift correction -> kymograph -> front track per frame -> trajectory -> with the band's
pixel passages (drift-corrected movies) -> calibration -> kinetics."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.movie.drift import DriftResult
from insitu_tem.analysis.movie.drift_static import measure_static_drift
from insitu_tem.analysis.movie.front import FrontTrack, track_front_levels
from insitu_tem.analysis.movie.front_passage import with_passages
from insitu_tem.analysis.movie.front_tilt import STRIP_PX, FrontTilt, declined_reason, front_tilt
from insitu_tem.analysis.movie.front_trajectory import along_trajectory
from insitu_tem.analysis.movie.kinetics import KineticsFit, fit_kinetics, measured_velocity
from insitu_tem.analysis.movie.velocity import fitted_velocity_sigma, measured_velocity_sigma
from insitu_tem.analysis.movie.kymograph import Kymograph, LineSampling, band, kymograph

ERROR_SPAN = 1 / 6
DRIFT_UNKNOWN = (
    "this frame's drift is not known within half the line's width: the band may lie off the "
    "material it should sample"
)


@dataclass(frozen=True)
class FrontAnalysis:
    """Everything measured about a front along one line.

    Attributes
    ----------
    times : numpy.ndarray
        Frame times (s, or frame numbers for an uncalibrated movie).
    kymograph : Kymograph
        Intensity along the line vs frame.
    track : FrontTrack
        Front position in px along the line, confidence, presence: each frame's position and
        1σ read from the trajectory
        (:func:`~insitu_tem.analysis.movie.front_trajectory.along_trajectory`).
    position : numpy.ndarray
        Front position in calibrated units along the line (NaN where absent).
    position_sigma : numpy.ndarray
        1σ of ``position`` (same units; the tracker's statistical, level and model terms and
        the drift correction's error along the line).
    units : str
        Units of ``position``.
    fit : KineticsFit
        ``x(t) = x0 + k (t - t0)^n`` fitted to the per-frame positions (each frame's own fit,
        before the trajectory: the power law is itself a fit across frames), its errors with
        the positions' errors correlated over ``ERROR_SPAN`` of the tracked time span (a
        sample's frozen level error lasts while the front crosses the ~10 samples of its
        profile window, a sixth of the frames for a front crossing a 60 px line; the drift
        error is a random walk).
    velocity : numpy.ndarray
        Fitted velocity per frame, units per time unit.
    velocity_measured : numpy.ndarray
        Velocity from the per-frame positions (Savitzky-Golay derivative).
    drift : DriftResult or None
        Drift used to follow the specimen (None without correction).
    tilt : FrontTilt or None
        The front's tilt across a straight line, by which the band is sampled sheared (None for
        polylines and lines narrower than two strips).
    velocity_sigma, velocity_measured_sigma : numpy.ndarray or None
        1σ of ``velocity`` and ``velocity_measured`` (:mod:`~insitu_tem.analysis.movie.velocity`).
    """

    times: np.ndarray
    kymograph: Kymograph
    track: FrontTrack
    position: np.ndarray
    position_sigma: np.ndarray
    units: str
    fit: KineticsFit
    velocity: np.ndarray
    velocity_measured: np.ndarray
    drift: DriftResult | None
    tilt: FrontTilt | None = None
    velocity_sigma: np.ndarray | None = None
    velocity_measured_sigma: np.ndarray | None = None


def with_drift_error(track: FrontTrack, sampling: LineSampling, drift) -> FrontTrack:
    """The track with the drift's error in its 1σ: a drift error δ moves the front read along a
    band sampled along ``n + b t`` (normal ``n``, tangent ``t``, shear ``b``) by ``(t - b n)·δ``;
    frames whose drift has no finite covariance, or a 1σ (along its worst direction) beyond the
    band's half-width — the band may lie off the material it should sample — are not
    measured."""
    covariance = None if drift is None else drift.covariance_px2
    if covariance is None or not track.ok:
        return track
    index = np.clip(np.nan_to_num(np.round(track.position)), 0, sampling.normals_rc.shape[0] - 1)
    normal = sampling.normals_rc[index.astype(int)]
    projection = np.column_stack([-normal[:, 1], normal[:, 0]]) - sampling.shear * normal
    variance = np.einsum("ni,nij,nj->n", projection, covariance, projection)
    finite = np.all(np.isfinite(covariance), axis=(1, 2))
    worst = np.full(finite.shape, np.inf)
    worst[finite] = np.linalg.eigvalsh(covariance[finite])[:, -1]
    half_width = (np.ptp(sampling.offsets_px) + 1) / 2
    known = np.isfinite(variance) & (worst <= half_width**2)
    position = np.where(known, track.position, np.nan)
    sigma = np.where(known, np.hypot(track.position_sigma, np.sqrt(np.abs(variance))), np.nan)
    noise = track.position_noise
    if noise is not None:
        noise = np.where(known, np.hypot(noise, np.sqrt(np.abs(variance))), np.nan)
    present = track.present & known
    return replace(
        track,
        position=position,
        position_sigma=sigma,
        position_noise=noise,
        present=present,
        confidence=np.where(present, track.confidence, 0.0),
        frame_reason=tuple(
            DRIFT_UNKNOWN if was and not now else reason
            for was, now, reason in zip(track.present, present, track.frame_reason)
        ),
    )


def analyse_front(
    movie,
    points_rc,
    *,
    axes: tuple[Axis, Axis],
    times,
    width: float = 21.0,
    drift_reference: str | None = None,
    drift_roi=None,
    shifts_px=None,
    polarity: int | str = "auto",
    fixed: dict[str, float] | None = None,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FrontAnalysis:
    """Track a front along a line and fit its kinetics.

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array.
    points_rc : array_like
        Line vertices, (row, col) px.
    axes : tuple of Axis
        (row, col) calibration of the frames.
    times : array_like
        Time of each frame (s).
    width : float
        Averaging width across the line, px.
    drift_reference : {"first", "previous", "running"} or None
        Measure the drift first (None: use ``shifts_px`` or no correction): on the pixels that
        do not change (:func:`measure_static_drift`), or with this reference inside
        ``drift_roi`` when one is given.
    drift_roi : tuple of int, optional
        (row0, row1, col0, col1) static region for the drift measurement.
    shifts_px : array_like, optional
        Drift already measured, (t, 2) px.
    polarity, fixed :
        Passed to :func:`track_front` and :func:`fit_kinetics`.
    progress, should_stop : callable, optional
        Progress report and early stop.
    """
    report = progress or (lambda fraction, message: None)
    drift = None
    if drift_reference is not None:
        drift = measure_static_drift(
            movie,
            reference=drift_reference,
            roi=drift_roi,
            should_stop=should_stop,
            progress=lambda f, m: report(0.5 * f, m),
        )
        shifts_px = drift.shifts_px
    start = 0.5 if drift is not None else 0.0
    tilt = None
    if len(points_rc) == 2 and width >= 2 * STRIP_PX:
        tilt = front_tilt(movie, points_rc, width=width, shifts_px=shifts_px)
    kymo = kymograph(
        movie,
        points_rc,
        width=width,
        shear=tilt.shear if tilt is not None else 0.0,
        shifts_px=shifts_px,
        should_stop=should_stop,
        progress=lambda f, m: report(start + (0.95 - start) * f, m),
    )
    own, model, fits = track_front_levels(
        kymo.image, polarity=polarity, follows_specimen=shifts_px is not None
    )
    reason = None
    if not own.ok and tilt is not None:
        reason = declined_reason(tilt, kymo.image, polarity=polarity, width=width)
    if reason is not None:
        own = replace(own, reason=reason, frame_reason=(reason,) * len(own.frame_reason))
    frames = with_drift_error(own, kymo.sampling, drift)
    track = along_trajectory(frames)
    if shifts_px is not None and model is not None:
        pixels = band(movie, kymo.sampling, shifts_px)
        track = with_passages(track, pixels, model, fits, own.position)
    row, col = axes
    distance = kymo.sampling.calibrated_distance(row, col)
    position, scale = _calibrated(track.position, kymo.distance_px, distance)
    position_sigma = track.position_sigma * scale
    per_frame, frame_scale = _calibrated(frames.position, kymo.distance_px, distance)
    noise = frames.position_sigma if frames.position_noise is None else frames.position_noise
    times = np.asarray(times, dtype=float)
    fit = fit_kinetics(
        times, per_frame, sigma=noise * frame_scale, fixed=fixed, correlation_span=ERROR_SPAN
    )
    velocity = fit.velocity(times) if fit.ok else np.full(times.shape, np.nan)
    report(1.0, "front tracked")
    return FrontAnalysis(
        times,
        kymo,
        track,
        position,
        position_sigma,
        col.units,
        fit,
        velocity,
        measured_velocity(times, per_frame),
        drift,
        tilt,
        fitted_velocity_sigma(fit, times),
        measured_velocity_sigma(times, per_frame, frames.position_sigma * frame_scale),
    )


def _calibrated(
    position_px: np.ndarray, distance_px: np.ndarray, distance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated distance along the line at ``position_px`` (kymograph samples; NaN off the
    line) and its derivative (calibrated units per sample)."""
    position = np.interp(position_px, distance_px, distance, left=np.nan, right=np.nan)
    return position, np.interp(position_px, distance_px, np.gradient(distance, distance_px))
