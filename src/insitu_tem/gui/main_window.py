"""The main window: composition only — docks for the panels, menus, recent files,
status bar with cursor readout and task progress, drag and drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from insitu_tem import __version__
from insitu_tem.io.load import SUPPORTED_SUFFIXES
from insitu_tem.core.project import PROJECT_SUFFIX
from insitu_tem.gui.asker import Asker, HeadlessAsker
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.edit_tracking import track_edits
from insitu_tem.gui.controllers.linking import FrontMarkers, ScanLinker
from insitu_tem.gui.controllers.opener import Opener
from insitu_tem.gui.controllers.exports import Exports
from insitu_tem.gui.controllers.project import ProjectController
from insitu_tem.gui.controllers.recent_files import RecentFiles
from insitu_tem.analysis.timeline.sync import movie_clock
from insitu_tem.gui.controllers.timeline import TimelineController
from insitu_tem.gui.panels.across.panel import AcrossPanel
from insitu_tem.gui.panels.timeline.panel import TimelinePanel
from insitu_tem.gui.panels.eels.panel import EelsPanel
from insitu_tem.gui.panels.fft.panel import FftPanel
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.panels.nbd.panel import NbdPanel
from insitu_tem.gui.panels.tomo.panel import TomoPanel
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner


def recovery_path(settings: QSettings) -> Path:
    """Where a session that was never saved autosaves: beside the user's settings file."""
    return Path(settings.fileName()).resolve().parent / "recovery" / f"untitled{PROJECT_SUFFIX}"


PANEL_CLASSES = (MoviePanel, FftPanel, NbdPanel, EelsPanel)


