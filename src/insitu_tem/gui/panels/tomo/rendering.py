"""Volume rendering view: the CPU rendering of :mod:`insitu_tem.analysis.tomo.render` turned about
the tilt axis with a slider (no OpenGL needed: works offscreen and over remote desktops)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from insitu_tem.analysis.tomo.render import MODES, render_volume
from insitu_tem.gui.widgets.plot_factory import add_view_box
from insitu_tem.gui.widgets.plot_hint import hint_label

TURNED = "the volume shows here, turned about the tilt axis with the slider below"
HINT = f"Open a tilt series and Reconstruct: {TURNED}"
HINT_SERIES_OPEN = f"Reconstruct (Align first): {TURNED}"


class RenderView(QWidget):
    """A rendering of the volume at the slider's angle (−90…90°) in the chosen mode."""

    rendered = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.volume: np.ndarray | None = None
        self.image: np.ndarray | None = None
        self.plot = pg.GraphicsLayoutWidget()
        self.view = add_view_box(self.plot, lockAspect=True, invertY=True)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.angle = QSlider(Qt.Orientation.Horizontal)
        self.angle.setRange(-90, 90)
        self.angle_label = QLabel("+0°")
        self.mode = QComboBox()
        self.mode.addItems(MODES)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Rendering"))
        row.addWidget(self.angle, 1)
        row.addWidget(self.angle_label)
        row.addWidget(self.mode)
        layout.addLayout(row)
        self.angle.valueChanged.connect(lambda _v: self._draw())
        self.mode.currentTextChanged.connect(lambda _m: self._draw())
        self.hint = hint_label(self.plot, HINT, margin_px=12)
        self._draw()

    def say_series_open(self, opened: bool) -> None:
        """The hint names the next step: open a series, or reconstruct the one open."""
        self.hint.setText(HINT_SERIES_OPEN if opened else HINT)

    def set_volume(self, volume: np.ndarray | None) -> None:
        self.volume = volume
        self._draw()
        self.view.autoRange()

    def _draw(self) -> None:
        self.angle_label.setText(f"{self.angle.value():+d}°")
        self.hint.setVisible(self.volume is None)
        if self.volume is None:
            self.item.clear()
            return
        self.image = render_volume(self.volume, self.angle.value(), mode=self.mode.currentText())
        self.item.setImage(self.image, autoLevels=True)
        self.rendered.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The hint covers the view."""
        super().resizeEvent(event)
        self.hint.setGeometry(self.plot.rect())
