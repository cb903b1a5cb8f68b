"""A calibrated image view: an ``ImageItem`` placed in physical units, a scale bar,
percentile contrast, colour maps and a calibrated cursor readout."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal

from insitu_tem.analysis.display import percentile_levels
from insitu_tem.core.model import Axis
from insitu_tem.gui.widgets.plot_hint import hint_label
from insitu_tem.gui.widgets.scale_bar import ScaleBar

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

COLORMAPS = ("grey", "viridis", "inferno", "magma", "cividis", "CET-L8")


class CalibratedImageView(pg.GraphicsLayoutWidget):
    """Shows one 2-D frame with calibrated coordinates.

    Signals
    -------
    hovered(str) : readout of the pixel under the mouse (calibrated)
    clicked(float, float) : a left click, as fractional (row, col) pixel indices
    """

    hovered = Signal(str)
    clicked = Signal(float, float)
    value_name = "intensity"
    """What the measuring tools call the values of :attr:`measured_frame`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self.scale_bar = ScaleBar(self.view, "px")
        self.scale_bar.set_visible(False)
        self._axes = (Axis("y", 1), Axis("x", 1))
        self._frame: np.ndarray | None = None
        self._values: np.ndarray | None = None
        self._fixed_levels: tuple[float, float] | None = None
        self._log = False
        self.hint = hint_label(self, margin_px=12)
        self.hint.hide()
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    @property
    def frame(self) -> np.ndarray | None:
        """The frame currently shown (after modulus/log), or None."""
        return self._frame

    @property
    def measured_frame(self) -> np.ndarray | None:
        """The frame's values before the display's log (complex: modulus), or None."""
        return self._values

    @property
    def axes(self) -> tuple[Axis, Axis]:
        return self._axes

    def set_hint(self, text: str) -> None:
        """What the view says while it has no frame (how to fill it)."""
        self.hint.setText(text)
        self.hint.setVisible(self._frame is None)

    def clear_frame(self) -> None:
        """Show no frame, as before any data: the hint (when set) instead of the image (not
        ``clear``, which pyqtgraph's layout widget binds to emptying its layout)."""
        self._frame = self._values = None
        self.image_item.clear()
        self.scale_bar.set_visible(False)
        self.hint.setVisible(bool(self.hint.text()))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if hasattr(self, "hint"):
            self.hint.setGeometry(self.rect())

    def set_log(self, enabled: bool) -> None:
        """Show log(1 + value) (for diffraction patterns and power spectra)."""
        self._log = bool(enabled)

    def set_fixed_levels(self, levels: tuple[float, float] | None) -> None:
        """Fix the display levels; None returns to per-frame percentile contrast."""
        self._fixed_levels = levels
        if self._frame is not None:
            self.image_item.setLevels(levels or percentile_levels(self._frame))

    def set_frame(
        self, frame, *, axes: tuple[Axis, Axis] | None = None, auto_range: bool | None = False
    ) -> None:
        """Show ``frame`` (2-D) placed in the calibrated coordinates of ``axes``.

        The view fits the image when ``auto_range`` is True or the geometry changed; with
        ``auto_range=None`` a new pixel size keeps the same pixels on screen instead.
        """
        data = np.asarray(frame)
        self.hint.hide()
        if np.iscomplexobj(data):
            data = np.abs(data)
        self._values = data
        if self._log:
            data = np.log1p(np.clip(data.astype(np.float32), 0, None))
        self._frame = data
        new_axes = axes or self._axes
        geometry_changed = axes is not None and (
            new_axes != self._axes or data.shape != self._shape()
        )
        rescale = (
            auto_range is None
            and geometry_changed
            and data.shape == self._shape()
            and new_axes[1].scale != self._axes[1].scale
        )
        ratio = new_axes[1].scale / self._axes[1].scale if rescale else 1.0
        self._axes = new_axes
        levels = self._fixed_levels or percentile_levels(data)
        self.image_item.setImage(data, levels=levels, autoLevels=False)
        row, col = self._axes
        self.image_item.setRect(
            QRectF(
                col.offset - col.scale / 2,
                row.offset - row.scale / 2,
                col.scale * data.shape[1],
                row.scale * data.shape[0],
            )
        )
        self.scale_bar.set_visible(col.calibrated)
        self.scale_bar.set_units(col.units)
        if rescale:
            self.view.scaleBy((ratio, ratio), center=QPointF(0.0, 0.0))
        elif auto_range or (geometry_changed and auto_range is not None):
            self.view.autoRange(items=[self.image_item], padding=0)

    def _shape(self) -> tuple[int, int]:
        return (self._axes[0].size, self._axes[1].size)

    def data_to_index(self, point: QPointF) -> tuple[float, float]:
        """Fractional (row, col) pixel index of a point in view coordinates."""
        row, col = self._axes
        return row.to_index(point.y()), col.to_index(point.x())

    def index_to_data(self, row: float, col: float) -> QPointF:
        """View coordinates of a (row, col) pixel index."""
        return QPointF(self._axes[1].to_value(col), self._axes[0].to_value(row))

    def readout(self, row_f: float, col_f: float) -> str:
        """Calibrated text for a pixel: position and value."""
        if self._frame is None:
            return ""
        r, c = int(round(row_f)), int(round(col_f))
        if not (0 <= r < self._frame.shape[0] and 0 <= c < self._frame.shape[1]):
            return ""
        row, col = self._axes
        value = self._frame[r, c]
        return (
            f"x = {col.to_value(col_f):.4g} {col.units}, y = {row.to_value(row_f):.4g} {row.units}"
            f"   (row {r}, col {c})   value {value:.5g}"
        )

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return
        row_f, col_f = self.data_to_index(self.view.mapSceneToView(scene_pos))
        text = self.readout(row_f, col_f)
        if text:
            self.hovered.emit(text)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != pg.QtCore.Qt.MouseButton.LeftButton or event.isAccepted():
            return
        if not self.view.sceneBoundingRect().contains(event.scenePos()):
            return
        row_f, col_f = self.data_to_index(self.view.mapSceneToView(event.scenePos()))
        self.clicked.emit(row_f, col_f)
