"""Three orthogonal slices (XY, XZ, YZ) of a (z, y, x) volume with a linked cursor."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal


class OrthoSlices(pg.GraphicsLayoutWidget):
    """XY at the cursor's z, XZ at its y, YZ at its x; clicking a view moves the cursor there.

    ``cursorMoved(z, y, x)`` is emitted on every move (voxel indices).
    """

    cursorMoved = Signal(int, int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.volume: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.cursor = [0, 0, 0]
        self.views, self.images, self.overlays, self.lines = {}, {}, {}, {}
        for col, name in enumerate(("XY", "XZ", "YZ")):
            view = self.addViewBox(row=0, col=col, lockAspect=True, invertY=True)
            image, overlay = (
                pg.ImageItem(axisOrder="row-major"),
                pg.ImageItem(axisOrder="row-major"),
            )
            overlay.setOpacity(0.35)
            view.addItem(image)
            view.addItem(overlay)
            horizontal, vertical = (
                pg.InfiniteLine(angle=0, pen="y"),
                pg.InfiniteLine(angle=90, pen="y"),
            )
            view.addItem(horizontal)
            view.addItem(vertical)
            image.mouseClickEvent = lambda event, n=name: self._clicked(n, event)
            self.views[name], self.images[name], self.overlays[name] = view, image, overlay
            self.lines[name] = (horizontal, vertical)
            self.addLabel(name, row=1, col=col)

    def set_volume(self, volume: np.ndarray) -> None:
        """Show a new volume with the cursor at its centre."""
        self.volume, self.labels = volume, None
        self.set_cursor(*(s // 2 for s in volume.shape))
        for view in self.views.values():
            view.autoRange()

    def set_labels(self, labels: np.ndarray | None) -> None:
        """Overlay integer labels (same shape as the volume), or None to clear."""
        self.labels = labels
        self._draw()

    def set_cursor(self, z: int, y: int, x: int) -> None:
        if self.volume is None:
            return
        limits = self.volume.shape
        self.cursor = [int(np.clip(v, 0, s - 1)) for v, s in zip((z, y, x), limits)]
        self._draw()
        self.cursorMoved.emit(*self.cursor)

    def planes(self) -> dict[str, np.ndarray]:
        """The three displayed slices: XY (y, x), XZ (z, x), YZ (z, y)."""
        z, y, x = self.cursor
        return {"XY": self.volume[z], "XZ": self.volume[:, y, :], "YZ": self.volume[:, :, x]}

    def _draw(self) -> None:
        if self.volume is None:
            return
        low, high = np.percentile(self.volume, [0.5, 99.5])
        z, y, x = self.cursor
        planes = self.planes()
        positions = {"XY": (y, x), "XZ": (z, x), "YZ": (z, y)}
        for name, plane in planes.items():
            self.images[name].setImage(plane, levels=(low, max(high, low + 1e-6)))
            row, col = positions[name]
            self.lines[name][0].setValue(row + 0.5)
            self.lines[name][1].setValue(col + 0.5)
            self._draw_overlay(name)

    def _draw_overlay(self, name: str) -> None:
        if self.labels is None:
            self.overlays[name].clear()
            return
        z, y, x = self.cursor
        plane = {"XY": self.labels[z], "XZ": self.labels[:, y, :], "YZ": self.labels[:, :, x]}[name]
        colours = np.array(
            [[0, 0, 0, 0], [0, 200, 255, 255], [255, 120, 0, 255], [0, 255, 0, 255]], np.uint8
        )
        self.overlays[name].setImage(colours[np.clip(plane, 0, 3)])

    def _clicked(self, name: str, event) -> None:
        row, col = int(event.pos().y()), int(event.pos().x())
        z, y, x = self.cursor
        moved = {"XY": (z, row, col), "XZ": (row, y, col), "YZ": (row, col, x)}[name]
        self.set_cursor(*moved)
        event.accept()
