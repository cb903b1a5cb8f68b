"""What the main window's File and Edit menus do: open files, projects and logs, save, ask
before unsaved changes are lost, name the window, place scan lines and set a calibration.

The window is only their shell (menus, docks, status bar); the panels and the project come
from its workbench, built when first needed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from insitu_tem import __version__
from insitu_tem.core.model import DataError
from insitu_tem.core.project import PROJECT_SUFFIX, load_session
from insitu_tem.gui.controllers.sample_project import sample_project_path

LOG_SUFFIXES = (".csv", ".tsv", ".txt", ".dens")
"""Holder logs: opened (File ▸ Open, dropped) into the Timeline panel, not as data."""
SCAN_AHEAD = ("insitu_tem.workflows.nbd", "scan_ahead")
"""Where the task runner's worker process finds the NBD scan analysis a project will ask for
(:func:`insitu_tem.workflows.nbd.scan_ahead`)."""

SHARED_SCIPY = ("scipy.signal", "scipy.stats", "scipy.interpolate", "scipy.integrate")
"""What every worker uses (about 1 CPU s to import): the front tracking's profile fits and
kinetics checks, the ring overlays' peak search and the EELS analysis. The forker imports them
before it forks the first worker, so they are imported once."""

SCAN_WORKER = ("insitu_tem.workflows.nbd", "insitu_tem.workflows.nbd_pattern", *SHARED_SCIPY)
"""What the NBD scan's worker imports before it is forked: the scan analysis, the ring overlays
and :data:`SHARED_SCIPY`."""

TRACK_AHEAD = ("insitu_tem.workflows.front", "track_ahead")
"""Where the task runner's second worker process finds the front tracking the across-the-front
chain of a project will ask for (:func:`insitu_tem.workflows.front.track_ahead`)."""

TRACK_WORKER = (TRACK_AHEAD[0], *SHARED_SCIPY)
"""What the front tracking's worker imports before it is forked (it is forked first)."""