class MainWindow(QMainWindow):
    """Four docked panels sharing one state, one task runner and one undo stack.

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
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.settings, self.reporter = settings, reporter
        self.asker = asker if asker is not None else HeadlessAsker()
        self._balanced = False
        self._clean_at_load: int | None = None
        self.state = SessionBridge(parent=self)
        self.tasks = TaskRunner(reporter, parent=self)
        self.undo_stack = QUndoStack(self)
        self.opener = Opener(self.state, self.tasks, reporter, parent=self)
        self.recent = RecentFiles(settings, self.open_paths, parent=self)
        self.opener.opened.connect(self.recent.remember)
        self.panels: dict[str, QWidget] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._build_panels()
        self.project = ProjectController(
            self.state,
            self.opener,
            self.undo_stack,
            self.panels,
            reporter,
            self.asker,
            recovery_path=recovery_path(settings),
            autosave_seconds=float(settings.value("autosave_seconds", 60)),
            folder=self.recent.last_folder,
            parent=self,
        )
        self.project.path_changed.connect(self.recent.remember)
        self.project.path_changed.connect(self._update_title)
        self.project.dirty_changed.connect(self._update_title)
        self.state.session_replaced.connect(self._update_title)
        self._update_title()
        self.linker = ScanLinker(self.state, self.panels["movie"].view, parent=self)
        self._add_across_panel()
        self._add_tomo_panel()
        self._add_timeline_panel()
        track_edits(self.undo_stack, self._parameter_widgets())
        self.front_markers = FrontMarkers()
        self.front_markers.attach(self._position_profiles())
        self.balance_docks()
        self.project.scan_lines_changed.connect(self.linker.set_scan_lines)
        self.project.restored.connect(self._compute_across_when_possible)
        self._build_status_bar()
        self.exports = Exports(
            self,
            self.tasks,
            reporter,
            session=self.session,
            profiles=self._position_profiles,
            folder=self.recent.last_folder,
            done=lambda message: self.statusBar().showMessage(message, 5000),
        )
        self._build_menus()
        self.state.dataset_changed.connect(self._route)

    def _build_panels(self) -> None:
        placement = {
            "movie": Qt.DockWidgetArea.LeftDockWidgetArea,
            "hrtem": Qt.DockWidgetArea.RightDockWidgetArea,
            "nbd": Qt.DockWidgetArea.LeftDockWidgetArea,
            "eels": Qt.DockWidgetArea.RightDockWidgetArea,
        }
        for cls in PANEL_CLASSES:
            panel = cls(self.state, self.tasks, self.undo_stack)
            dock = QDockWidget(cls.title, self)
            dock.setObjectName(f"dock-{cls.role}")
            dock.setWidget(panel)
            self.addDockWidget(placement[cls.role], dock)
            self.panels[cls.role] = panel
            self.docks[cls.role] = dock

    def balance_docks(self) -> None:
        """Split the window into four similar quadrants (movie and FFT on top)."""
        left = [self.docks["movie"], self.docks["nbd"]]
        right = [self.docks["hrtem"], self.docks["eels"]]
        self.resizeDocks([left[0], right[0]], [1, 1], Qt.Orientation.Horizontal)
        self.resizeDocks(left, [1, 1], Qt.Orientation.Vertical)
        self.resizeDocks(right, [1, 1], Qt.Orientation.Vertical)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if not self._balanced and self.isVisible():
            self._balanced = True
            self.balance_docks()

    def _add_across_panel(self) -> None:
        panel = AcrossPanel(self.state, self.tasks, self.undo_stack)
        panel.computed.connect(self._show_front)
        dock = QDockWidget(AcrossPanel.title, self)
        dock.setObjectName("dock-across")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.tabifyDockWidget(self.docks["eels"], dock)
        self.docks["eels"].raise_()
        self.panels["across"], self.docks["across"] = panel, dock

    def _add_tomo_panel(self) -> None:
        panel, dock = (
            TomoPanel(self.state, self.tasks, self.undo_stack),
            QDockWidget(TomoPanel.title, self),
        )
        dock.setObjectName("dock-tomo")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.tabifyDockWidget(self.docks["hrtem"], dock)
        self.docks["hrtem"].raise_()
        self.panels["tomo"], self.docks["tomo"] = panel, dock

    def _add_timeline_panel(self) -> None:
        panel = TimelinePanel()
        self.timeline = TimelineController(
            panel,
            self.tasks,
            self.undo_stack,
            frame_times=self._movie_times,
            set_frame=self.state.set_frame,
            store_state=lambda state: self.state.session.set_panel_state("timeline", state),
            state=self.state,
            movie_start=lambda: self._movie_clock()[1],
        )
        panel.openRequested.connect(self.open_log_dialog)
        self.state.frame_changed.connect(self.timeline.on_frame)
        self.state.dataset_changed.connect(
            lambda role, _d: self.timeline.recompute() if role == "movie" else None
        )
        self.state.session_replaced.connect(self.timeline.reset)
        self.project.restored.connect(self._restore_timeline)
        dock = QDockWidget(TimelinePanel.title, self)
        dock.setObjectName("dock-timeline")
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.tabifyDockWidget(self.docks["nbd"], dock)
        self.docks["nbd"].raise_()
        self.docks["timeline"] = dock

    def _movie_clock(self):
        movie = self.state.dataset("movie")
        return (None, None) if movie is None or movie.kind != "movie" else movie_clock(movie)

    def _movie_times(self):
        return self._movie_clock()[0]

    def _restore_timeline(self) -> None:
        """The timeline of an opened project; a relative log path is beside the project (or, for a
        template opened untitled, beside its movie)."""
        session = self.state.session
        movie = session.source("movie")
        if self.project.path is not None:
            base = self.project.path.parent
        else:
            base = Path(movie.path).parent if movie is not None and movie.path else None
        self.timeline.restore_project_state(session.panel_state("timeline"), base=base)

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

    def _parameter_widgets(self) -> dict:
        """Panel parameters whose user edits are undo steps (EELS and NBD track their own)."""
        movie, fft, nbd = self.panels["movie"], self.panels["hrtem"], self.panels["nbd"]
        candidates = {
            "Change spot SNR": (fft, "controls.snr"),
            "Change crystallinity window": (fft, "controls.window_nm"),
            "Change FFT view": (fft, "controls.filter"),
            "Change gamma": (movie, "contrast.gamma"),
            "Change colour map": (movie, "contrast.colormap"),
            "Change running average": (movie, "processing.average"),
            "Change binning": (movie, "processing.binning"),
            "Change display filter": (movie, "processing.filter"),
            "Change filter size": (movie, "processing.filter_size"),
            "Change line width": (movie, "front.width_spin"),
            "Change black level": (movie, "contrast.low"),
            "Change white level": (movie, "contrast.high"),
            "Change reference phase": (fft, "controls.phase"),
            "Change NBD display": (nbd, "display"),
            "Change NBD gamma": (nbd, "gamma"),
            "Change known ring d": (nbd, "known_d"),
        }
        found = {}
        for text, (owner, path) in candidates.items():
            widget = owner
            for name in path.split("."):
                widget = getattr(widget, name, None)
            if widget is not None:
                found[text] = widget
        return found

    def _position_profiles(self) -> list:
        """Every plot whose x axis is the position along the line scans."""
        eels, nbd = self.panels["eels"], self.panels["nbd"]
        plots = [
            getattr(eels.profiles, n)
            for n in ("shift_plot", "window_plot", "fraction_plot")
            if hasattr(eels, "profiles")
        ]
        plots += [
            getattr(nbd.scan_plots, n)
            for n in ("strain_plot", "map_plot", "fraction_plot")
            if hasattr(nbd, "scan_plots")
        ]
        return plots

    def _compute_across_when_possible(self) -> None:
        """Once a project's data are in, place the front on the movie and the profiles; what this
        computes by itself is not an unsaved change of a project that had none."""
        has_scan = bool(self.project.scan_lines)
        has_line_scan = any(self.state.dataset(r) is not None for r in ("eels", "nbd"))
        if has_scan and has_line_scan and self.state.dataset("movie") is not None:
            self._clean_at_load = None if self.project.dirty else self.undo_stack.index()
            self.panels["across"].compute()

    def _show_front(self, result) -> None:
        if self._clean_at_load == self.undo_stack.index():
            self.project.mark_clean()
        self._clean_at_load = None
        self.front_markers.set_position(result.front_along_nm)
        movie = self.state.dataset("movie")
        if movie is not None and movie.axes[-1].units == "nm":
            self.linker.set_front_along(result.front_along_nm / movie.axes[-1].scale)

    def _build_status_bar(self) -> None:
        self.cursor_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        bar = self.statusBar()
        bar.addWidget(self.cursor_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self.state.cursor_text_changed.connect(self.cursor_label.setText)
        self.tasks.busy_changed.connect(self._on_busy)
        self.tasks.progress.connect(
            lambda _id, fraction, _msg: self.progress.setValue(int(fraction * 1000))
        )
        self.cancel_button.clicked.connect(lambda: self.tasks.cancel())

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setValue(0)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(
            file_menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open
        )
        self._action(file_menu, "Open as &Pattern Series…", self.open_as_patterns_dialog)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._action(file_menu, "Open &Sample Project", self.open_sample_project)
        file_menu.addSeparator()
        self.save_action = self._action(
            file_menu, "&Save Project", self.save_project, QKeySequence.StandardKey.Save
        )
        self._action(
            file_menu, "Save Project &As…", self.save_project_as, QKeySequence.StandardKey.SaveAs
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Export Figure…", self.exports.figure_dialog)
        self._action(
            file_menu,
            "Export &Movie…",
            lambda: self.exports.movie_dialog(
                self.state.dataset("movie"), **self.panels["movie"].export_choices()
            ),
        )
        self._action(file_menu, "Export Line-Scan &Profiles (CSV)…", self.exports.profiles_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addActions([undo, redo])
        edit_menu.addSeparator()
        self._action(edit_menu, "Set &Calibration…", self.calibration_dialog)
        self.place_eels_action = self._action(
            edit_menu,
            "Place &EELS Scan Line on Movie",
            lambda: self.start_scan_line_placement("eels"),
        )
        self.place_nbd_action = self._action(
            edit_menu,
            "Place &NBD Scan Line on Movie",
            lambda: self.start_scan_line_placement("nbd"),
        )
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About insitu-tem", self._about)
        self.recent.attach(self.recent_menu)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def open_dialog(self) -> None:
        """File ▸ Open: pick one or more files (or a project)."""
        patterns = " ".join(f"*{s}" for s in sorted(set(SUPPORTED_SUFFIXES) | {PROJECT_SUFFIX}))
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Open data or project",
            self.recent.last_folder(),
            f"Microscope data and projects ({patterns});;All files (*)",
        )
        self.open_paths(paths)

    def open_as_patterns_dialog(self) -> None:
        """File ▸ Open as Pattern Series: a movie or stack of diffraction patterns for the NBD panel."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Open diffraction patterns", self.recent.last_folder()
        )
        for path in paths:
            self.opener.open(Path(path), kind="pattern_series", role="nbd")

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
        """Before ``action`` replaces or ends the session: Save / Discard / Cancel; True to go on."""
        if not self.project.dirty:
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
        self.setWindowTitle(
            f"{self.project.name}{'*' if self.project.dirty else ''} — insitu-tem {__version__}"
        )

    def save_project(self) -> None:
        """File ▸ Save Project (asks for a name the first time)."""
        if self.project.path is None:
            self.save_project_as()
        else:
            self.project.save()

    def save_project_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save project",
            self.recent.last_folder(),
            f"insitu-tem project (*{PROJECT_SUFFIX})",
        )
        if path:
            self.project.save(path if path.endswith(PROJECT_SUFFIX) else path + PROJECT_SUFFIX)

    def session(self):
        """The session on screen, with every panel's state written into it (what exports render)."""
        self.project.sync_panels()
        return self.state.session

    def export_figure(self, view: str, path: str, *, dpi: int = 300) -> int:
        """Render ``view`` of the session on screen to ``path`` in the background; return the task id."""
        return self.exports.figure(view, path, dpi=dpi)

    def start_scan_line_placement(self, role: str) -> None:
        """Edit ▸ Place … Scan Line: the next two clicks on the movie are the first and last probe."""
        if self.state.dataset(role) is None or self.state.dataset("movie") is None:
            self.reporter.report(f"Open a movie and the {role.upper()} line scan first")
            return
        self.statusBar().showMessage(
            f"Click the first, then the last {role.upper()} probe position on the movie"
        )
        self.linker.begin_placement(role, self._scan_line_placed)

    def _scan_line_placed(self, role: str, start_rc, end_rc) -> None:
        self.project.place_scan_line(role, start_rc, end_rc, time_s=self.state.time_s())
        self.statusBar().showMessage(f"{role.upper()} scan line placed", 5000)

    def calibration_dialog(self) -> None:
        """Edit ▸ Set Calibration: a new pixel/channel size for one panel's data (undoable)."""
        from insitu_tem.gui.widgets.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.state, self)
        if dialog.exec():
            role, scale, units = dialog.values()
            self.project.set_calibration(role, scale=scale, units=units)

    def _route(self, role: str, dataset) -> None:
        panel = self.panels.get(role)
        if dataset is not None and panel is not None and hasattr(panel, "set_dataset"):
            panel.set_dataset(dataset)
            self.docks[role].raise_()
        elif dataset is None and hasattr(panel, "clear_dataset"):
            panel.clear_dataset()
        self.panels["across"].clear()
        self.front_markers.set_position(None)
        self.linker.set_front_along(None)

    def _about(self) -> None:
        QMessageBox.about(self, "insitu-tem", f"insitu-tem {__version__}\nGPL-3.0-or-later")

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.open_paths([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.confirm_unsaved("Quit"):
            event.ignore()
            return
        self.project.discard_autosave()
        self.tasks.cancel()
        self.tasks.wait_for_done(5000)
        self.settings.setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
