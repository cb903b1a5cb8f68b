"""Three orthogonal slices (XY, XZ, YZ) of a (z, y, x) volume with a linked cursor, calibrated
scale bars, the missing wedge on XZ, label overlays and scribbles painted with the mouse."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from insitu_tem.analysis.display import format_length, nice_length
from insitu_tem.analysis.tomo.render import missing_wedge_deg
from insitu_tem.gui.widgets.plot_factory import add_view_box
from insitu_tem.gui.widgets.plot_hint import hint_label

SCRIBBLE_COLOURS = np.array(
    [[0, 0, 0, 0], [255, 60, 60, 255], [255, 220, 0, 255], [60, 255, 60, 255], [200, 0, 255, 255]],
    np.uint8,
)


HINT = "Open a tilt series and Reconstruct: the volume's XY, XZ and YZ slices show here"
"""What the XY view says while there is no volume (no crosshairs then)."""
HINT_SERIES_OPEN = "Reconstruct (Align first): the volume's XY, XZ and YZ slices show here"
"""What it says once a tilt series is open."""
ROW = {"XY": (0, 0), "XZ": (0, 1), "YZ": (0, 2)}
GRID = {"XY": (0, 0), "YZ": (0, 1), "XZ": (2, 0)}


class OrthoSlices(pg.GraphicsLayoutWidget):
    """XY at the cursor's z, XZ at its y, YZ at its x (in a row, or XZ under XY when the widget
    is less than twice as wide as high); clicking a view moves the cursor there, or,
    while ``paint_class`` > 0, paints that class into :attr:`scribbles` (a disc of ``brush_px``;
    dragging paints a stroke).

    ``cursorMoved(z, y, x)`` is emitted on every move (voxel indices), ``scribbled()`` on paint.
    """

    cursorMoved = Signal(int, int, int)
    scribbled = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.volume: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.scribbles: np.ndarray | None = None
        self.paint_class, self.brush_px = 0, 1
        self.voxel_size, self.units, self.tilts_deg = 1.0, "px", ()
        self.cursor = [0, 0, 0]
        self.views, self.images, self.overlays, self.lines = {}, {}, {}, {}
        self.painted, self.bars, self.bar_texts, self.wedge = {}, {}, {}, []
        self.titles, self.grid = {}, False
        for col, name in enumerate(("XY", "XZ", "YZ")):
            view = add_view_box(self, row=0, col=col, lockAspect=True, invertY=True)
            image, overlay = (
                pg.ImageItem(axisOrder="row-major"),
                pg.ImageItem(axisOrder="row-major"),
            )
            overlay.setOpacity(0.35)
            painted = pg.ImageItem(axisOrder="row-major")
            bar = pg.PlotDataItem(pen=pg.mkPen("w", width=3))
            text = pg.TextItem(color="w", anchor=(0.5, 1.0))
            for item in (image, overlay, painted, bar, text):
                view.addItem(item)
            self.painted[name], self.bars[name], self.bar_texts[name] = painted, bar, text
            horizontal, vertical = (
                pg.InfiniteLine(angle=0, pen="y"),
                pg.InfiniteLine(angle=90, pen="y"),
            )
            view.addItem(horizontal)
            view.addItem(vertical)
            image.mouseClickEvent = lambda event, n=name: self._clicked(n, event)
            image.mouseDragEvent = lambda event, n=name: self._dragged(n, event)
            self.views[name], self.images[name], self.overlays[name] = view, image, overlay
            self.lines[name] = (horizontal, vertical)
            self.titles[name] = self.addLabel(name, row=1, col=col)
        for _ in range(4):
            line = pg.PlotDataItem(pen=pg.mkPen("y", width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
            self.views["XZ"].addItem(line)
            self.wedge.append(line)
        self.hint = hint_label(self, HINT)
        self.show_empty()

    def show_empty(self) -> None:
        """No volume: blank views with the hint instead of crosshairs, scale bars and wedge."""
        self.volume = self.labels = self.scribbles = None
        for name in self.views:
            for item in (self.images[name], self.overlays[name], self.painted[name]):
                item.clear()
            self.bars[name].setData([], [])
            self.bar_texts[name].setText("")
        for line in self.wedge:
            line.setData([], [])
        self._show_hint(True)

    def say_series_open(self, opened: bool) -> None:
        """The hint names the next step: open a series, or reconstruct the one open."""
        self.hint.setText(HINT_SERIES_OPEN if opened else HINT)

    def _show_hint(self, shown: bool) -> None:
        self.hint.setVisible(shown)
        for line in (line for pair in self.lines.values() for line in pair):
            line.setVisible(not shown)
        self._fit_hint()

    def _fit_hint(self) -> None:
        """The hint over the XY view (the top left third, or quarter in the grid)."""
        columns, rows = (2, 2) if self.grid else (3, 1)
        self.hint.setGeometry(0, 0, self.width() // columns, self.height() // rows)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Three in a row when the widget is wide, XY/YZ over XZ when it is squarer (each view
        larger)."""
        super().resizeEvent(event)
        grid = self.width() < 2 * self.height()
        if len(getattr(self, "titles", ())) == 3 and grid != self.grid:
            self.grid = grid
            for name in ROW:
                self.ci.removeItem(self.views[name])
                self.ci.removeItem(self.titles[name])
            for name, (row, col) in (GRID if grid else ROW).items():
                self.ci.addItem(self.views[name], row=row, col=col)
                self.ci.addItem(self.titles[name], row=row + 1, col=col)
        if hasattr(self, "hint"):
            self._fit_hint()

    def set_volume(
        self, volume: np.ndarray, *, voxel_size: float = 1.0, units: str = "px", tilts_deg=()
    ) -> None:
        """Show a new volume (calibrated voxels, tilts for the wedge) with the cursor at its
        centre."""
        self.volume, self.labels = volume, None
        self.scribbles = np.zeros(volume.shape, np.uint8)
        self.voxel_size, self.units, self.tilts_deg = voxel_size, units, tuple(tilts_deg)
        self._show_hint(False)
        self.set_cursor(*(s // 2 for s in volume.shape))
        for name, view in self.views.items():
            view.setRange(self.images[name].boundingRect(), padding=0.02)

    def scale_bar_text(self, name: str) -> str:
        return self.bar_texts[name].toPlainText()

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
            self._draw_bar(name, plane.shape)
        self._draw_wedge(planes["XZ"].shape)

    def _draw_bar(self, name: str, shape: tuple[int, int]) -> None:
        length = nice_length(shape[1] * self.voxel_size)
        bar = length / self.voxel_size
        x0, y0 = 0.05 * shape[1], 0.93 * shape[0]
        self.bars[name].setData([x0, x0 + bar], [y0, y0])
        self.bar_texts[name].setText(format_length(length, self.units))
        self.bar_texts[name].setPos(x0 + bar / 2, y0 - 0.01 * shape[0])

    def _draw_wedge(self, shape: tuple[int, int]) -> None:
        if not self.tilts_deg:
            return
        centre = np.array([shape[0] / 2, shape[1] / 2])
        reach = 0.5 * min(shape)
        ends = [(a, s) for a in np.deg2rad(missing_wedge_deg(self.tilts_deg)) for s in (1, -1)]
        for line, (angle, sign) in zip(self.wedge, ends):
            end = centre + sign * reach * np.array([np.cos(angle), np.sin(angle)])
            line.setData([centre[1], end[1]], [centre[0], end[0]])

    def _plane_of(self, array: np.ndarray, name: str) -> np.ndarray:
        z, y, x = self.cursor
        return {"XY": array[z], "XZ": array[:, y, :], "YZ": array[:, :, x]}[name]

    def _draw_overlay(self, name: str) -> None:
        if self.scribbles is not None:
            self.painted[name].setImage(
                SCRIBBLE_COLOURS[np.clip(self._plane_of(self.scribbles, name), 0, 4)]
            )
        if self.labels is None:
            self.overlays[name].clear()
            return
        plane = self._plane_of(self.labels, name)
        colours = np.array(
            [[0, 0, 0, 0], [0, 200, 255, 255], [255, 120, 0, 255], [0, 255, 0, 255]], np.uint8
        )
        self.overlays[name].setImage(colours[np.clip(plane, 0, 3)])

    def paint(self, name: str, row: float, col: float) -> None:
        """Paint ``paint_class`` in a disc of ``brush_px`` around (row, col) of view ``name``."""
        if self.scribbles is None or self.paint_class <= 0:
            return
        plane = self._plane_of(self.scribbles, name)
        rr, cc = np.ogrid[: plane.shape[0], : plane.shape[1]]
        disc = (rr - row) ** 2 + (cc - col) ** 2 <= self.brush_px**2
        plane[disc] = self.paint_class
        self._draw_overlay(name)
        self.scribbled.emit()

    def _dragged(self, name: str, event) -> None:
        if self.paint_class <= 0:
            event.ignore()
            return
        event.accept()
        self.paint(name, event.pos().y() - 0.5, event.pos().x() - 0.5)

    def _clicked(self, name: str, event) -> None:
        if self.paint_class > 0:
            self.paint(name, event.pos().y() - 0.5, event.pos().x() - 0.5)
            event.accept()
            return
        row, col = int(event.pos().y()), int(event.pos().x())
        z, y, x = self.cursor
        moved = {"XY": (z, row, col), "XZ": (row, y, col), "YZ": (row, col, x)}[name]
        self.set_cursor(*moved)
        event.accept()
