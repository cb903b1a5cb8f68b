"""What the front workbench asks to be computed, as tasks: the kymograph along the line, and the
session results of the front: the track (front workflow), film thickness and reacted area (film
workflow, each an undo step) and the fit of the manual marks (kept current with the marks).
Workers get plain arrays and numbers, never widgets."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack

from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import StoreResultCommand
from insitu_tem.workflows import film
from insitu_tem.workflows import front as front_workflow
from insitu_tem.workflows import front_manual

KEYS = ("movie-kymograph", "movie-front", "movie-thickness", "movie-area", "movie-manual-fit")


class FrontJobs(QObject):
    """Submits the front workbench's computations (the latest request of each kind wins)."""

    def __init__(
        self,
        state: SessionBridge,
        tasks: TaskRunner,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack

    def cancel(self) -> None:
        """Drop every pending front computation (another movie)."""
        self.tasks.cancel_keys(KEYS)

    def kymograph(
        self, movie: Dataset, line_rc, *, width: float, shifts_px, on_result: Callable
    ) -> None:
        array, line = movie.array, np.array(line_rc, float)
        self.tasks.submit(
            lambda control: kymograph(
                array,
                line,
                width=width,
                shifts_px=shifts_px,
                progress=control.progress,
                should_stop=control.should_stop,
            ),
            key="movie-kymograph",
            on_result=on_result,
            description="Kymograph",
        )

    def track(self, line_rc, *, width: float) -> None:
        """Track the front along ``line_rc`` with the front workflow; the result goes into the
        session
        (with the session's drift when measured; measuring it later removes the track). Raises
        DataError when it cannot run."""
        session = self.state.session
        job = front_workflow.prepare(
            session,
            line_rc=np.asarray(line_rc, float).tolist(),
            width_px=width,
            drift="session",
            child=self.tasks.movie_child,
        )
        self.tasks.submit_job(
            session, job, key="movie-front", description="Tracking the front", in_worker=True
        )

    def _submit_undoable(self, job, *, key: str, description: str) -> None:
        session = self.state.session

        def store(result) -> None:
            self.undo_stack.push(StoreResultCommand(session, job.name, result, description))

        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=key,
            on_result=store,
            description=description,
        )

    def thickness(self, line_rc, *, width: float) -> None:
        """Film thickness across ``line_rc`` (result "film.thickness", kept when the line moves
        on, as the track is); raises DataError when it cannot run."""
        line = np.asarray(line_rc, float).tolist()
        job = film.prepare_thickness(self.state.session, line_rc=line, width_px=width)
        self._submit_undoable(job, key="movie-thickness", description="Film thickness")

    def area(self, region_rc) -> None:
        """Reacted area inside ``region_rc`` (None: everywhere; result "film.area")."""
        region = None if region_rc is None else [int(v) for v in region_rc]
        job = film.prepare_area(self.state.session, region_rc=region)
        self._submit_undoable(job, key="movie-area", description="Reacted area")

    def manual_fit(self) -> None:
        """Keep result "front.manual" current with the marks (removed without marks or line)."""
        session = self.state.session
        if not session.marks or session.dataset("movie") is None:
            self.tasks.cancel_keys(("movie-manual-fit",))
            session.clear_result(front_manual.NAME, dirty=False)
            return
        if session.result_status(front_manual.NAME) == "current":
            return
        try:
            job = front_manual.prepare(session)
        except DataError:
            session.clear_result(front_manual.NAME, dirty=False)
            return
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key="movie-manual-fit",
            on_result=lambda result: session.store_result(job.name, result, dirty=False),
            description="Fit of the manual marks",
        )
