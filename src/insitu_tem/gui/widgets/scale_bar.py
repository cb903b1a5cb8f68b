"""A calibrated scale bar drawn in the view's data coordinates, re-sized on zoom."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from insitu_tem.analysis.display import format_length, nice_length

LABEL_FILL = pg.mkBrush(0, 0, 0, 170)
"""Dark ground under the length: white text stays legible over a bright image."""


class ScaleBar(pg.GraphicsObject):
    """A white bar with its length (on a dark ground) in the lower-right corner of a ViewBox.

    The bar lives in data coordinates (the image is placed in calibrated
    units), so its on-screen length is exactly its calibrated length.
    """

    def __init__(self, view_box: pg.ViewBox, units: str) -> None:
        super().__init__()
        self._view_box = view_box
        self.units = units
        self.length = 0.0
        self._bar = pg.QtWidgets.QGraphicsRectItem()
        self._bar.setBrush(pg.mkBrush("w"))
        self._bar.setPen(pg.mkPen(QColor(0, 0, 0), width=1))
        self._label = pg.TextItem(color="w", anchor=(0.5, 1.0), fill=LABEL_FILL)
        font = self._label.textItem.font()
        font.setPointSize(10)
        font.setBold(True)
        self._label.setFont(font)
        view_box.addItem(self._bar, ignoreBounds=True)
        view_box.addItem(self._label, ignoreBounds=True)
        view_box.sigRangeChanged.connect(self.update_geometry)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return QRectF()

    def paint(self, *args) -> None:
        return None

    def set_units(self, units: str) -> None:
        self.units = units
        self.update_geometry()

    def update_geometry(self, *args) -> None:
        (x0, x1), (y0, y1) = self._on_image()
        width, height = x1 - x0, y1 - y0
        if width <= 0 or height <= 0:
            return
        self.length = nice_length(width)
        inverted = self._view_box.yInverted()
        bottom = y1 - 0.05 * height if inverted else y0 + 0.05 * height
        view_height = abs(self._view_box.viewRange()[1][1] - self._view_box.viewRange()[1][0])
        thickness = 0.012 * view_height
        right = x1 - 0.05 * width
        top = bottom - thickness if inverted else bottom
        self._bar.setRect(QRectF(right - self.length, top, self.length, thickness))
        label_y = top - 0.01 * view_height if inverted else top + thickness + 0.01 * view_height
        self._label.setText(format_length(self.length, self.units))
        self._label.setPos(QPointF(right - self.length / 2, label_y))

    def _on_image(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The part of the view the image covers ((x0, x1), (y0, y1), data units; the whole view
        without an image in it): the bar sits on the image, not in the margin beside a narrow
        one."""
        (x0, x1), (y0, y1) = self._view_box.viewRange()
        xs, ys = self._view_box.childrenBounds()
        if xs is None or ys is None:
            return (x0, x1), (y0, y1)
        inside = (max(x0, xs[0]), min(x1, xs[1])), (max(y0, ys[0]), min(y1, ys[1]))
        if inside[0][1] <= inside[0][0] or inside[1][1] <= inside[1][0]:
            return (x0, x1), (y0, y1)
        return inside

    def set_visible(self, visible: bool) -> None:
        self._bar.setVisible(visible)
        self._label.setVisible(visible)
