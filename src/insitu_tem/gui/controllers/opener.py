"""Opening files and projects in the background and handing datasets to the state."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from insitu_tem.io.load import load
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.controllers.session_bridge import ROLE_BY_KIND, SessionBridge
from insitu_tem.gui.tasks import TaskRunner


class Opener(QObject):
    """Loads files off the GUI thread and routes each dataset to its role.

    Signals
    -------
    opened(str) : a file was opened successfully (for recent files)
    noted(str) : what the reader noticed in an opened file (other signals it holds, calibration
        it lacks, NaN pixels), to show the user
    """

    opened = Signal(str)
    noted = Signal(str)

    def __init__(
        self, state: SessionBridge, tasks: TaskRunner, reporter: ErrorReporter, parent=None
    ) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.reporter = state, tasks, reporter
        self.place: Callable[[str, Dataset], None] = state.set_dataset

    def open(
        self,
        path: Path,
        *,
        signal: int | None = None,
        role: str | None = None,
        kind: str | None = None,
        on_failed: Callable[[], None] | None = None,
        remember: bool = True,
    ) -> None:
        """Open a data file or a folder of frames; the dataset goes to ``role`` (default: by kind).

        ``kind`` forces the interpretation, e.g. "pattern_series" for a movie of diffraction
        patterns.
        The dataset is handed to ``place(role, dataset)`` (default: straight into the state).
        ``remember`` False: not a recent file (a project's own data, opened with the project).
        """
        self.tasks.submit(
            lambda: load(path, signal=signal, kind=kind),
            on_result=lambda dataset: self._loaded(dataset, path, role, remember),
            on_error=lambda error: self._failed(path, error, on_failed),
            description=f"Opening {path.name}",
        )

    def _loaded(self, dataset: Dataset, path: Path, role: str | None, remember: bool) -> None:
        self.place(role or ROLE_BY_KIND[dataset.kind], dataset)
        if dataset.warnings:
            self.noted.emit(f"{path.name}: {'; '.join(dataset.warnings)}")
        if remember:
            self.opened.emit(str(path))

    def _failed(
        self, path: Path, error: BaseException, on_failed: Callable[[], None] | None
    ) -> None:
        if on_failed is not None:
            on_failed()
        if isinstance(error, (DataError, OSError, ValueError)):
            self.reporter.report(f"{path.name}: {error}")
        else:
            self.reporter.report_exception(error, context=path.name)
