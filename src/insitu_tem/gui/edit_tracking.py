"""Undo for parameter edits: a spin box or combo box changed by the user becomes an undo step.

Only the user's changes are recorded — for spin boxes, changes caused by a key, wheel or
mouse event on the widget (or while a mouse button is held on it); for combo boxes, Qt's
``activated`` signal — so programmatic updates (automatic contrast, a project being
restored, an undo itself) never create steps. Consecutive edits of one widget (holding an
arrow key) merge into one step.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

_MERGE_ID = 0x1E17
_USER_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)


class WidgetEditCommand(QUndoCommand):
    """Set a widget back to ``before`` on undo and to ``after`` on redo."""

    def __init__(self, tracker: "EditTracker", before, after) -> None:
        super().__init__(tracker.text)
        self.tracker, self.before, self.after = tracker, before, after
        self._first = True

    def id(self) -> int:
        return _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, WidgetEditCommand) or other.tracker is not self.tracker:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.tracker.apply(self.after)

    def undo(self) -> None:
        self.tracker.apply(self.before)


class EditTracker(QObject):
    """Watches one spin box or combo box; see the module docstring."""

    def __init__(self, widget: QWidget, undo_stack: QUndoStack, text: str) -> None:
        super().__init__(widget)
        self.widget, self.undo_stack, self.text = widget, undo_stack, text
        self._dispatching = False
        self._mouse_down = False
        self._applying = False
        self._last = self.read()
        self._before_change = self._last
        if isinstance(widget, QAbstractSpinBox):
            widget.valueChanged.connect(self._changed)
            for item in (widget, widget.lineEdit()):
                item.installEventFilter(self)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._index_changed)
            widget.activated.connect(self._chosen)
        else:
            raise TypeError(f"cannot track edits of a {type(widget).__name__}")

    def read(self):
        return (
            self.widget.currentIndex()
            if isinstance(self.widget, QComboBox)
            else self.widget.value()
        )

    def apply(self, value) -> None:
        self._applying = True
        try:
            if isinstance(self.widget, QComboBox):
                self.widget.setCurrentIndex(value)
            else:
                self.widget.setValue(value)
        finally:
            self._applying = False
            self._last = self.read()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Deliver key, wheel and mouse-press events here, so that changes they cause are
        known to come from the user; a held mouse button (spin-box auto-repeat) counts too.
        The value before is read afresh (a panel may have set it with its signals blocked)."""
        if event.type() == QEvent.Type.MouseButtonRelease:
            self._mouse_down = False
        if event.type() not in _USER_EVENTS or self._dispatching:
            return False
        if event.type() == QEvent.Type.MouseButtonPress:
            self._mouse_down = True
        self._last = self.read()
        self._dispatching = True
        try:
            watched.event(event)
        finally:
            self._dispatching = False
        return True

    def _index_changed(self, index: int) -> None:
        self._before_change, self._last = self._last, index

    def _chosen(self, index: int) -> None:
        """QComboBox.activated: emitted only for the user's choices (popup or keyboard)."""
        if not self._applying and index != self._before_change:
            self.undo_stack.push(WidgetEditCommand(self, self._before_change, index))
            self._before_change = index

    def _changed(self, *_args) -> None:
        value = self.read()
        user = self._dispatching or self._mouse_down
        if user and not self._applying and value != self._last:
            self.undo_stack.push(WidgetEditCommand(self, self._last, value))
        self._last = value


def track_edits(undo_stack: QUndoStack, widgets: dict[str, QWidget]) -> list[EditTracker]:
    """Make each ``{step text: widget}`` undoable; returns the trackers (owned by their widgets)."""
    return [EditTracker(widget, undo_stack, text) for text, widget in widgets.items()]
