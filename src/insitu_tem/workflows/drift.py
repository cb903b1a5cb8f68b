"""Measure the specimen drift of the movie (result "drift")."""

from __future__ import annotations

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.workflows.common import require
from insitu_tem.workflows.jobs import Job, Progress, ShouldStop, Steps, options, run_job

NAME = "drift"
DEFAULTS = {"reference": "first", "roi": None}


def prepare(session: Session, **given) -> Job:
    """The drift job.

    Parameters
    ----------
    reference : {"first", "previous", "running"}
        Register every frame against the first, the previous (chained) or a running mean.
    roi : (row0, row1, col0, col1) or None
        Correlate only inside this rectangle (static texture), px.
    """
    movie = require(session, "movie", ("movie",))
    parameters = options(session, NAME, DEFAULTS, given)
    roi = None if parameters["roi"] is None else tuple(int(v) for v in parameters["roi"])

    def compute(steps: Steps) -> dict:
        result = measure_drift(
            movie.array,
            reference=parameters["reference"],
            roi=roi,
            progress=steps.progress,
            should_stop=steps.should_stop,
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
