"""EELS panel: the spectrum at the probe position chosen along the line scan."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...data.model import Axis, Dataset
from ..state import AppState
from ..tasks import TaskRunner
from ..widgets.navigator import Navigator


class EelsPanel(QWidget):
    """Spectrum plot (counts vs energy loss) with a navigator along the scan."""

    title = "EELS"
    role = "eels"

    def __init__(self, state: AppState, tasks: TaskRunner, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.state, self.tasks, self.undo_stack = state, tasks, undo_stack
        self.dataset: Dataset | None = None
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "Energy loss", units="eV")
        self.plot.setLabel("left", "Counts")
        self.curve = self.plot.plot(pen=pg.mkPen("#ffcc33", width=1.5))
        self.navigator = Navigator("Probe")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.navigator)
        self.navigator.index_changed.connect(state.set_scan_index)
        state.scan_index_changed.connect(self._show_spectrum)

    def set_dataset(self, dataset: Dataset) -> None:
        """Show a spectrum series (or one spectrum) from the current probe index."""
        self.dataset = dataset
        nav = dataset.navigation_axes
        self.navigator.set_axis(nav[0] if len(nav) == 1 else Axis("position", dataset.n_items))
        energy = dataset.signal_axes[0]
        self.plot.setLabel("bottom", "Energy loss" if energy.units == "eV" else "Channel", units=energy.units)
        self._show_spectrum(self.state.scan_index)
        self.plot.autoRange()

    def _show_spectrum(self, index: int) -> None:
        if self.dataset is None:
            return
        index = min(index, self.dataset.n_items - 1)
        self.curve.setData(self.dataset.signal_axes[0].coordinates(), self.dataset.frame(index))
        self.navigator.blockSignals(True)
        self.navigator.set_index(index)
        self.navigator.blockSignals(False)
