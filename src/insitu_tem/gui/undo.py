"""Undoable user edits that belong to the main window (panels define their own)."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..data.model import Dataset
from .state import AppState


class SetDatasetCommand(QUndoCommand):
    """Replace the dataset of a role by a recalibrated view (raw data untouched)."""

    def __init__(self, state: AppState, role: str, before: Dataset, after: Dataset, text: str) -> None:
        super().__init__(text)
        self._state, self._role, self._before, self._after = state, role, before, after

    def redo(self) -> None:
        self._state.set_dataset(self._role, self._after)

    def undo(self) -> None:
        self._state.set_dataset(self._role, self._before)


class SetScanLinesCommand(QUndoCommand):
    """Register, move or remove scan lines on the movie."""

    def __init__(self, controller, before: dict, after: dict, text: str) -> None:
        super().__init__(text)
        self._controller, self._before, self._after = controller, before, after

    def redo(self) -> None:
        self._controller.set_scan_lines(self._after)

    def undo(self) -> None:
        self._controller.set_scan_lines(self._before)
