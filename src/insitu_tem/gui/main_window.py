"""The main window: composition only — the docks (:mod:`~insitu_tem.gui.dock_layout`), menus
(:mod:`~insitu_tem.gui.menus`), status bar (:mod:`~insitu_tem.gui.status`), window-wide keys
(:mod:`~insitu_tem.gui.shortcuts`) and file dialogs; the panels and their controllers
(:mod:`~insitu_tem.gui.workbench`) are imported in the background and built after the first paint.
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget

from insitu_tem import __version__
from insitu_tem.core.project import PROJECT_SUFFIX
from insitu_tem.gui.asker import Asker, HeadlessAsker
from insitu_tem.gui.controllers.recent_files import RecentFiles
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.dock_layout import DockLayout
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.menus import build_menus
from insitu_tem.gui.shortcuts import CommitBeforeUndo, PlaybackKeys
from insitu_tem.gui.status import StatusArea
from insitu_tem.gui.tasks import TaskRunner


def recovery_path(settings: QSettings) -> Path:
    """Where a session that was never saved autosaves: beside the user's settings file."""
    return Path(settings.fileName()).resolve().parent / "recovery" / f"untitled{PROJECT_SUFFIX}"


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
        self.recent = RecentFiles(settings, self.open_paths, parent=self)
        self.dock_layout = DockLayout(self)
        self.docks = self.dock_layout.docks
        self.status = StatusArea(self.statusBar(), self.tasks)
        self.cursor_label = self.status.cursor_label
        self.state.cursor_text_changed.connect(self.cursor_label.setText)
        build_menus(self)
        self.keys = PlaybackKeys(
            self,
            toggle_play=lambda: self.panels["movie"].play_button.toggle(),
            frame_count=self._frame_count,
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

    def _connect_project(self, project) -> None:
        project.path_changed.connect(self.recent.remember)
        project.path_changed.connect(self._update_title)
        project.dirty_changed.connect(self._update_title)
        self.state.session_replaced.connect(self._update_title)
        self._update_title()

    @property
    def panels(self) -> dict:
        return self.workbench().panels

    @property
    def project(self):
        return self.workbench().project

    @property
    def opener(self):
        return self.workbench().opener

    @property
    def linker(self):
        return self.workbench().linker

    @property
    def timeline(self):
        return self.workbench().timeline

    @property
    def exports(self):
        return self.workbench().exports

    @property
    def front_markers(self):
        return self.workbench().front_markers

    def _parameter_widgets(self) -> dict:
        return self.workbench().parameter_widgets()

    def _frame_count(self) -> int:
        movie = self.state.dataset("movie")
        return 0 if movie is None or movie.kind != "movie" else int(movie.shape[0])

    # layout ------------------------------------------------------------------------------------

    def balance_docks(self) -> None:
        """Split the window into four similar quadrants (movie and FFT on top)."""
        self.dock_layout.balance()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The first time the window shows: the default layout for its width."""
        super().showEvent(event)
        if not self._balanced:
            self._balanced = True
            self.dock_layout.reset()
            QTimer.singleShot(0, self.dock_layout.balance)

    # files -------------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        """File ▸ Open: pick one or more files (or a project)."""
        from insitu_tem.io.load import SUPPORTED_SUFFIXES

        patterns = " ".join(f"*{s}" for s in sorted(set(SUPPORTED_SUFFIXES) | {PROJECT_SUFFIX}))
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Open data or project",
            self.recent.last_folder(),
            f"Microscope data and projects ({patterns});;All files (*)",
        )
        self.open_paths(paths)

    def open_as_patterns_dialog(self) -> None:
        """File ▸ Open as Pattern Series: a movie or stack of diffraction patterns for the NBD
        panel."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Open diffraction patterns", self.recent.last_folder()
        )
        for path in paths:
            self.opener.open(Path(path), kind="pattern_series", role="nbd")

    def open_log_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open holder log",
            self.recent.last_folder(),
            "Holder logs (*.csv *.tsv *.txt *.dens);;All files (*)",
        )
        if path:
            self.timeline.open_log(path)
            self.docks["timeline"].raise_()

    def open_paths(self, paths, *, signal: int | None = None) -> None:
        """Open files or projects (in the background); errors go to the reporter.

        A project replaces the session, so unsaved changes are offered for saving first.
        """
        paths = [Path(p) for p in paths]
        if any(p.suffix.lower() == PROJECT_SUFFIX for p in paths) and not self.confirm_unsaved(
            "Open"
        ):
            return
        for path in paths:
            if path.suffix.lower() == PROJECT_SUFFIX:
                self.project.open(path)
            else:
                self.opener.open(path, signal=signal)

    def open_sample_project(self) -> None:
        """File ▸ Open Sample Project (offers to save unsaved changes first)."""
        if self.confirm_unsaved("Open Sample Project"):
            self.project.open(self.opener.sample_project_path(), as_template=True)

    def confirm_unsaved(self, action: str) -> bool:
        """Before ``action`` replaces or ends the session: Save / Discard / Cancel; True to go
        on."""
        if self._workbench is None or not self.project.dirty:
            return True
        choice = self.asker.save_discard_cancel(
            f"{self.project.name} has unsaved changes. Save them before {action.lower()}?"
        )
        if choice == "save":
            self.save_project()
            return not self.project.dirty
        if choice == "discard":
            self.project.discard_autosave()
            return True
        return False

    def _update_title(self, *_args) -> None:
        project = self.project
        self.setWindowTitle(
            f"{project.name}{'*' if project.dirty else ''} — insitu-tem {__version__}"
        )

    def save_project(self) -> None:
        """File ▸ Save Project (asks for a name the first time)."""
        if self.project.path is None:
            self.save_project_as()
        else:
            self._saved(self.project.save())

    def save_project_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save project",
            self.recent.last_folder(),
            f"insitu-tem project (*{PROJECT_SUFFIX})",
        )
        if path:
            self._saved(
                self.project.save(path if path.endswith(PROJECT_SUFFIX) else path + PROJECT_SUFFIX)
            )

    def _saved(self, path: Path) -> None:
        self.status.message(f"Saved {path}", 10000)

    def session(self):
        """The session on screen, with every panel's state written into it (what exports render)."""
        self.project.sync_panels()
        return self.state.session

    def export_figure(self, view: str, path: str, *, dpi: int = 300) -> int:
        """Render ``view`` of the session on screen to ``path`` in the background; return the
        task id."""
        return self.exports.figure(view, path, dpi=dpi)

    # editing -----------------------------------------------------------------------------------

    def start_scan_line_placement(self, role: str) -> None:
        """Edit ▸ Place … Scan Line: the next two clicks on the movie are the first and last
        probe."""
        if self.state.dataset(role) is None or self.state.dataset("movie") is None:
            self.reporter.report(f"Open a movie and the {role.upper()} line scan first")
            return
        self.status.message(
            f"Click the first, then the last {role.upper()} probe position on the movie"
        )
        self.linker.begin_placement(role, self._scan_line_placed)

    def _scan_line_placed(self, role: str, start_rc, end_rc) -> None:
        self.project.place_scan_line(role, start_rc, end_rc, time_s=self.state.time_s())
        self.status.message(f"{role.upper()} scan line placed", 5000)

    def calibration_dialog(self) -> None:
        """Edit ▸ Set Calibration: a new pixel/channel size for one panel's data (undoable)."""
        from insitu_tem.gui.widgets.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.state, self)
        if dialog.exec():
            role, scale, units = dialog.values()
            self.project.set_calibration(role, scale=scale, units=units)

    # window events -----------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.open_paths([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.confirm_unsaved("Quit"):
            event.ignore()
            return
        if self._workbench is not None:
            self.project.discard_autosave()
        self.tasks.cancel()
        self.tasks.wait_for_done(5000)
        self._commit_before_undo.remove()
        self.settings.setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
