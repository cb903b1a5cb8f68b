"""The main window: composition only — the docks (:mod:`~insitu_tem.gui.dock_layout`), menus
(:mod:`~insitu_tem.gui.menus`), status bar (:mod:`~insitu_tem.gui.status`), window-wide keys
(:mod:`~insitu_tem.gui.shortcuts`), what the File and Edit menus do
(:mod:`~insitu_tem.gui.controllers.window_actions`); the panels and their controllers
(:mod:`~insitu_tem.gui.workbench`) are imported in the background and built after the first paint.
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow, QWidget

from insitu_tem import __version__
from insitu_tem.core.project import PROJECT_SUFFIX
from insitu_tem.gui.asker import Asker, HeadlessAsker
from insitu_tem.gui.controllers.recent_files import RecentFiles
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.controllers.window_actions import EditActions, FileActions
from insitu_tem.gui.dock_layout import DockLayout
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.menus import build_menus
from insitu_tem.gui.shortcuts import CommitBeforeUndo, PlaybackKeys
from insitu_tem.gui.status import StatusArea
from insitu_tem.gui.tasks import TaskRunner


def recovery_path(settings: QSettings) -> Path:
    """Where a session that was never saved autosaves: beside the user's settings file."""
    return Path(settings.fileName()).resolve().parent / "recovery" / f"untitled{PROJECT_SUFFIX}"


def frame_count(movie) -> int:
    """Frames of a movie dataset (0 for none or a single image)."""
    return 0 if movie is None or movie.kind != "movie" else int(movie.shape[0])


class _Preload(threading.Thread):
    """Imports the readers' libraries (:func:`~insitu_tem.io.readers.imports.prepare`) and the
    workbench (panels, workflows, analysis) while the window paints; nothing loads a file before
    the workbench exists, which waits for this thread."""

    def __init__(self) -> None:
        super().__init__(name="insitu-tem preload", daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            import_module("insitu_tem.io.readers.imports").prepare()
            import_module("insitu_tem.gui.workbench")
        except BaseException as error:  # noqa: BLE001 - raised again on the GUI thread
            self.error = error


class MainWindow(QMainWindow):
    """Docked panels sharing one state, one task runner and one undo stack.

    Every question to the user goes through ``asker`` (the app passes a
    :class:`~insitu_tem.gui.asker.DialogAsker`; the default never blocks).
    """

    def __init__(
        self,
        settings: QSettings,
        reporter: ErrorReporter,
        parent: QWidget | None = None,
        *,
        asker: Asker | None = None,
    ) -> None:
        super().__init__(parent)
        self._preload = _Preload()
        self._preload.start()
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.settings, self.reporter = settings, reporter
        self.asker = asker if asker is not None else HeadlessAsker()
        self._balanced = False
        self._workbench = None
        self.state = SessionBridge(parent=self)
        self.tasks = TaskRunner(reporter, parent=self)
        self.undo_stack = QUndoStack(self)
        self.files, self.edits = FileActions(self), EditActions(self)
        self.recent = RecentFiles(settings, self.files.open_paths, parent=self)
        self.dock_layout = DockLayout(self)
        self.docks = self.dock_layout.docks
        self.status = StatusArea(self.statusBar(), self.tasks)
        self.cursor_label = self.status.cursor_label
        self.state.cursor_text_changed.connect(self.cursor_label.setText)
        build_menus(self)
        self.keys = PlaybackKeys(
            self,
            toggle_play=lambda: self.panels["movie"].play_button.click(),
            frame_count=lambda: frame_count(self.state.dataset("movie")),
            frame=lambda: self.state.frame,
            set_frame=self.state.set_frame,
        )
        self._commit_before_undo = CommitBeforeUndo(self)
        self.setWindowTitle(f"Untitled — insitu-tem {__version__}")
        self._poll = QTimer(self, interval=20)
        self._poll.timeout.connect(self._build_when_imported)
        self._poll.start()

    # the workbench, built after the first paint ----------------------------------------------

    def _build_when_imported(self) -> None:
        if not self._preload.is_alive():
            self.workbench()

    def workbench(self):
        """The panels and controllers (built now when the background import has not yet)."""
        if self._workbench is None:
            self._poll.stop()
            self._preload.join()
            if self._preload.error is not None:
                raise self._preload.error
            from insitu_tem.gui.workbench import Workbench

            self._workbench = Workbench(self, recovery_path=recovery_path(self.settings))
            self._connect_project(self._workbench.project)
        return self._workbench

    def has_workbench(self) -> bool:
        """Whether the panels and controllers are built yet."""
        return self._workbench is not None

    def _connect_project(self, project) -> None:
        project.path_changed.connect(self.recent.remember)
        project.path_changed.connect(self._update_title)
        project.dirty_changed.connect(self._update_title)
        self.state.session_replaced.connect(self._update_title)
        self._update_title()

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(self.files.title())

    @property
    def panels(self) -> dict:
        return self.workbench().panels

    @property
    def project(self):
        return self.workbench().project

    def session(self):
        """The session on screen, with every panel's state written into it (what exports render)."""
        self.project.sync_panels()
        return self.state.session

    def open_paths(self, paths, *, signal: int | None = None) -> None:
        """Open files or projects (:meth:`FileActions.open_paths
        <insitu_tem.gui.controllers.window_actions.FileActions.open_paths>`)."""
        self.files.open_paths(paths, signal=signal)

    def open_sample_project(self) -> None:
        """File ▸ Open Sample Project (offers to save unsaved changes first)."""
        self.files.open_sample_project()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The first time the window shows: the default layout for its width."""
        super().showEvent(event)
        if not self._balanced:
            self._balanced = True
            self.dock_layout.reset()
            QTimer.singleShot(0, self.dock_layout.balance)

    # window events -----------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.open_paths([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.files.confirm_unsaved("Quit"):
            event.ignore()
            return
        if self._workbench is not None:
            self.project.discard_autosave()
        self.tasks.cancel()
        self.tasks.wait_for_done(5000)
        self._commit_before_undo.remove()
        self.settings.setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
