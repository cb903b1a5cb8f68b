"""Track the reaction front along the user's line and fit its kinetics (result "front").

Reuses the session's drift result (result "drift") when there is one, so the
track is in the coordinates of the first frame, where lines are drawn.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_line import FrontAnalysis, analyse_front
from insitu_tem.core.project import load_session
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows import drift as drift_workflow
from insitu_tem.workflows.child import ChildProcess, Keeper, fits_a_worker
from insitu_tem.workflows.common import frame_times, require, tracking_line
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job
from insitu_tem.workflows.project import find_source, load_role

NAME = "front"
DEFAULTS = {
    "width_px": 21.0,
    "drift": "session",
    "drift_roi": None,
    "polarity": "auto",
    "fix_t0": None,
}


def prepare(session: Session, *, line_rc=None, child: ChildProcess | None = None, **given) -> Job:
    """The front-tracking job.

    Parameters
    ----------
    line_rc : array_like, optional
        Vertices (row, col), movie px; default: the analysis line (else a scan line).
    child : ChildProcess, optional
        Track in this worker process instead of the job's thread when the movie is in memory
        (a numpy array) and it, the message and the worker's copy fit the memory budget
        (:func:`~insitu_tem.io.readers.memory.memory_budget`); else (a lazy or a large movie)
        here. The numbers are the same.
    width_px : float
        Averaging width across the line, px.
    drift : {"session", "first", "previous", "running", None}
        "session" uses the session's drift result when present; a reference name
        measures the drift first; None tracks on the raw frames.
    drift_roi : (row0, row1, col0, col1) or None
        Static region the drift is measured in, px.
    polarity : {"auto", 1, -1}
    fix_t0 : float or None
        Hold t0 of the kinetic fit, s.
    """
    movie, parameters, inputs, settings = _tracking(session, line_rc, given)
    time_units = frame_times(movie)[1]

    def compute(steps: Steps) -> dict:
        line = np.asarray(parameters["line_rc"])
        if child is not None and fits_a_worker(movie.array):
            analysis = child.run(analyse_front, steps, movie.array, line, **settings)
        else:
            analysis = analyse_front(
                movie.array,
                line,
                progress=steps.progress,
                should_stop=steps.should_stop,
                **settings,
            )
        steps.check()
        return front_value(analysis, time_units)

    return Job(NAME, parameters, session.fingerprints(inputs), compute)


def _tracking(session: Session, line_rc, given: dict) -> tuple:
    """The movie, the job's parameters, its session inputs and the keywords of
    :func:`~insitu_tem.analysis.movie.front_line.analyse_front` (see :func:`prepare`)."""
    movie = require(session, "movie", ("movie",))
    parameters = options(session, NAME, DEFAULTS, given)
    if line_rc is None:
        line_rc, line_input = tracking_line(session)
        inputs = ["movie", line_input]
    else:
        inputs = ["movie"]
    shifts = None
    drift = session.result("drift")
    if parameters["drift"] == "session":
        inputs.append("result.drift")
    if parameters["drift"] == "session" and drift is not None:
        shifts = np.asarray(drift.value["shifts_px"], dtype=float)
    parameters["line_rc"] = np.asarray(line_rc, dtype=float).tolist()
    roi = parameters["drift_roi"]
    polarity = parameters["polarity"]
    settings = {
        "axes": movie.signal_axes,
        "times": frame_times(movie)[0],
        "width": float(parameters["width_px"]),
        "drift_reference": parameters["drift"]
        if parameters["drift"] not in ("session", None)
        else None,
        "drift_roi": None if roi is None else tuple(int(v) for v in roi),
        "shifts_px": shifts,
        "polarity": polarity if polarity == "auto" else int(polarity),
        "fixed": {"t0": parameters["fix_t0"]} if parameters["fix_t0"] is not None else None,
    }
    return movie, parameters, inputs, settings


def track_ahead(worker: Keeper, project_path: str) -> None:
    """Run the drift (when the project has none) and front jobs the across-the-front chain of
    the project at ``project_path`` will ask its worker for, with ``worker`` as theirs (for
    :meth:`ChildProcess.ahead <insitu_tem.workflows.child.ChildProcess.ahead>`: the worker
    reads the movie and computes both while the project opens); nothing when the project holds
    no movie or a front result, or the movie would not be tracked in a worker."""
    session = load_session(project_path)
    found = find_source(session, "movie", project_path)
    if found is None or session.result(NAME) is not None:
        return
    load_role(session, "movie", found)
    if not fits_a_worker(session.dataset("movie").array):
        return
    if session.result("drift") is None:
        drift_workflow.run(session, child=worker)
    run(session, child=worker)


def front_value(analysis: FrontAnalysis, time_units: str) -> dict:
    """The numbers of a front analysis as kept in the session: ``position_px`` is the kymograph
    sample index, ``position_along_px`` the arc length along the line (movie px), ``position``
    the calibrated distance along the line."""
    fit = analysis.fit
    shifts = analysis.drift.shifts_px if analysis.drift is not None else None
    arc_px = analysis.kymograph.distance_px
    along_px = np.interp(
        analysis.track.position, np.arange(arc_px.size), arc_px, left=np.nan, right=np.nan
    )
    return {
        "times": analysis.times,
        "time_units": time_units,
        "position_px": analysis.track.position,
        "position_px_sigma": analysis.track.position_sigma,
        "position_along_px": along_px,
        "position": analysis.position,
        "position_sigma": analysis.position_sigma,
        "units": analysis.units,
        "confidence": analysis.track.confidence,
        "present": analysis.track.present,
        "frame_reason": list(analysis.track.frame_reason),
        "fit": {**fit.as_dict(), "ok": fit.ok, "reason": fit.reason},
        "velocity": analysis.velocity,
        "velocity_measured": analysis.velocity_measured,
        "velocity_sigma": analysis.velocity_sigma,
        "velocity_measured_sigma": analysis.velocity_measured_sigma,
        "velocity_units": f"{analysis.units}/{time_units}",
        "drift_shifts_px": shifts,
        "ok": bool(analysis.track.ok and fit.ok),
        "reason": analysis.track.reason or fit.reason,
    }


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Track the front and store result "front" in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)
