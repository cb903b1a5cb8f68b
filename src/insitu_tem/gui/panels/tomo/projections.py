"""The Tomography panel's projection viewer: one tilt of the series (or the sinogram of the middle
row), raw or aligned, with the tilt slider and its angle, and the tilt axis of the alignment drawn
through its offset (on the raw projection: at its direction and through that projection's shift;
on the aligned one: along the rows, :mod:`insitu_tem.analysis.tomo.geometry`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from insitu_tem.gui.widgets.plot_hint import HINT_COLOUR

HINT = "Open a tilt series: its projections show here, one tilt at a time"


class ProjectionView(QWidget):
    """A tilt series' projections with a tilt slider, *Aligned* and *Sinogram* switches."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._projection: pg.ImageView | None = None
        self._series = None
        self._aligned: np.ndarray | None = None
        self._alignment = None
        self._axis_line: pg.InfiniteLine | None = None
        self._box = QWidget()
        QVBoxLayout(self._box).setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {HINT_COLOUR}; background: black")
        self._box.layout().addWidget(self.hint)
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
        return self._view()

    def _view(self) -> pg.ImageView:
        if self._projection is None:
            self._projection = pg.ImageView()
            self._projection.getImageItem().setOpts(axisOrder="row-major")
            self._projection.ui.roiBtn.hide()
            self._projection.ui.menuBtn.hide()
            self.hint.hide()
            self._box.layout().addWidget(self._projection)
            self._axis_line = pg.InfiniteLine(
                pen=pg.mkPen("c", width=1, style=Qt.PenStyle.DashLine)
            )
            self._axis_line.setToolTip("Tilt axis of the alignment (direction and offset)")
            self._projection.getView().addItem(self._axis_line)
        return self._projection

    @property
    def axis_line(self) -> pg.InfiniteLine:
        """The tilt axis drawn on the projection (hidden when not aligned or on the sinogram)."""
        self._view()
        return self._axis_line

    def set_series(self, series, aligned: np.ndarray | None, alignment=None) -> None:
        """A new tilt series, its aligned projections and alignment (None: not aligned); the
        slider goes to the lowest tilt."""
        self._series, self._aligned, self._alignment = series, aligned, alignment
        tilts = series.tilts_deg
        self.tilt_slider.blockSignals(True)
        self.tilt_slider.setRange(0, tilts.size - 1)
        self.tilt_slider.setValue(int(np.argmin(np.abs(tilts))))
        self.tilt_slider.blockSignals(False)
        self._show()

    def set_aligned(self, aligned: np.ndarray | None, alignment=None) -> None:
        """The aligned projections and their alignment (None: not aligned); shown when there are
        some."""
        self._aligned, self._alignment = aligned, alignment
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
        self.projection.setImage(image, autoLevels=True)
        self._show_axis(index, image.shape, use_aligned)

    def _show_axis(self, index: int, shape: tuple[int, int], aligned: bool) -> None:
        """The axis through ``centre + shift + offset × across`` at ``90° − φ`` in the view's
        (column, row) coordinates, pixel centres at +0.5; along the rows when aligned."""
        alignment, line = self._alignment, self.axis_line
        line.setVisible(alignment is not None and not self.show_sinogram.isChecked())
        if not line.isVisible():
            return
        phi = 0.0 if aligned else np.deg2rad(alignment.axis_angle_deg)
        shift = np.zeros(2) if aligned else alignment.shifts_px[index]
        offset = alignment.axis_offset_px
        row = (shape[0] - 1) / 2 + shift[0] - offset * np.sin(phi) + 0.5
        col = (shape[1] - 1) / 2 + shift[1] + offset * np.cos(phi) + 0.5
        line.setAngle(90.0 - np.rad2deg(phi))
        line.setPos((col, row))
