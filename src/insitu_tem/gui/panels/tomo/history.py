"""Undo for the Tomography panel: alignment and segmentation are session results
(:mod:`insitu_tem.workflows.tomo_results`), set through undoable commands; a reconstruction
replaces the volumes, labels, voxel size and segmentation together."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand


class ShowResultCommand(QUndoCommand):
    """Show ``after`` (via ``apply(value)``) and store its session result; undo shows ``before``."""

    def __init__(self, text: str, apply, session, name: str, before, after) -> None:
        super().__init__(text)
        self.apply, self.session, self.name = apply, session, name
        self.before, self.after = before, after

    def _show(self, state) -> None:
        value, result = state if state is not None else (None, None)
        if result is None:
            self.session.clear_result(self.name)
        else:
            self.session.store_result(self.name, result)
        self.apply(value)

    def redo(self) -> None:
        self._show(self.after)

    def undo(self) -> None:
        self._show(self.before)


class StateCommand(QUndoCommand):
    """Show ``after`` through ``apply(state)``; undo shows ``before``."""

    def __init__(self, text: str, apply, before, after) -> None:
        super().__init__(text)
        self.apply, self.before, self.after = apply, before, after

    def redo(self) -> None:
        self.apply(self.after)

    def undo(self) -> None:
        self.apply(self.before)
