"""Film measurements on the movie: the film thickness across the user's line as strain (result
"film.thickness") and the reacted area in every frame (result "film.area").

Both follow the session's drift result (result "drift") when there is one, as the front track
does, so they are measured in the coordinates of the first frame, where lines are drawn.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import frame_times, require, tracking_line
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

THICKNESS, AREA = "film.thickness", "film.area"
THICKNESS_DEFAULTS = {"width_px": 21.0}
AREA_DEFAULTS = {"region_rc": None, "sigma_px": 2.0}


def _drift(session: Session) -> np.ndarray | None:
    drift = session.result("drift")
    return None if drift is None else np.asarray(drift.value["shifts_px"], dtype=float)


def prepare_thickness(session: Session, *, line_rc=None, **given) -> Job:
    """The film-thickness job: the two film edges tracked across the line in every frame.

    Parameters
    ----------
    line_rc : array_like, optional
        Vertices (row, col), movie px, crossing the film; default: the analysis line.
    width_px : float
        Averaging width across the line, px.
    """
    movie = require(session, "movie", ("movie",))
    parameters = options(session, THICKNESS, THICKNESS_DEFAULTS, given)
    inputs = ["movie", "result.drift"]
    if line_rc is None:
        line_rc, line_input = tracking_line(session)
        inputs.append(line_input)
    parameters["line_rc"] = np.asarray(line_rc, dtype=float).tolist()
    shifts = _drift(session)

    def compute(steps: Steps) -> dict:
        from insitu_tem.analysis.movie.film_thickness import film_thickness  # scipy.optimize

        profile = kymograph(
            movie.array,
            np.asarray(parameters["line_rc"]),
            width=float(parameters["width_px"]),
            shifts_px=shifts,
            progress=steps.scaled(0.0, 0.9),
            should_stop=steps.should_stop,
        )
        return thickness_value(film_thickness(profile.image), movie)

    return Job(THICKNESS, parameters, session.fingerprints(inputs), compute)


def thickness_value(result, movie: Dataset) -> dict:
    """The numbers of a film-thickness measurement as kept in the session (lengths along the
    line in px and calibrated; strain as a fraction; ``reference_sigma`` the start thickness's
    1σ of :func:`thickness_at_start`, NaN when not measured; ``strain_sigma``,
    ``length_sigma_px``, ``start_sigma_px``, ``end_sigma_px`` the per-frame 1σ of the edge fits
    propagated, the reference's error included in the strain's; ``final_strain_sigma_percent``
    the 1σ of the mean strain of the last five frames)."""
    times, time_units = frame_times(movie)
    axis = movie.signal_axes[1]
    strain = np.asarray(result.strain, dtype=float)
    last = np.arange(max(0, strain.size - 5), strain.size)
    nan = np.full(strain.size, np.nan)
    value = {
        "times": times,
        "time_units": time_units,
        "start_px": result.start_px,
        "end_px": result.end_px,
        "length_px": result.length_px,
        "strain": strain,
        "reference_px": result.reference_px,
        "reference": result.reference_px * axis.scale,
        "units": axis.units,
        "final_strain_percent": float(np.nanmean(strain[-5:]) * 100) if result.ok else np.nan,
        "final_strain_sigma_percent": 100 * result.mean_strain_sigma(last) if result.ok else np.nan,
        "strain_sigma": _or(result.strain_sigma, nan),
        "length_sigma_px": _or(result.length_sigma_px, nan),
        "start_sigma_px": _or(result.start_sigma_px, nan),
        "end_sigma_px": _or(result.end_sigma_px, nan),
        "ok": bool(result.ok),
        "reason": result.reason,
    }
    value["reference_sigma"] = thickness_at_start(value)[1] if result.ok else np.nan
    return value


def _or(values, default: np.ndarray) -> np.ndarray:
    return default if values is None else np.asarray(values, dtype=float)


def thickness_at_start(value: dict) -> tuple[float, float]:
    """Film thickness at the start of a film-thickness result and its 1σ, in the result's units.

    The thickness is the reference length (mean of the first three frames); its 1σ is the
    scatter of those frames, at least one pixel (the edges are located to a pixel).
    """
    scale = float(value["reference"]) / float(value["reference_px"])
    lengths = np.asarray(value["length_px"], dtype=float)[:3]
    first = lengths[np.isfinite(lengths)]
    return float(value["reference"]), max(float(np.std(first)), 1.0) * scale


def prepare_area(session: Session, **given) -> Job:
    """The reacted-area job: the reacted region segmented in every frame.

    Parameters
    ----------
    region_rc : (row0, row1, col0, col1) or None
        Where the reacted region is looked for, px (None: the whole frame).
    sigma_px : float
        Gaussian smoothing before thresholding, px.
    """
    movie = require(session, "movie", ("movie",))
    parameters = options(session, AREA, AREA_DEFAULTS, given)
    mask = np.zeros(movie.shape[1:], bool)
    region = parameters["region_rc"]
    r0, r1, c0, c1 = (0, mask.shape[0], 0, mask.shape[1]) if region is None else region
    mask[int(r0) : int(r1), int(c0) : int(c1)] = True
    shifts = _drift(session)

    def compute(steps: Steps) -> dict:
        from insitu_tem.analysis.movie.front_area import reacted_area  # scikit-image

        result = reacted_area(
            movie.array,
            mask=mask,
            sigma=float(parameters["sigma_px"]),
            shifts_px=shifts,
            progress=steps.progress,
            should_stop=steps.should_stop,
        )
        return area_value(result, movie)

    return Job(AREA, parameters, session.fingerprints(["movie", "result.drift"]), compute)


def area_value(result, movie: Dataset) -> dict:
    """The numbers of a reacted-area measurement as kept in the session: area per frame (px² and
    calibrated), the region's boundary per frame ((row, col) px) and the segmentation's
    confidence."""
    times, time_units = frame_times(movie)
    row, col = movie.signal_axes
    area_px = np.asarray(result.area_px, dtype=float)
    confidence = np.asarray(result.confidence, dtype=float)
    return {
        "times": times,
        "time_units": time_units,
        "area_px": area_px,
        "area": area_px * row.scale * col.scale,
        "units": f"{col.units}²",
        "contours_rc": [np.asarray(c, dtype=float).reshape(-1, 2) for c in result.contours_rc],
        "confidence": confidence,
        "threshold": result.threshold,
        "polarity": int(result.polarity),
        "ok": bool(result.ok),
        "reason": result.reason,
    }


def run_thickness(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Measure the film thickness and store result "film.thickness" in ``session``."""
    job = prepare_thickness(session, **given)
    return run_job(session, job, should_stop=should_stop, progress=progress)


def run_area(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Segment the reacted area and store result "film.area" in ``session``."""
    return run_job(
        session, prepare_area(session, **given), should_stop=should_stop, progress=progress
    )
