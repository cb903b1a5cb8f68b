"""Jobs: an analysis prepared from a session, computed anywhere, stored back into it.

``prepare(session)`` (in each workflow module) reads the session on its own
thread and returns a :class:`Job`; :meth:`Job.run` computes on any thread and
returns a :class:`~insitu_tem.core.results.Result`; :func:`run_job` does both and
stores the result under the job's name. A job stopped by ``should_stop`` raises
:class:`Cancelled` and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from insitu_tem.core.results import Result
from insitu_tem.core.session import Session

Progress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]


class Cancelled(InterruptedError):
    """The job was stopped by its ``should_stop``; nothing was stored."""


class Steps:
    """What a running job is handed: ``progress(fraction, message)``, ``check()`` and the
    ``should_stop`` to pass into analyses."""

    def __init__(self, should_stop: ShouldStop | None, progress: Progress | None) -> None:
        self._stop = should_stop or (lambda: False)
        self.report = progress or (lambda fraction, message: None)

    def check(self) -> None:
        """Raise :class:`Cancelled` once the job's ``should_stop()`` is true."""
        if self._stop():
            raise Cancelled("stopped before it finished; nothing was stored")

    def should_stop(self) -> bool:
        """For analyses that poll ``should_stop()``: raises :class:`Cancelled` instead of returning
        True, so no analysis goes on with (or returns) a partial result."""
        self.check()
        return False

    def progress(self, fraction: float, message: str = "") -> None:
        self.report(fraction, message)

    def scaled(self, start: float, stop: float) -> Progress:
        """A progress callback mapping [0, 1] onto [start, stop] of this job."""
        return lambda fraction, message="": self.report(start + (stop - start) * fraction, message)


@dataclass(frozen=True)
class Job:
    """An analysis ready to compute.

    Attributes
    ----------
    name : str
        Result name in the session ("front", "drift", "lattice", "nbd", "eels", "across").
    parameters : dict
        Parameters recorded with the result.
    inputs : dict of str to str
        Input fingerprints taken when the job was prepared.
    compute : callable(Steps) -> dict
        The computation; returns the result's plain value.
    """

    name: str
    parameters: dict
    inputs: dict
    compute: Callable[[Steps], dict] = field(repr=False)

    def run(
        self, *, should_stop: ShouldStop | None = None, progress: Progress | None = None
    ) -> Result:
        """Compute (any thread); raise :class:`Cancelled` when stopped."""
        steps = Steps(should_stop, progress)
        steps.check()
        value = self.compute(steps)
        steps.check()
        steps.progress(1.0, f"{self.name} done")
        return Result(value, self.parameters, self.inputs)


def run_job(
    session: Session,
    job: Job,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
) -> Result:
    """Compute ``job`` on this thread and store its result in ``session``."""
    result = job.run(should_stop=should_stop, progress=progress)
    session.store_result(job.name, result)
    return result


def options(
    session: Session, name: str, defaults: dict[str, Any], given: dict[str, Any]
) -> dict[str, Any]:
    """Parameters of analysis ``name``: defaults, then the session's, then the ones ``given``
    (not None)."""
    merged = {**defaults, **{k: v for k, v in session.parameters(name).items() if k in defaults}}
    merged.update({k: v for k, v in given.items() if v is not None})
    unknown = set(given) - set(defaults)
    if unknown:
        raise TypeError(f"unknown {name} parameters {sorted(unknown)}; known: {sorted(defaults)}")
    return merged
