"""The project as the user sees it: open, save, save as, autosave and crash recovery.

A project records which file plays which role, calibration overrides, the linked
cursor and every panel's own state (panels that define ``project_state()`` and
``restore_project_state(dict)``). Autosave writes a sidecar every N seconds while
there are unsaved edits; opening a project whose sidecar is newer offers to recover it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.project import (
    Project, autosave_path, has_newer_autosave, load_project, locate, reference_for, save_project,
)
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.controllers.opener import Opener
from insitu_tem.gui.controllers.app_state import ROLES, AppState
from insitu_tem.gui.undo import SetDatasetCommand, SetScanLinesCommand

DEFAULT_AUTOSAVE_SECONDS = 60


class ProjectController(QObject):
    """Collects and restores the whole session; owns the autosave timer.

    Parameters
    ----------
    ask : callable(str) -> bool
        Asks the user a yes/no question (recovery); injected so tests can answer.
    locate_missing : callable(str) -> str or None
        Asks the user where a raw file that cannot be found went (None: skip it).
    """

    path_changed = Signal(str)
    scan_lines_changed = Signal(dict)
    restored = Signal()

    def __init__(self, state: AppState, opener: Opener, undo_stack: QUndoStack, panels: dict,
                 reporter: ErrorReporter, ask: Callable[[str], bool], *, autosave_seconds: float = 60,
                 locate_missing: Callable[[str], str | None] = lambda _name: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.opener, self.undo_stack, self.panels = state, opener, undo_stack, panels
        self.reporter, self.ask, self.locate_missing = reporter, ask, locate_missing
        self.path: Path | None = None
        self.scan_lines: dict[str, dict] = {}
        self._pending: dict[str, dict] = {}
        self._dirty = False
        self.undo_stack.indexChanged.connect(self._mark_dirty)
        self.state.dataset_changed.connect(self._apply_pending)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.set_autosave_interval(autosave_seconds)

    def set_autosave_interval(self, seconds: float) -> None:
        """Autosave every ``seconds`` (0 turns autosave off)."""
        self.autosave_timer.stop()
        if seconds > 0:
            self.autosave_timer.start(int(seconds * 1000))

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _mark_dirty(self, *_args) -> None:
        self._dirty = True

    def set_calibration(self, role: str, *, scale: float | None, units: str | None) -> None:
        """Recalibrate the dataset of ``role`` as an undoable step."""
        before = self.state.dataset(role)
        if before is None:
            raise DataError(f"no {role} dataset is open to calibrate")
        after = recalibrate(before, scale=scale, units=units)
        text = f"Calibrate {role}: {scale if scale is not None else ''} {units or ''}".strip()
        self.undo_stack.push(SetDatasetCommand(self.state, role, before, after, text))

    def set_scan_lines(self, scan_lines: dict[str, dict]) -> None:
        """Replace all registered scan lines (not undoable: used when opening)."""
        self.scan_lines = dict(scan_lines)
        self.scan_lines_changed.emit(dict(self.scan_lines))

    def place_scan_line(self, role: str, start_rc, end_rc, *, time_s: float | None) -> None:
        """Register ``role``'s line scan on the movie from two points (movie px) as an undoable step."""
        dataset = self.state.dataset(role)
        if dataset is None:
            raise DataError(f"open the {role.upper()} line scan before placing its scan line")
        line = {"start_rc": [float(v) for v in start_rc], "end_rc": [float(v) for v in end_rc],
                "n_positions": int(dataset.n_items), "time_s": float(time_s or 0.0)}
        self.undo_stack.push(SetScanLinesCommand(self, dict(self.scan_lines), {**self.scan_lines, role: line},
                                                 f"Place {role.upper()} scan line"))

    def collect(self, project_path: Path) -> Project:
        """Describe the session as a Project whose paths are relative to ``project_path``."""
        project = Project()
        for role in ROLES:
            dataset = self.state.dataset(role)
            if dataset is None or not dataset.source:
                continue
            project.files.append(reference_for(role, dataset.source, project_path,
                                               signal=dataset.metadata.get("signal_index")))
            override = dataset.metadata.get("calibration_override")
            if override:
                project.parameters.setdefault("calibration", {})[role] = override
        project.parameters["cursor"] = {"frame": self.state.frame, "scan_index": self.state.scan_index}
        project.scan_lines = dict(self.scan_lines)
        for role, panel in self.panels.items():
            if hasattr(panel, "project_state"):
                project.annotations[role] = panel.project_state()
        return project

    def save(self, path: str | Path | None = None) -> Path:
        """Save atomically to ``path`` (default: the current project path)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise DataError("the project has no file yet; use Save As")
        save_project(self.collect(target), target)
        autosave_path(target).unlink(missing_ok=True)
        self.path = target
        self._dirty = False
        self.undo_stack.setClean()
        self.path_changed.emit(str(target))
        return target

    def autosave(self) -> Path | None:
        """Write the sidecar when there are unsaved edits; return its path."""
        if not self._dirty or self.path is None:
            return None
        sidecar = autosave_path(self.path)
        save_project(self.collect(self.path), sidecar)
        return sidecar

    def open(self, path: str | Path) -> None:
        """Open a project, offering to recover a newer autosave."""
        path = Path(path)
        source = path
        if has_newer_autosave(path) and self.ask(
            f"{path.name} has unsaved changes from a session that did not close. Recover them?"
        ):
            source = autosave_path(path)
        try:
            project = load_project(source)
        except DataError as error:
            self.reporter.report(f"{path.name}: {error}")
            return
        self.path = path
        self.set_scan_lines(dict(project.scan_lines))
        self._restore(project, path)
        self._dirty = source != path
        self.path_changed.emit(str(path))

    def _restore(self, project: Project, path: Path) -> None:
        calibrations = project.parameters.get("calibration", {})
        cursor = project.parameters.get("cursor", {})
        for reference in project.files:
            found = locate(reference, path)
            if found is None:
                answer = self.locate_missing(reference.path)
                found = Path(answer) if answer else None
            if found is None:
                self.reporter.report(f"{path.name}: cannot find {reference.path} (moved or changed); "
                                     "open it with File ▸ Open and save the project again")
                continue
            self._pending[reference.role] = {"calibration": calibrations.get(reference.role),
                                             "panel": project.annotations.get(reference.role), "cursor": cursor}
            self.opener.open(found, signal=reference.signal, role=reference.role)

    def _apply_pending(self, role: str, dataset: Dataset | None) -> None:
        pending = self._pending.pop(role, None)
        if pending is not None and dataset is not None:
            QTimer.singleShot(0, lambda: self._restore_role(role, dataset, pending))

    def _restore_role(self, role: str, dataset: Dataset, pending: dict) -> None:
        calibration = pending["calibration"]
        if calibration:
            self.state.set_dataset(role, recalibrate(dataset, scale=calibration.get("scale"),
                                                     units=calibration.get("units")))
        if role == "movie" and "frame" in pending["cursor"]:
            self.state.set_frame(pending["cursor"]["frame"])
        if role in ("nbd", "eels") and "scan_index" in pending["cursor"]:
            self.state.set_scan_index(pending["cursor"]["scan_index"])
        panel = self.panels.get(role)
        if pending["panel"] and hasattr(panel, "restore_project_state"):
            panel.restore_project_state(pending["panel"])
        if not self._pending:
            self.restored.emit()
