"""What the front workbench asks to be computed, as tasks: the kymograph along the line,
the front track (the front workflow, stored in the session), film thickness, the reacted
area and the fit of the manual marks. Workers get plain arrays and numbers, never widgets."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QObject

from insitu_tem.analysis.movie.film_thickness import film_thickness
from insitu_tem.analysis.movie.front_area import reacted_area
from insitu_tem.analysis.movie.kinetics import fit_kinetics
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import Dataset
from insitu_tem.workflows import front as front_workflow
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner

KEYS = ("movie-kymograph", "movie-front", "movie-thickness", "movie-area", "movie-manual-fit")


class FrontJobs(QObject):
    """Submits the front workbench's computations (the latest request of each kind wins)."""

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks = state, tasks

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
        """Track the front along ``line_rc`` with the front workflow; the result goes into the session
        (with the session's drift when measured; measuring it later removes the track). Raises
        DataError when it cannot run."""
        session = self.state.session
        job = front_workflow.prepare(
            session, line_rc=np.asarray(line_rc, float).tolist(), width_px=width, drift="session"
        )
        self.tasks.submit_job(session, job, key="movie-front", description="Tracking the front")

    def thickness(
        self, movie: Dataset, line_rc, *, width: float, shifts_px, on_result: Callable
    ) -> None:
        array, line = movie.array, np.array(line_rc, float)
        self.tasks.submit(
            lambda: film_thickness(kymograph(array, line, width=width, shifts_px=shifts_px).image),
            key="movie-thickness",
            on_result=on_result,
            description="Film thickness",
        )

    def area(self, movie: Dataset, region_rc, *, shifts_px, on_result: Callable) -> None:
        mask = np.zeros(movie.shape[1:], bool)
        r0, r1, c0, c1 = region_rc or (0, mask.shape[0], 0, mask.shape[1])
        mask[r0:r1, c0:c1] = True
        array = movie.array
        self.tasks.submit(
            lambda control: reacted_area(
                array,
                mask=mask,
                shifts_px=shifts_px,
                progress=control.progress,
                should_stop=control.should_stop,
            ),
            key="movie-area",
            on_result=on_result,
            description="Reacted area",
        )

    def manual_fit(self, times, positions, *, on_result: Callable) -> None:
        times, positions = np.asarray(times, float), np.asarray(positions, float)
        self.tasks.submit(
            lambda: fit_kinetics(times, positions), key="movie-manual-fit", on_result=on_result
        )
