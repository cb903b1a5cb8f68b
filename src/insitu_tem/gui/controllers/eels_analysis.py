"""The EELS panel's logic: the analysis parameters live in the session ("eels" parameters,
changed by undoable commands), the EELS workflow computes on the task runner and its result
is stored in the session (result "eels.<edge>", or "eels" without an edge), where the panel
reads what it draws. A result that is current for the parameters is reused, never recomputed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.undo import SetParametersCommand
from insitu_tem.workflows import eels as eels_workflow
from insitu_tem.workflows.child import fits_a_worker
from insitu_tem.workflows.common import usable_spectra

NAME = eels_workflow.NAME
TASK_KEY = "eels-analysis"


class EelsAnalysis(QObject):
    """Parameters, job submission and the current result of the EELS panel.

    Signals
    -------
    failed(str) : the analysis cannot run (what the user must do)
    """

    failed = Signal(str)

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, undo_stack: QUndoStack, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack

    @property
    def session(self):
        return self.state.session

    def parameters(self) -> dict:
        """The parameters in effect: the workflow's defaults, the dataset's default edge, then the
        session's (what the user chose)."""
        return eels_workflow.session_parameters(self.session)

    def result_name(self) -> str:
        return eels_workflow.result_name(self.parameters()["edge"])

    def result(self) -> Result | None:
        """The session's EELS result when it is current for the parameters in effect and the data
        (None while it is missing or being recomputed: a stale result is never shown)."""
        dataset = self.session.dataset("eels")
        if dataset is None:
            return None
        parameters = self.parameters()
        try:
            parameters["reference"] = eels_workflow.default_reference(
                dataset, parameters["reference"]
            )
        except DataError:
            return None
        name = self.result_name()
        current = self.session.result_status(name, parameters) == "current"
        return self.session.result(name) if current else None

    def change(self, text: str, **changes) -> None:
        """Change parameters as one undoable step (nothing when they do not change)."""
        current = self.parameters()
        after = {**current, **changes}
        if after != current:
            before = self.session.parameters(NAME)
            self.undo_stack.push(SetParametersCommand(self.session, NAME, before, after, text))

    def request(self) -> None:
        """Compute the result for the parameters in effect unless the session holds a current
        one."""
        if self.session.dataset("eels") is None:
            return
        given = {k: v for k, v in self.parameters().items() if v is not None}
        try:
            usable_spectra(self.session.dataset("eels"))
            job = eels_workflow.prepare(self.session, child=self.tasks.eels_child, **given)
        except (DataError, ValueError) as error:
            self.failed.emit(str(error))
            return
        if self.session.result_status(job.name, job.parameters) == "current":
            return
        session = self.session
        self.tasks.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=TASK_KEY,
            on_result=lambda result: session.store_result(job.name, result, dirty=False),
            description=f"EELS: {job.parameters['edge'] or 'zero-loss peak'}",
            in_worker=fits_a_worker(session.dataset("eels").array),
        )

    def cancel(self) -> None:
        self.tasks.cancel_keys((TASK_KEY,))
