"""The one long job of the Tomography panel at a time (align, reconstruct, reopen): its progress in
percent, whether it runs, and cancelling it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class CurrentJob(QObject):
    """Tracks the last job started on the task runner.

    Signals
    -------
    progressed(int) : percent done
    busyChanged() : a job started or ended
    """

    progressed = Signal(int)
    busyChanged = Signal()

    def __init__(self, tasks, parent=None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._task: int | None = None
        tasks.progress.connect(self._on_progress)
        tasks.finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def start(self, run, on_result, on_error, key: str, description: str) -> None:
        """Submit ``run`` (it receives the task control) and follow it."""
        self.progressed.emit(0)
        self._task = self.tasks.submit(
            run, key=key, on_result=on_result, on_error=on_error, description=description
        )
        self.busyChanged.emit()

    def cancel(self) -> None:
        if self._task is not None:
            self.tasks.cancel(self._task)

    def _on_finished(self, task_id: int) -> None:
        if task_id == self._task:
            self._task = None
            self.busyChanged.emit()

    def _on_progress(self, task_id: int, fraction: float, _message: str) -> None:
        if task_id == self._task:
            self.progressed.emit(int(round(100 * fraction)))
