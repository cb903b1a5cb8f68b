"""Undoable user edits that belong to the main window (panels define their own)."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from insitu_tem.core.model import Dataset
from insitu_tem.core.session import Session


class SetCalibrationCommand(QUndoCommand):
    """Override the calibration of a role (raw data untouched); ``{}`` goes back to the file's."""

    def __init__(
        self, session: Session, role: str, before: dict | None, after: dict | None, text: str
    ) -> None:
        super().__init__(text)
        self._session, self._role, self._before, self._after = (
            session,
            role,
            before or {},
            after or {},
        )

    def redo(self) -> None:
        self._session.set_calibration(self._role, **self._after)

    def undo(self) -> None:
        self._session.set_calibration(self._role, **self._before)


class ReplaceDatasetCommand(QUndoCommand):
    """Put a new dataset in a role; what the session lost with the old one comes back on undo.

    ``panel_state`` is the role's panel state before (its ``project_state()``), for what
    the panel still keeps itself.
    """

    def __init__(
        self,
        session: Session,
        role: str,
        before: Dataset,
        after: Dataset,
        *,
        panel,
        panel_state: dict | None,
        text: str,
    ) -> None:
        super().__init__(text)
        self._session, self._role, self._before, self._after = session, role, before, after
        self._panel, self._panel_state, self._lost = panel, panel_state, None

    def redo(self) -> None:
        self._lost = self._session.set_dataset(self._role, self._after)

    def undo(self) -> None:
        self._session.set_dataset(self._role, self._before)
        if self._lost is not None:
            self._session.reinstate(self._lost)
        if self._panel_state is not None:
            self._panel.restore_project_state(self._panel_state)


class SetScanLinesCommand(QUndoCommand):
    """Register, move or remove scan lines on the movie."""

    def __init__(self, controller, before: dict, after: dict, text: str) -> None:
        super().__init__(text)
        self._controller, self._before, self._after = controller, before, after

    def redo(self) -> None:
        self._controller.set_scan_lines(self._after)

    def undo(self) -> None:
        self._controller.set_scan_lines(self._before)


class SetValueCommand(QUndoCommand):
    """A generic undoable change: ``apply(after)`` on redo, ``apply(before)`` on undo.

    With ``applied=True`` the first redo is skipped, for changes the user already made
    on screen (a finished ROI or line drag).
    """

    def __init__(self, apply, before, after, text: str, *, applied: bool = False) -> None:
        super().__init__(text)
        self._apply, self._before, self._after, self._skip = apply, before, after, applied

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._apply(self._after)

    def undo(self) -> None:
        self._apply(self._before)


def track_drags(roi, undo_stack, *, read, apply, text: str) -> None:
    """Push an undoable step each time the user finishes dragging ``roi``.

    ``read()`` returns the current value (e.g. ROI state or line vertices) and
    ``apply(value)`` restores one.
    """
    start: dict = {}
    roi.sigRegionChangeStarted.connect(lambda *_: start.__setitem__("value", read()))

    def finished(*_):
        before, after = start.pop("value", None), read()
        if before is not None and not _same(before, after):
            undo_stack.push(SetValueCommand(apply, before, after, text, applied=True))

    roi.sigRegionChangeFinished.connect(finished)


def _same(a, b) -> bool:
    import numpy as np

    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except ValueError:
        return a == b


class SetParametersCommand(QUndoCommand):
    """Set an analysis's parameters in the session (undo puts the previous ones back)."""

    def __init__(self, session: Session, name: str, before: dict, after: dict, text: str) -> None:
        super().__init__(text)
        self._session, self._name, self._before, self._after = session, name, before, after

    def redo(self) -> None:
        self._session.set_parameters(self._name, self._after)

    def undo(self) -> None:
        self._session.set_parameters(self._name, self._before)


class StoreResultCommand(QUndoCommand):
    """Keep a computed result in the session; undo puts back the one it replaced (or none)."""

    def __init__(self, session: Session, name: str, result, text: str) -> None:
        super().__init__(text)
        self._session, self._name = session, name
        self._before, self._after = session.result(name), result

    def _put(self, result) -> None:
        if result is None:
            self._session.clear_result(self._name)
        else:
            self._session.store_result(self._name, result)

    def redo(self) -> None:
        self._put(self._after)

    def undo(self) -> None:
        self._put(self._before)
