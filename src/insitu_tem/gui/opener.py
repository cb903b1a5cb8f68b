"""Opening files and projects in the background and handing datasets to the state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal

from ..data.io import load
from ..data.model import DataError, Dataset
from ..data.project import PROJECT_SUFFIX, Project, load_project
from ..data.samples.project import PROJECT_NAME
from .errors import ErrorReporter
from .state import ROLE_BY_KIND, AppState
from .tasks import TaskRunner

REPO_SAMPLE_FOLDER = Path(__file__).resolve().parents[3] / "sample_data"


class Opener(QObject):
    """Loads files off the GUI thread and routes each dataset to its role.

    Signals
    -------
    opened(str) : a file or project was opened successfully (for recent files)
    project_loaded(object, str) : a Project and its path
    """

    opened = Signal(str)
    project_loaded = Signal(object, str)

    def __init__(self, state: AppState, tasks: TaskRunner, reporter: ErrorReporter, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.reporter = state, tasks, reporter
        self.project: Project | None = None
        self.project_path: Path | None = None

    def open(self, path: Path, *, signal: int | None = None, role: str | None = None) -> None:
        """Open a data file, a folder of frames or a ``.itproj`` project."""
        if path.suffix.lower() == PROJECT_SUFFIX:
            self._open_project(path)
            return
        self.tasks.submit(
            lambda: load(path, signal=signal),
            on_result=lambda dataset: self._loaded(dataset, path, role),
            on_error=lambda error: self._failed(path, error),
            description=f"Opening {path.name}",
        )

    def _loaded(self, dataset: Dataset, path: Path, role: str | None) -> None:
        self.state.set_dataset(role or ROLE_BY_KIND[dataset.kind], dataset)
        self.opened.emit(str(path))

    def _failed(self, path: Path, error: BaseException) -> None:
        if isinstance(error, (DataError, OSError, ValueError)):
            self.reporter.report(f"{path.name}: {error}")
        else:
            self.reporter.report_exception(error, context=path.name)

    def _open_project(self, path: Path) -> None:
        try:
            project = load_project(path)
        except DataError as error:
            self.reporter.report(f"{path.name}: {error}")
            return
        self.project, self.project_path = project, path
        for reference in project.files:
            self.open(project.resolve(reference, path), signal=reference.signal, role=reference.role)
        self.project_loaded.emit(project, str(path))
        self.opened.emit(str(path))

    @staticmethod
    def sample_project_path() -> Path:
        """The bundled sample project; generated into the cache folder when not shipped."""
        bundled = REPO_SAMPLE_FOLDER / PROJECT_NAME
        if bundled.exists():
            return bundled
        from ..data.samples import write_all

        cache = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)) / "sample_data"
        if not (cache / PROJECT_NAME).exists():
            write_all(cache)
        return cache / PROJECT_NAME
