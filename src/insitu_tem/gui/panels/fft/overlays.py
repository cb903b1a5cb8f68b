"""Items drawn over the FFT panel's views: spot markers with labels, picked spots,
and the crystalline/amorphous overlay on the frame."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

CRYSTALLINE_RGBA = (40, 220, 90, 90)
AMORPHOUS_RGBA = (230, 60, 200, 70)


class _PassiveScatter(pg.ScatterPlotItem):
    """Markers that never take a click (pyqtgraph offers clicks to every item under the cursor)."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        ev.ignore()


class SpotOverlay:
    """Circles and text labels on automatic spots, filled markers on picked spots.

    Positions are in the view's calibrated coordinates (x = k_col, y = k_row).
    The markers ignore the mouse so a click on a spot reaches the view.
    """

    def __init__(self, view_box: pg.ViewBox) -> None:
        self._view_box = view_box
        self.auto = _PassiveScatter(symbol="o", size=16, pen=pg.mkPen("y", width=1.5), brush=None)
        self.picked = _PassiveScatter(symbol="+", size=18, pen=pg.mkPen("c", width=2.5))
        for item in (self.auto, self.picked):
            item.setZValue(20)
            view_box.addItem(item)
        self.labels: list[pg.TextItem] = []

    def set_spots(self, positions: list[tuple[float, float]], labels: list[str]) -> None:
        """Mark spots at (x, y) view positions with ``labels`` drawn beside them."""
        for label in self.labels:
            self._view_box.removeItem(label)
        self.labels = []
        self.auto.setData(pos=np.asarray(positions, dtype=float).reshape(-1, 2))
        for (x, y), text in zip(positions, labels):
            item = pg.TextItem(text, color="y", anchor=(-0.15, 1.1))
            item.setPos(x, y)
            item.setZValue(21)
            self._view_box.addItem(item)
            self.labels.append(item)

    def set_picked(self, positions: list[tuple[float, float]]) -> None:
        self.picked.setData(pos=np.asarray(positions, dtype=float).reshape(-1, 2))

    def label_texts(self) -> list[str]:
        return [label.toPlainText() for label in self.labels]


class CrystallinityOverlay(pg.ImageItem):
    """Semi-transparent colour map: green crystalline, magenta amorphous."""

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")
        self.setZValue(10)
        self.mask: np.ndarray | None = None

    def set_map(self, mask: np.ndarray, rect: QRectF) -> None:
        """Show the bool ``mask`` (frame-sized) over ``rect`` (view coordinates of the frame)."""
        self.mask = np.asarray(mask, bool)
        rgba = np.empty(self.mask.shape + (4,), np.uint8)
        rgba[self.mask] = CRYSTALLINE_RGBA
        rgba[~self.mask] = AMORPHOUS_RGBA
        self.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.setRect(rect)
