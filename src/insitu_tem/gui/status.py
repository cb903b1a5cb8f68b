"""The status bar: cursor readout, what a tool waits for, and the progress of background tasks."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from insitu_tem.gui.tasks import TaskRunner

SHOW_PROGRESS_AFTER_MS = 300
"""A task still running after this long shows the progress bar (no flicker for quick ones)."""
MESSAGE_MARGIN_PX = 32
"""Room kept free of message text: the bar's margins and size grip, px."""


class StatusArea(QObject):
    """Cursor readout on the left; while tasks run, the running task, a progress bar (busy until
    the task reports a fraction) and Cancel.

    Parameters
    ----------
    bar : QStatusBar
        The window's status bar.
    tasks : TaskRunner
        Whose progress is shown; Cancel cancels all of its tasks.
    """

    def __init__(self, bar: QStatusBar, tasks: TaskRunner) -> None:
        super().__init__(bar)
        self.bar, self.tasks = bar, tasks
        self.cursor_label = QLabel("")
        self.task_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running background tasks")
        bar.addWidget(self.cursor_label, 1)
        for widget in (self.task_label, self.progress, self.cancel_button):
            bar.addPermanentWidget(widget)
            widget.hide()
        self._clock = QElapsedTimer()
        self._reveal = QTimer(self, singleShot=True, interval=SHOW_PROGRESS_AFTER_MS)
        self._reveal.timeout.connect(self._show_progress)
        tasks.busy_changed.connect(self._on_busy)
        tasks.started.connect(lambda _id, text: self.task_label.setText(text))
        tasks.progress.connect(self._on_progress)
        self.cancel_button.clicked.connect(lambda: tasks.cancel())
        bar.messageChanged.connect(self._message_changed)

    def message(self, text: str, timeout_ms: int = 0) -> None:
        """A transient message (what a tool waits for, what just finished, what the reader
        noticed in a file). One wider than the bar ends in "…" rather than being cut at the
        window's edge, and the whole text is the bar's tooltip while it shows (a running task's
        progress, shown for a moment on the right, may cover its end)."""
        room = max(self.bar.width() - MESSAGE_MARGIN_PX, 80)
        shown = self.bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)
        self.bar.setToolTip(text if shown != text else "")
        self.bar.showMessage(shown, timeout_ms)

    def _message_changed(self, text: str) -> None:
        if not text:
            self.bar.setToolTip("")

    def _on_progress(self, _task_id: int, fraction: float, message: str) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.task_label.setText(message)

    def _on_busy(self, busy: bool) -> None:
        self.progress.setRange(0, 0)
        if busy:
            self._reveal.start()
            return
        self._reveal.stop()
        for widget in (self.task_label, self.progress, self.cancel_button):
            widget.hide()

    def _show_progress(self) -> None:
        if not self.tasks.is_idle():
            for widget in (self.task_label, self.progress, self.cancel_button):
                widget.show()
