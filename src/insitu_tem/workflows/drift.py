"""Measure the specimen drift of the movie (result "drift")."""

from __future__ import annotations

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.child import ChildProcess, fits_a_worker
from insitu_tem.workflows.common import require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "drift"
DEFAULTS = {"reference": "first", "roi": None}


def prepare(session: Session, *, child: ChildProcess | None = None, **given) -> Job:
    """The drift job.

    Parameters
    ----------
    child : ChildProcess, optional
        Measure in this worker process instead of the job's thread when the movie is in memory
        and fits a worker (:func:`~insitu_tem.workflows.child.fits_a_worker`; the front
        tracking's worker has measured it ahead when a project opens). The numbers are the
        same.
    reference : {"first", "previous", "running"}
        Register every frame against the first, the previous (chained) or a running mean.
    roi : (row0, row1, col0, col1) or None
        Correlate only inside this rectangle (static texture), px.
    """
    movie = require(session, "movie", ("movie",))
    parameters = options(session, NAME, DEFAULTS, given)
    roi = None if parameters["roi"] is None else tuple(int(v) for v in parameters["roi"])

    settings = {"reference": parameters["reference"], "roi": roi}

    def compute(steps: Steps) -> dict:
        if child is not None and fits_a_worker(movie.array):
            result = child.run(measure_drift, steps, movie.array, **settings)
        else:
            result = measure_drift(
                movie.array, progress=steps.progress, should_stop=steps.should_stop, **settings
            )
        steps.check()
        row, col = movie.signal_axes
        return {
            "shifts_px": result.shifts_px,
            "shifts": result.shifts(row, col),
            "shifts_px_sigma": result.sigma_px,
            "units": col.units,
            "peak": result.peak,
            "reference": result.reference,
            "ok": result.ok,
            "reason": result.reason,
            "weak_frames": list(result.weak_frames),
        }

    return Job(NAME, parameters, session.fingerprints(["movie"]), compute)


def run(
    session: Session,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    **given,
) -> Result:
    """Measure the drift and store result "drift" in ``session``."""
    return run_job(session, prepare(session, **given), should_stop=should_stop, progress=progress)
