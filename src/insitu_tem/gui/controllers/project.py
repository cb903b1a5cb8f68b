"""The project as the user sees it: open, save, save as, unsaved changes, autosave and
crash recovery — the project file is the core Session serialised (schema 3).

Panels keep in the session what they show (view state, lines, marks, results) and,
for what is not a session field yet, a panel state (``project_state()`` /
``restore_project_state(dict)``) that is written into the session before saving. A panel whose
results are too large for the project file writes them beside it on saving
(``write_project_files(project_path)``, referencing them in the session) and reads them back
when a project is opened (``open_project_files(project_path)``).
Autosave writes a sidecar every N seconds while there are unsaved edits (beside the
project, or in the recovery folder for a session that was never saved); opening a
project whose sidecar is newer offers to recover it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.project import autosave_path, has_newer_autosave, load_session, save_session
from insitu_tem.workflows.project import find_source
from insitu_tem.gui.asker import Asker
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.role_words import role_words
from insitu_tem.gui.controllers.opener import Opener
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.undo import ReplaceDatasetCommand, SetCalibrationCommand, SetScanLinesCommand

DEFAULT_AUTOSAVE_SECONDS = 60
ACRONYMS = {"fft", "nbd", "eels", "mlls", "eds", "hrtem"}


def readable(name: str) -> str:
    """A session name as the user reads it: "nbd.pattern result" -> "NBD pattern result"."""
    words = name.replace(".", " ").replace("_", " ").split()
    return " ".join(word.upper() if word in ACRONYMS else word for word in words)


WORKER_ROLE = "nbd"
"""Opened first with a project: its scan analysis runs in the worker process, which computes on
the other core while the other files load."""


class ProjectController(QObject):
    """Opens, saves and autosaves the session; asks before replacing data others depend on.

    Parameters
    ----------
    asker : Asker
        Asks the user (recover an autosave? where did a moved file go?); tests script it.
    recovery_path : path
        Where an untitled session autosaves, and where crash recovery looks for it.

    Signals
    -------
    path_changed(str) : the project now lives at this file
    dirty_changed(bool) : the session has (or no longer has) unsaved changes
    scan_lines_changed(dict) : the registered scan lines
    restored() : every dataset of an opened project is in and its panels restored
    """

    path_changed = Signal(str)
    dirty_changed = Signal(bool)
    scan_lines_changed = Signal(dict)
    restored = Signal()

    def __init__(
        self,
        state: SessionBridge,
        opener: Opener,
        undo_stack: QUndoStack,
        panels: dict,
        reporter: ErrorReporter,
        asker: Asker,
        *,
        recovery_path: Path,
        autosave_seconds: float = 60,
        folder: Callable[[], str] = lambda: "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.opener, self.undo_stack, self.panels = state, opener, undo_stack, panels
        opener.place = self.place_dataset
        self.reporter, self.asker, self.recovery_path, self.folder = (
            reporter,
            asker,
            Path(recovery_path),
            folder,
        )
        self.path: Path | None = None
        self._pending: set[str] = set()
        self._restoring = False
        self._dirty = False
        self.undo_stack.indexChanged.connect(self._mark_dirty)
        self.state.session_event.connect(self._on_session_event)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.set_autosave_interval(autosave_seconds)

    def set_autosave_interval(self, seconds: float) -> None:
        """Autosave every ``seconds`` (0 turns autosave off)."""
        self.autosave_timer.stop()
        if seconds > 0:
            self.autosave_timer.start(int(seconds * 1000))

    @property
    def session(self):
        return self.state.session

    @property
    def dirty(self) -> bool:
        """True when the session has changes that no project file holds."""
        return self._dirty

    @property
    def name(self) -> str:
        """What the title bar calls the session: the project's file name, or "Untitled"."""
        return self.path.name if self.path is not None else "Untitled"

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def mark_clean(self) -> None:
        """Nothing the user did is unsaved (only results computed by themselves on opening)."""
        self._set_dirty(False)

    def _mark_dirty(self, *_args) -> None:
        if not self._restoring:
            self._set_dirty(True)

    def _on_session_event(self, name: str, payload: tuple) -> None:
        if name == "scan_line":
            self.scan_lines_changed.emit(self.session.scan_lines)
        if name == "dirty" and payload[0]:
            self._mark_dirty()

    @property
    def scan_lines(self) -> dict[str, dict]:
        return self.session.scan_lines

    def set_calibration(self, role: str, *, scale: float | None, units: str | None) -> None:
        """Override the calibration of ``role`` as an undoable step."""
        if self.state.dataset(role) is None:
            raise DataError(f"no {role} dataset is open to calibrate")
        text = f"Calibrate {role}: {scale if scale is not None else ''} {units or ''}".strip()
        self.undo_stack.push(
            SetCalibrationCommand(
                self.session,
                role,
                self.session.calibration(role),
                {"scale": scale, "units": units},
                text,
            )
        )

    def place_dataset(self, role: str, dataset: Dataset) -> None:
        """Put an opened dataset in ``role``; replacing one that others depend on asks and is
        undoable."""
        if role in self._pending:
            self._attach(role, dataset)
            return
        before = self.session.raw_dataset(role)
        if before is None:
            self.state.set_dataset(role, dataset)
            return
        panel = self.panels.get(role)
        lost = [readable(what) for what in self.session.dependents(role).describe()]
        name = Path(dataset.source).name if dataset.source else "this data"
        old = f" {Path(before.source).name}" if before.source else ""
        if lost and not self.asker.yes_no(
            f"Opening {name} replaces the {role_words(role, before)}{old} and discards "
            f"{', '.join(lost)}. Continue? (Edit ▸ Undo brings them back)"
        ):
            return
        panel_state = panel.project_state() if hasattr(panel, "project_state") else None
        self.undo_stack.push(
            ReplaceDatasetCommand(
                self.session,
                role,
                before,
                dataset,
                panel=panel,
                panel_state=panel_state,
                text=f"Open {name} as the {role_words(role, dataset)}",
            )
        )

    def set_scan_lines(self, scan_lines: dict[str, dict]) -> None:
        """Make ``scan_lines`` ({role: line}) the registered scan lines."""
        for role in set(self.session.scan_lines) - set(scan_lines):
            self.session.set_scan_line(role, None)
        for role, line in scan_lines.items():
            if self.session.scan_line(role) != line:
                self.session.set_scan_line(role, line)

    def place_scan_line(self, role: str, start_rc, end_rc, *, time_s: float | None) -> None:
        """Register ``role``'s line scan on the movie from two points (movie px) as an undoable
        step."""
        dataset = self.state.dataset(role)
        if dataset is None:
            raise DataError(f"open the {role.upper()} line scan before placing its scan line")
        line = {
            "start_rc": [float(v) for v in start_rc],
            "end_rc": [float(v) for v in end_rc],
            "n_positions": int(dataset.n_items),
            "time_s": float(time_s or 0.0),
        }
        self.undo_stack.push(
            SetScanLinesCommand(
                self,
                self.scan_lines,
                {**self.scan_lines, role: line},
                f"Place {role.upper()} scan line",
            )
        )

    def sync_panels(self) -> None:
        """Write what panels still keep themselves into the session (before saving)."""
        self._restoring = True
        try:
            for role, panel in self.panels.items():
                if hasattr(panel, "project_state"):
                    self.session.set_panel_state(role, panel.project_state())
        finally:
            self._restoring = False

    def save(self, path: str | Path | None = None) -> Path:
        """Save atomically to ``path`` (default: the current project path)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise DataError("the project has no file yet; use Save As")
        for panel in self.panels.values():
            if hasattr(panel, "write_project_files"):
                panel.write_project_files(target)
        self.sync_panels()
        save_session(self.session, target)
        autosave_path(target).unlink(missing_ok=True)
        self.recovery_path.unlink(missing_ok=True)
        self.path = target
        self.undo_stack.setClean()
        self._set_dirty(False)
        self.path_changed.emit(str(target))
        return target

    def autosave_target(self) -> Path:
        """Where autosave writes: the project's sidecar, or the recovery file when untitled."""
        return autosave_path(self.path) if self.path is not None else self.recovery_path

    def autosave(self) -> Path | None:
        """Write the autosave when there are unsaved edits; return its path."""
        if not self._dirty or self._pending:
            return None
        target = self.autosave_target()
        target.parent.mkdir(parents=True, exist_ok=True)
        self.sync_panels()
        return save_session(self.session, target, mark_clean=False)

    def discard_autosave(self) -> None:
        """The user chose to discard unsaved changes: forget their autosave too."""
        self.autosave_target().unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """Offer to recover an untitled session that did not close; True when recovered."""
        if not self.recovery_path.exists():
            return False
        if not self.asker.yes_no(
            "A session that was never saved did not close. Recover its unsaved work?"
        ):
            self.recovery_path.unlink(missing_ok=True)
            return False
        self._load(self.recovery_path, self.recovery_path, untitled=True, dirty=True)
        return True

    def open(self, path: str | Path, *, as_template: bool = False) -> None:
        """Open a project, offering to recover a newer autosave; ``as_template`` opens it untitled
        (the bundled sample: Save asks for a new file instead of overwriting it)."""
        path = Path(path)
        source = path
        if (
            not as_template
            and has_newer_autosave(path)
            and self.asker.yes_no(
                f"{path.name} has unsaved changes from a session that did not close. Recover them?"
            )
        ):
            source = autosave_path(path)
        self._load(source, path, untitled=as_template, dirty=source != path)

    def _load(self, source: Path, path: Path, *, untitled: bool, dirty: bool) -> None:
        try:
            session = load_session(source, project_path=path)
        except DataError as error:
            self.reporter.report(f"{path.name}: {error}")
            return
        self._restoring = True
        try:
            self._pending = set(session.roles)
            self.path = None if untitled else path
            self.state.replace_session(session)
            self.scan_lines_changed.emit(session.scan_lines)
            self.undo_stack.clear()
            self.undo_stack.setClean()
        finally:
            self._restoring = False
        self._set_dirty(dirty)
        if not untitled:
            self.path_changed.emit(str(path))
        for panel in self.panels.values():
            if hasattr(panel, "open_project_files"):
                panel.open_project_files(path)
        for role in sorted(session.roles, key=lambda role: role != WORKER_ROLE):
            self._load_role(role, path)
        if not self._pending:
            self.restored.emit()

    def _load_role(self, role: str, path: Path) -> None:
        recorded = self.session.source(role)
        found = find_source(self.session, role, path)
        if found is None and recorded.path:
            answer = self.asker.locate(Path(recorded.path).name, self.folder())
            found = Path(answer) if answer else None
        if found is None:
            self.reporter.report(
                f"{path.name}: cannot find {Path(recorded.path or role).name} (moved or changed); "
                "open it with File ▸ Open and save the project again"
            )
            self._drop_pending(role)
            return
        if str(found.resolve()) != recorded.path:
            self.session.add_source(role, replace(recorded, path=str(found.resolve())))
        self.opener.open(
            found,
            signal=recorded.signal,
            role=role,
            kind=recorded.kind,
            on_failed=lambda: self._drop_pending(role),
            remember=False,
        )

    def _attach(self, role: str, dataset: Dataset) -> None:
        self._restoring = True
        try:
            self.session.attach(role, dataset)
        finally:
            self._restoring = False
        QTimer.singleShot(0, lambda: self._restore_panel(role))

    def _restore_panel(self, role: str) -> None:
        self._restoring = True
        try:
            panel = self.panels.get(role)
            saved = self.session.panel_state(role)
            if saved and hasattr(panel, "restore_project_state"):
                panel.restore_project_state(saved)
        finally:
            self._restoring = False
            self._drop_pending(role)

    def _drop_pending(self, role: str) -> None:
        if role in self._pending:
            self._pending.discard(role)
            if not self._pending:
                self.restored.emit()
