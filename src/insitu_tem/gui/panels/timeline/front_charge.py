"""Front position against the charge passed, with a draggable position picker and the readout of
the charge when the front reaches it (and the Li per formula unit behind the front there)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from insitu_tem.gui.widgets.plot_factory import plot_widget

PICK_PEN = pg.mkPen("#00e5ff", width=2)
POINT_BRUSH = pg.mkBrush("#ffcc33")


class FrontChargeView(QWidget):
    """``targetPicked(position)`` when the user drags the picker line or types a position."""

    targetPicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = plot_widget()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "charge passed", units="C")
        self.points = pg.ErrorBarItem(pen=pg.mkPen("#ffcc33", width=1))
        self.curve = self.plot.plot(
            [], [], pen=None, symbol="o", symbolSize=5, symbolBrush=POINT_BRUSH
        )
        self.plot.addItem(self.points)
        self.picker = pg.InfiniteLine(0.0, angle=0, movable=True, pen=PICK_PEN)
        self.crossing = pg.InfiniteLine(
            0.0, angle=90, pen=pg.mkPen("#00e5ff", style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.picker)
        self.plot.addItem(self.crossing)
        self.crossing.setVisible(False)
        self.target = QDoubleSpinBox()
        self.target.setRange(-1e9, 1e9)
        self.target.setDecimals(2)
        self.target.setToolTip("Front position to read the charge at (or drag the line)")
        self.readout = QLabel(
            "Track the front in the movie panel to see its position against the charge."
        )
        self.readout.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Front reaches"))
        bar.addWidget(self.target)
        bar.addWidget(self.readout, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)
        self.picker.sigPositionChangeFinished.connect(lambda line: self._picked(line.value()))
        self.target.editingFinished.connect(lambda: self._picked(self.target.value()))

    def show_track(
        self, charge_C: np.ndarray, position: np.ndarray, sigma: np.ndarray, units: str
    ) -> None:
        """Plot the front ``position`` (± ``sigma``, in ``units``) against the charge (C)."""
        keep = np.isfinite(charge_C) & np.isfinite(position)
        x, y, s = charge_C[keep], position[keep], np.nan_to_num(sigma[keep])
        self.curve.setData(x, y)
        self.points.setData(x=x, y=y, height=2 * s)
        self.plot.setLabel("left", "front position", units=units)
        self.target.setSuffix(f" {units}")
        if y.size:
            middle = float(np.median(y))
            self.picker.setValue(middle)
            self.target.setValue(middle)

    def clear(self, message: str) -> None:
        self.curve.setData([], [])
        self.points.setData(x=np.array([]), y=np.array([]), height=np.array([]))
        self.crossing.setVisible(False)
        self.readout.setText(message)

    def show_crossing(self, text: str, charge_C: float) -> None:
        self.readout.setText(text)
        self.crossing.setVisible(bool(np.isfinite(charge_C)))
        if np.isfinite(charge_C):
            self.crossing.setValue(charge_C)

    def _picked(self, position: float) -> None:
        self.picker.blockSignals(True)
        self.picker.setValue(position)
        self.picker.blockSignals(False)
        self.target.blockSignals(True)
        self.target.setValue(position)
        self.target.blockSignals(False)
        self.targetPicked.emit(float(position))
