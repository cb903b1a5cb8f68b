"""Keyboard from anywhere in the window: playback keys, and undo/redo that first commit a spin box
the user is typing in. Help ▸ Keyboard Shortcuts lists every shortcut of the window."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDialog,
    QHeaderView,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LARGE_STEP = 10
"""Frames per Shift+←/→."""

PLAYBACK_KEYS = (
    ("Play / pause the movie", "Space", "play"),
    ("Previous frame", "Left", -1),
    ("Next frame", "Right", 1),
    (f"Back {LARGE_STEP} frames", "Shift+Left", -LARGE_STEP),
    (f"Forward {LARGE_STEP} frames", "Shift+Right", LARGE_STEP),
    ("First frame", "Home", "first"),
    ("Last frame", "End", "last"),
)

MOUSE_HINTS = (
    ("Zoom an image or plot", "Mouse wheel"),
    ("Pan", "Drag with the left button"),
    ("Reset the zoom of a plot", "Right-click ▸ View All"),
)


class PlaybackKeys(QObject):
    """Window-wide playback shortcuts; text fields still receive the keys they type.

    Parameters
    ----------
    window : QMainWindow
        Owner of the actions (shortcut context: the whole window).
    toggle_play : callable()
        Starts or pauses playback.
    frame_count : callable() -> int
        Frames of the movie on screen (0 without one).
    frame : callable() -> int
        The frame on screen.
    set_frame : callable(int)
        Shows a frame.
    """

    def __init__(
        self,
        window: QMainWindow,
        *,
        toggle_play: Callable[[], None],
        frame_count: Callable[[], int],
        frame: Callable[[], int],
        set_frame: Callable[[int], None],
    ) -> None:
        super().__init__(window)
        self.frame_count, self.frame, self.set_frame = frame_count, frame, set_frame
        self.actions: list[QAction] = []
        for text, keys, what in PLAYBACK_KEYS:
            action = QAction(text, window)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(toggle_play if what == "play" else self._mover(what))
            window.addAction(action)
            self.actions.append(action)

    def _mover(self, what) -> Callable[[], None]:
        return lambda: self.go(what)

    def go(self, what) -> None:
        """Step by ``what`` frames (an int), or to the "first" or "last" frame; clamped."""
        count = self.frame_count()
        if count <= 0:
            return
        target = {"first": 0, "last": count - 1}.get(what)
        if target is None:
            target = self.frame() + int(what)
        self.set_frame(min(max(target, 0), count - 1))


class CommitBeforeUndo(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a spin box the user just typed in: commit the typed value as Return
    would (an undo step of its own), then let the window's Undo / Redo run instead of the text
    field's own undo.

    Filters the application's events only while a spin box has the focus (every event would
    otherwise pass through Python); only acts inside ``window``.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        QApplication.instance().focusChanged.connect(self._follow_focus)

    def _follow_focus(self, _old, now) -> None:
        application = QApplication.instance()
        application.removeEventFilter(self)
        if _spin_box_of(now) is not None:
            application.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        if not (
            event.matches(QKeySequence.StandardKey.Undo)
            or event.matches(QKeySequence.StandardKey.Redo)
        ):
            return False
        spin = _spin_box_of(watched)
        if spin is None or spin.window() is not self.window:
            return False
        commit = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(spin, commit)
        event.ignore()
        return True

    def remove(self) -> None:
        application = QApplication.instance()
        application.focusChanged.disconnect(self._follow_focus)
        application.removeEventFilter(self)


def _spin_box_of(widget) -> QAbstractSpinBox | None:
    while isinstance(widget, QWidget):
        if isinstance(widget, QAbstractSpinBox):
            return widget
        widget = widget.parentWidget()
    return None


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action of ``window`` with a shortcut, then the mouse gestures."""
    rows = {}
    for action in window.findChildren(QAction):
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        if keys:
            rows[action.text().replace("&", "")] = keys
    return sorted(rows.items(), key=lambda row: row[0].lower()) + list(MOUSE_HINTS)


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard Shortcuts: a two-column table (what, keys)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (text, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(text))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(460, 520)
