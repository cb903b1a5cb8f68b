"""The kinetic fit of the user's front marks (result "front.manual").

Marks are kept in raw movie px; the session's drift (result "drift") moves them into the
first frame's px, where the line is drawn, before they are projected onto it
(:func:`~insitu_tem.analysis.movie.front_manual.marks_along_line`).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_manual import marks_along_line
from insitu_tem.analysis.movie.kinetics import fit_kinetics
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import frame_times, require, tracking_line
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, run_job

NAME = "front.manual"
MIN_KEYFRAMES = 5


def prepare(session: Session) -> Job:
    """The manual-front job: the marked keyframes' positions along the analysis line and, with
    :data:`MIN_KEYFRAMES` keyframes or more, their fit ``x(t) = x0 + k (t - t0)^n``."""
    movie = require(session, "movie", ("movie",))
    line_rc, line_input = tracking_line(session)
    marks = session.marks
    drift = session.result("drift")
    shifts = None if drift is None else drift.value["shifts_px"]
    times, time_units = frame_times(movie)
    inputs = ["movie", "marks", line_input, "result.drift"]

    def compute(steps: Steps) -> dict:
        frames, positions = marks_along_line(
            marks, line_rc, movie.signal_axes, n_frames=movie.n_items, shifts_px=shifts
        )
        if len(frames) >= MIN_KEYFRAMES:
            fit = fit_kinetics(times[frames], positions)
            fitted = {**fit.as_dict(), "ok": fit.ok, "reason": fit.reason}
        else:
            fitted = {"ok": False, "reason": f"mark the front in {MIN_KEYFRAMES} frames or more"}
        return {
            "frames": frames,
            "times": times[frames],
            "time_units": time_units,
            "position": positions,
            "units": movie.signal_axes[1].units,
            "fit": fitted,
        }

    parameters = {"line_rc": np.asarray(line_rc, float).tolist()}
    return Job(NAME, parameters, session.fingerprints(inputs), compute)


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
) -> Result:
    """Fit the manual marks and store result "front.manual" in ``session``."""
    return run_job(session, prepare(session), should_stop=should_stop, progress=progress)
