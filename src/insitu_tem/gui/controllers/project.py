"""The project as the user sees it: open, save, save as, unsaved changes, autosave and
crash recovery.

A project records which file plays which role, calibration overrides, the linked
cursor and every panel's own state (panels that define ``project_state()`` and
``restore_project_state(dict)``). Autosave writes a sidecar every N seconds while
there are unsaved edits (beside the project, or in the recovery folder for a session
that was never saved); opening a project whose sidecar is newer offers to recover it.
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
from insitu_tem.gui.asker import Asker
from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.gui.controllers.opener import Opener
from insitu_tem.gui.controllers.app_state import ROLES, AppState
from insitu_tem.gui.undo import ReplaceDatasetCommand, SetDatasetCommand, SetScanLinesCommand

DEFAULT_AUTOSAVE_SECONDS = 60


class ProjectController(QObject):
    """Collects and restores the whole session; owns the autosave timer.

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
    restored() : every dataset of an opened project is in and its state restored
    """

    path_changed = Signal(str)
    dirty_changed = Signal(bool)
    scan_lines_changed = Signal(dict)
    restored = Signal()

    def __init__(self, state: AppState, opener: Opener, undo_stack: QUndoStack, panels: dict,
                 reporter: ErrorReporter, asker: Asker, *, recovery_path: Path, autosave_seconds: float = 60,
                 folder: Callable[[], str] = lambda: "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.opener, self.undo_stack, self.panels = state, opener, undo_stack, panels
        opener.place = self.place_dataset
        self.reporter, self.asker, self.recovery_path, self.folder = reporter, asker, Path(recovery_path), folder
        self.path: Path | None = None
        self.scan_lines: dict[str, dict] = {}
        self._pending: dict[str, dict] = {}
        self._restoring_role = False
        self._dirty = False
        self.undo_stack.indexChanged.connect(self._mark_dirty)
        self.state.dataset_changed.connect(self._on_dataset_changed)
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

    def _mark_dirty(self, *_args) -> None:
        if not self._restoring_role:
            self._set_dirty(True)

    def _on_dataset_changed(self, role: str, dataset: Dataset | None) -> None:
        if self._restoring_role:
            return
        if role in self._pending:
            self._apply_pending(role, dataset)
        else:
            self._mark_dirty()

    def set_calibration(self, role: str, *, scale: float | None, units: str | None) -> None:
        """Recalibrate the dataset of ``role`` as an undoable step."""
        before = self.state.dataset(role)
        if before is None:
            raise DataError(f"no {role} dataset is open to calibrate")
        after = recalibrate(before, scale=scale, units=units)
        text = f"Calibrate {role}: {scale if scale is not None else ''} {units or ''}".strip()
        self.undo_stack.push(SetDatasetCommand(self.state, role, before, after, text))

    def place_dataset(self, role: str, dataset: Dataset) -> None:
        """Put an opened dataset in ``role``; replacing one that others depend on asks and is undoable."""
        before = self.state.dataset(role)
        if role in self._pending or before is None:
            self.state.set_dataset(role, dataset)
            return
        lines_after = {} if role == "movie" else {r: v for r, v in self.scan_lines.items() if r != role}
        panel = self.panels.get(role)
        lost = list(panel.dependents()) if hasattr(panel, "dependents") else []
        lost += [f"the {r.upper()} scan line" for r in self.scan_lines if r not in lines_after]
        if lost and not self.asker.yes_no(f"Opening {Path(dataset.source).name or 'this file'} replaces the {role} "
                                          f"and discards {', '.join(lost)}. Continue? (Edit ▸ Undo brings them back)"):
            return
        panel_state = panel.project_state() if hasattr(panel, "project_state") else None
        self.undo_stack.push(ReplaceDatasetCommand(
            self.state, role, before, dataset, panel=panel, panel_state=panel_state, lines=self,
            scan_lines=(dict(self.scan_lines), lines_after), text=f"Open {Path(dataset.source).name} as {role}"))

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
        save_project(self.collect(self.path or target), target)
        return target

    def discard_autosave(self) -> None:
        """The user chose to discard unsaved changes: forget their autosave too."""
        self.autosave_target().unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """Offer to recover an untitled session that did not close; True when recovered."""
        if not self.recovery_path.exists():
            return False
        if not self.asker.yes_no("A session that was never saved did not close. Recover its unsaved work?"):
            self.recovery_path.unlink(missing_ok=True)
            return False
        self._load(self.recovery_path, self.recovery_path, untitled=True)
        return True

    def open(self, path: str | Path) -> None:
        """Open a project, offering to recover a newer autosave."""
        path = Path(path)
        source = path
        if has_newer_autosave(path) and self.asker.yes_no(
            f"{path.name} has unsaved changes from a session that did not close. Recover them?"
        ):
            source = autosave_path(path)
        self._load(source, path, untitled=False)

    def _load(self, source: Path, path: Path, *, untitled: bool) -> None:
        try:
            project = load_project(source)
        except DataError as error:
            self.reporter.report(f"{path.name}: {error}")
            return
        self._clear_session()
        self.path = None if untitled else path
        self.set_scan_lines(dict(project.scan_lines))
        self._restore(project, path)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._set_dirty(source != path or untitled)
        if not untitled:
            self.path_changed.emit(str(path))

    def _clear_session(self) -> None:
        """Empty every role so nothing of the previous session survives into the next one."""
        self._pending.clear()
        self._restoring_role = True
        try:
            for role in ROLES:
                if self.state.dataset(role) is not None:
                    self.state.set_dataset(role, None)
        finally:
            self._restoring_role = False

    def _restore(self, project: Project, path: Path) -> None:
        calibrations = project.parameters.get("calibration", {})
        cursor = project.parameters.get("cursor", {})
        for reference in project.files:
            found = locate(reference, path)
            if found is None:
                answer = self.asker.locate(reference.path, self.folder())
                found = Path(answer) if answer else None
            if found is None:
                self.reporter.report(f"{path.name}: cannot find {reference.path} (moved or changed); "
                                     "open it with File ▸ Open and save the project again")
                continue
            self._pending[reference.role] = {"calibration": calibrations.get(reference.role),
                                             "panel": project.annotations.get(reference.role), "cursor": cursor}
            self.opener.open(found, signal=reference.signal, role=reference.role,
                             on_failed=lambda role=reference.role: self._drop_pending(role))
        if not self._pending:
            self.restored.emit()

    def _drop_pending(self, role: str) -> None:
        if self._pending.pop(role, None) is not None and not self._pending:
            self.restored.emit()

    def _apply_pending(self, role: str, dataset: Dataset | None) -> None:
        if dataset is not None:
            pending = self._pending[role]
            QTimer.singleShot(0, lambda: self._restore_role(role, dataset, pending))

    def _restore_role(self, role: str, dataset: Dataset, pending: dict) -> None:
        self._restoring_role = True
        try:
            self._restore_state(role, dataset, pending)
        finally:
            self._restoring_role = False
        self._drop_pending(role)

    def _restore_state(self, role: str, dataset: Dataset, pending: dict) -> None:
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
