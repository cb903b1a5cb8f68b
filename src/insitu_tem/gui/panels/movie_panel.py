"""Movie panel: plays the in situ movie and publishes the current frame to the shared state."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from ...data.model import Axis, Dataset
from ..state import AppState
from ..tasks import TaskRunner
from ..widgets.image_view import CalibratedImageView
from ..widgets.navigator import Navigator


class MoviePanel(QWidget):
    """Frame display with play/pause, frame navigator and timestamp."""

    title = "Movie"
    role = "movie"

    def __init__(self, state: AppState, tasks: TaskRunner, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.view = CalibratedImageView()
        self.navigator = Navigator("Frame")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.fps = QSpinBox()
        self.fps.setRange(1, 240)
        self.fps.setValue(25)
        self.fps.setSuffix(" fps")
        self.time_label = QLabel("—")
        self._timer = QTimer(self)
        controls = QHBoxLayout()
        for widget in (self.play_button, self.fps, self.time_label):
            controls.addWidget(widget)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.navigator)
        layout.addLayout(controls)
        self.navigator.index_changed.connect(state.set_frame)
        state.frame_changed.connect(self._show_frame)
        self.play_button.toggled.connect(self._toggle_play)
        self.fps.valueChanged.connect(lambda fps: self._timer.setInterval(int(1000 / fps)))
        self._timer.timeout.connect(self._advance)
        self.view.hovered.connect(state.report_cursor)
        self.view.clicked.connect(state.set_position)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a movie (or a single image) from its first frame."""
        self.dataset = dataset
        row, col = dataset.signal_axes
        self.navigator.set_axis(dataset.axes[0] if dataset.kind == "movie" else Axis("t", 1))
        self.view.set_frame(dataset.frame(0), axes=(row, col), auto_range=True)
        self._show_frame(self.state.frame if dataset.kind == "movie" else 0)

    def _show_frame(self, index: int) -> None:
        if self.dataset is None:
            return
        index = min(index, self.dataset.n_items - 1)
        self.view.set_frame(self.dataset.frame(index))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
        time = self.state.time_s()
        self.time_label.setText(f"t = {time:.2f} s" if time is not None else f"frame {index + 1}")

    def _toggle_play(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if playing:
            self._timer.start(int(1000 / self.fps.value()))
        else:
            self._timer.stop()

    def _advance(self) -> None:
        if self.dataset is None or self.dataset.n_items < 2:
            return
        self.state.set_frame((self.state.frame + 1) % self.dataset.n_items)
