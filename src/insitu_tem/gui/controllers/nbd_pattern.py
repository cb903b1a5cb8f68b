"""The NBD panel's per-pattern results: a single pattern's centre and spots (result
"nbd.pattern") and the ring overlays and ePDF of the probe in view (result "nbd.rings"). Each is
computed once by its workflow on the task runner and stored in the session (derived from what the
session holds, so not an unsaved change); the panel draws what the session holds."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from insitu_tem.core.model import DataError
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.workflows import nbd_pattern
from insitu_tem.workflows.nbd_pattern import PATTERN, RINGS

KEYS = ("nbd-pattern", "nbd-profile")


class NbdPatternResults(QObject):
    """Current per-pattern results of the session and the jobs that make missing ones.

    Signals
    -------
    message(str) : why a result cannot be computed
    """

    message = Signal(str)

    def __init__(self, state: SessionBridge, tasks: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks = state, tasks

    def pattern(self, index: int) -> dict | None:
        """Pattern ``index``'s single-pattern analysis when the session holds a current one."""
        session = self.state.session
        if session.dataset("nbd") is None:
            return None
        return nbd_pattern.current(session, PATTERN, nbd_pattern.pattern_parameters(session, index))

    def rings(self, index: int, composition: str) -> dict | None:
        """Probe ``index``'s ring overlays and ePDF for ``composition`` when current."""
        parameters = {"index": int(index), "composition": composition}
        return nbd_pattern.current(self.state.session, RINGS, parameters)

    def request_pattern(self, index: int) -> None:
        """Analyse pattern ``index`` unless the session holds its current analysis."""
        if self.pattern(index) is None:
            self._submit(
                lambda s: nbd_pattern.prepare_pattern(s, index),
                "nbd-pattern",
                "NBD pattern analysis",
            )

    def request_rings(self, index: int, composition: str) -> None:
        """Fit the ring overlays on probe ``index`` unless the session holds them."""
        if self.rings(index, composition) is None:
            self._submit(
                lambda s: nbd_pattern.prepare_rings(
                    s, index, composition=composition, child=self.tasks.child
                ),
                "nbd-profile",
                "NBD ring overlays and ePDF",
                in_worker=True,
            )

    def _submit(self, prepare, key: str, description: str, *, in_worker: bool = False) -> None:
        session = self.state.session
        try:
            job = prepare(session)
        except DataError as error:
            self.message.emit(str(error))
            return
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=key,
            on_result=lambda result: session.store_result(job.name, result, dirty=False),
            description=description,
            in_worker=in_worker,
        )

    def cancel(self) -> None:
        self.tasks.cancel_keys(KEYS)
