"""Track the reaction front along the user's line and fit its kinetics (result "front").

Reuses the session's drift result (result "drift") when there is one, so the
track is in the coordinates of the first frame, where lines are drawn.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_line import FrontAnalysis, analyse_front
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.io.readers.memory import memory_budget
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.common import frame_times, require, tracking_line
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

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
    times, time_units = frame_times(movie)
    reference = parameters["drift"] if parameters["drift"] not in ("session", None) else None
    roi = (
        None if parameters["drift_roi"] is None else tuple(int(v) for v in parameters["drift_roi"])
    )
    fixed = {"t0": parameters["fix_t0"]} if parameters["fix_t0"] is not None else None
    polarity = (
        parameters["polarity"] if parameters["polarity"] == "auto" else int(parameters["polarity"])
    )

    def compute(steps: Steps) -> dict:
        line = np.asarray(parameters["line_rc"])
        settings = {
            "axes": movie.signal_axes,
            "times": times,
            "width": float(parameters["width_px"]),
            "drift_reference": reference,
            "drift_roi": roi,
            "shifts_px": shifts,
            "polarity": polarity,
            "fixed": fixed,
        }
        if child is not None and _fits_a_worker(movie.array):
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


def _fits_a_worker(array) -> bool:
    """Whether ``array`` is in memory and three copies of it fit the memory budget."""
    return type(array) is np.ndarray and 3 * array.nbytes <= memory_budget()


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
