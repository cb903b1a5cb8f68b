"""NBD panel: the diffraction pattern at the probe position chosen along the line scan."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...data.model import Axis, Dataset
from ..state import AppState
from ..tasks import TaskRunner
from ..widgets.image_view import CalibratedImageView
from ..widgets.navigator import Navigator


class NbdPanel(QWidget):
    """Log-scaled pattern with a navigator along the calibrated scan position."""

    title = "NBD"
    role = "nbd"

    def __init__(self, state: AppState, tasks: TaskRunner, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.view = CalibratedImageView()
        self.view.set_log(True)
        self.navigator = Navigator("Probe")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.navigator)
        self.navigator.index_changed.connect(state.set_scan_index)
        state.scan_index_changed.connect(self._show_pattern)
        self.view.hovered.connect(state.report_cursor)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a pattern series (or one pattern) from the current probe index."""
        self.dataset = dataset
        nav = dataset.navigation_axes
        self.navigator.set_axis(nav[0] if len(nav) == 1 else Axis("position", dataset.n_items))
        self.view.set_frame(dataset.frame(0), axes=dataset.signal_axes, auto_range=True)
        self._show_pattern(self.state.scan_index)

    def _show_pattern(self, index: int) -> None:
        if self.dataset is None:
            return
        index = min(index, self.dataset.n_items - 1)
        self.view.set_frame(self.dataset.frame(index))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
