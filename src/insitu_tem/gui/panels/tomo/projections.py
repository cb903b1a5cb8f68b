"""The Tomography panel's projection viewer: one tilt of the series (or the sinogram of the middle
row), raw or aligned, with the tilt slider and its angle."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget


class ProjectionView(QWidget):
    """A tilt series' projections with a tilt slider, *Aligned* and *Sinogram* switches."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._projection: pg.ImageView | None = None
        self._series = None
        self._aligned: np.ndarray | None = None
        self._box = QWidget()
        QVBoxLayout(self._box).setContentsMargins(0, 0, 0, 0)
        self.tilt_slider = QSlider(Qt.Orientation.Horizontal)
        self.tilt_slider.setMinimumWidth(120)
        self.tilt_label = QLabel("")
        self.show_aligned = QCheckBox("Aligned")
        self.show_sinogram = QCheckBox("Sinogram")
        self.tilt_slider.setToolTip("Projection shown: tilt angle, degrees")
        self.show_aligned.setToolTip("Show the projections after alignment (shifts and tilt axis)")
        self.show_sinogram.setToolTip("Show the sinogram of the middle row (tilt × column, px)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._box, 1)
        tilt = QHBoxLayout()
        for widget in (self.tilt_slider, self.tilt_label, self.show_aligned, self.show_sinogram):
            tilt.addWidget(widget, 1 if widget is self.tilt_slider else 0)
        layout.addLayout(tilt)
        for box in (self.show_aligned, self.show_sinogram):
            box.toggled.connect(lambda _v: self._show())
        self.tilt_slider.valueChanged.connect(lambda _v: self._show())

    @property
    def projection(self) -> pg.ImageView:
        """The image viewer, built when first shown: pyqtgraph's colour-map menu imports
        matplotlib.pyplot (about 1 s of CPU), which a session without a tilt series never needs."""
        if self._projection is None:
            self._projection = pg.ImageView()
            self._box.layout().addWidget(self._projection)
        return self._projection

    def set_series(self, series, aligned: np.ndarray | None) -> None:
        """A new tilt series and its aligned projections (None: not aligned); the slider goes to
        the lowest tilt."""
        self._series, self._aligned = series, aligned
        tilts = series.tilts_deg
        self.tilt_slider.blockSignals(True)
        self.tilt_slider.setRange(0, tilts.size - 1)
        self.tilt_slider.setValue(int(np.argmin(np.abs(tilts))))
        self.tilt_slider.blockSignals(False)
        self._show()

    def set_aligned(self, aligned: np.ndarray | None) -> None:
        """The aligned projections (None: not aligned); shown when there are some."""
        self._aligned = aligned
        self.show_aligned.blockSignals(True)
        self.show_aligned.setChecked(aligned is not None)
        self.show_aligned.blockSignals(False)
        self._show()

    def _show(self) -> None:
        if self._series is None:
            return
        index = self.tilt_slider.value()
        use_aligned = self.show_aligned.isChecked() and self._aligned is not None
        stack = self._aligned if use_aligned else self._series.reference
        if self.show_sinogram.isChecked():
            image = stack[:, stack.shape[1] // 2, :]
            self.tilt_label.setText(f"sinogram, row {stack.shape[1] // 2}")
        else:
            image = stack[index]
            self.tilt_label.setText(f"{self._series.tilts_deg[index]:+.1f}°")
        self.projection.setImage(image.T, autoLevels=True)