class FileActions(QObject):
    """File ▸ Open, Open as Pattern Series, Open Sample Project, Save, Save As; holder logs;
    Save / Discard / Cancel before the session is replaced or the window closes.

    Parameters
    ----------
    window : insitu_tem.gui.main_window.MainWindow
        The shell (and parent): asker, recent files, status bar, docks and its workbench.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window

    def _project(self):
        return self.window.workbench().project

    def _opener(self):
        return self.window.workbench().opener

    def open_dialog(self) -> None:
        """File ▸ Open: pick one or more files (or a project)."""
        from insitu_tem.io.load import SUPPORTED_SUFFIXES

        patterns = " ".join(f"*{s}" for s in sorted(set(SUPPORTED_SUFFIXES) | {PROJECT_SUFFIX}))
        paths, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Open data or project",
            self.window.recent.last_folder(),
            f"Microscope data and projects ({patterns});;All files (*)",
        )
        self.open_paths(paths)

    def open_as_patterns_dialog(self) -> None:
        """File ▸ Open as Pattern Series: a movie or stack of diffraction patterns for the NBD
        panel."""
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Open diffraction patterns", self.window.recent.last_folder()
        )
        for path in paths:
            self._opener().open(Path(path), kind="pattern_series", role="nbd")

    def open_log_dialog(self) -> None:
        """Timeline ▸ Open Log: a holder log shown on the movie's time axis."""
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open holder log",
            self.window.recent.last_folder(),
            f"Holder logs ({' '.join('*' + s for s in LOG_SUFFIXES)});;All files (*)",
        )
        if path:
            self.open_log(Path(path))

    def open_log(self, path: Path) -> None:
        """A holder log: read by the Timeline panel, shown on the movie's time axis."""
        self.window.workbench().timeline.open_log(path)
        self._show_dock("timeline")

    def _show_dock(self, role: str) -> None:
        """Show ``role``'s dock in front (it may be hidden as empty beside other data)."""
        self.window.docks[role].show()
        self.window.docks[role].raise_()

    def open_paths(self, paths, *, signal: int | None = None) -> None:
        """Open files or projects (in the background); errors go to the reporter.

        Without ``signal``, the user chooses which signal of a multi-signal file to open (the
        window's asker); ``signal`` opens that one of every file.

        A project replaces the session, so unsaved changes are offered for saving first. Tilt
        series go to the Tomography panel, the first as the series, the others as its channels;
        holder logs (:data:`LOG_SUFFIXES`) to the Timeline.
        """
        paths = [Path(p) for p in paths]
        if any(p.suffix.lower() == PROJECT_SUFFIX for p in paths) and not self.confirm_unsaved(
            "Open"
        ):
            return
        from insitu_tem.workflows.tomo_open import is_tilt_series

        series = [p for p in paths if p.suffix.lower() != PROJECT_SUFFIX and is_tilt_series(p)]
        if series:
            self.window.panels["tomo"].open_path(series[0], also=series[1:])
            self._show_dock("tomo")
        for path in paths:
            if path.suffix.lower() == PROJECT_SUFFIX:
                self._expect_jobs(path)
                self._project().open(path)
            elif path.suffix.lower() in LOG_SUFFIXES:
                self.open_log(path)
            elif path not in series:
                self._opener().open(path, signal=signal, choose=True)

    def open_sample_project(self) -> None:
        """File ▸ Open Sample Project (offers to save unsaved changes first)."""
        if self.confirm_unsaved("Open Sample Project"):
            path = sample_project_path()
            self._expect_jobs(path)
            self._project().open(path, as_template=True)

    def open_sample_tilt_series(self) -> None:
        """File ▸ Open Sample Tilt Series: the Tomography panel's *Sample*."""
        self._show_dock("tomo")
        self.window.panels["tomo"].opener.open_sample()

    def _expect_jobs(self, project: Path) -> None:
        """Start the worker processes of the analyses opening ``project`` will run, so they
        work while the panels are built and the files load. When the across-the-front profiles
        will be computed (a movie, scan lines and a line scan, without a front or across result)
        the second measures the movie's drift and tracks the front ahead (the drift and front
        jobs get those answers when they ask for the same calls; forked first: it ends last); an
        NBD scan without its result is read and analysed ahead in the first, which also fits the
        ring overlays (:data:`SCAN_WORKER`); the forker imports what they share once
        (:data:`SHARED_SCIPY`)."""
        try:
            session = load_session(project)
        except (DataError, OSError):
            return
        roles = set(session.roles)
        tracks = bool(session.scan_lines) and "movie" in roles and bool(roles & {"eels", "nbd"})
        if tracks and session.result("front") is None and session.result("across") is None:
            self.window.tasks.movie_child.start(*TRACK_WORKER)
            self.window.tasks.movie_child.ahead(*TRACK_AHEAD, str(project))
        if "nbd" in roles and session.result("nbd") is None:
            self.window.tasks.child.start(*SCAN_WORKER)
            self.window.tasks.child.ahead(*SCAN_AHEAD, str(project))

    def confirm_unsaved(self, action: str) -> bool:
        """Before ``action`` replaces or ends the session: Save / Discard / Cancel; True to go
        on."""
        if not self.window.has_workbench() or not self._project().dirty:
            return True
        project = self._project()
        choice = self.window.asker.save_discard_cancel(
            f"{project.name} has unsaved changes. Save them before {action.lower()}?"
        )
        if choice == "save":
            self.save_project()
            return not project.dirty
        if choice == "discard":
            project.discard_autosave()
            return True
        return False

    def title(self) -> str:
        """The window title: the project's name, ``*`` when it has unsaved changes, the
        version."""
        project = self._project()
        return f"{project.name}{'*' if project.dirty else ''} — insitu-tem {__version__}"

    def save_project(self) -> None:
        """File ▸ Save Project (asks for a name the first time)."""
        if self._project().path is None:
            self.save_project_as()
        else:
            self._saved(self._project().save())

    def save_project_as(self) -> None:
        """File ▸ Save Project As."""
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save project",
            self.window.recent.last_folder(),
            f"insitu-tem project (*{PROJECT_SUFFIX})",
        )
        if path:
            self._saved(
                self._project().save(
                    path if path.endswith(PROJECT_SUFFIX) else path + PROJECT_SUFFIX
                )
            )

    def _saved(self, path: Path) -> None:
        self.window.status.message(f"Saved {path}", 10000)


class EditActions(QObject):
    """Edit ▸ Place EELS/NBD Scan Line and Set Calibration.

    Parameters
    ----------
    window : insitu_tem.gui.main_window.MainWindow
        The shell (and parent): session bridge, reporter, status bar and its workbench.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window

    def start_scan_line_placement(self, role: str) -> None:
        """The next two clicks on the movie are the first and last probe of ``role``'s scan."""
        window = self.window
        if window.state.dataset(role) is None or window.state.dataset("movie") is None:
            window.reporter.report(f"Open a movie and the {role.upper()} line scan first")
            return
        window.status.message(
            f"Click the first, then the last {role.upper()} probe position on the movie"
        )
        window.workbench().linker.begin_placement(role, self._scan_line_placed)

    def _scan_line_placed(self, role: str, start_rc, end_rc) -> None:
        window = self.window
        window.workbench().project.place_scan_line(
            role, start_rc, end_rc, time_s=window.state.time_s()
        )
        window.status.message(f"{role.upper()} scan line placed", 5000)

    def calibration_dialog(self) -> None:
        """Set Calibration: a new pixel/channel size for one panel's data (undoable)."""
        from insitu_tem.gui.widgets.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.window.state, self.window)
        if dialog.exec():
            role, scale, units = dialog.values()
            self.window.workbench().project.set_calibration(role, scale=scale, units=units)
