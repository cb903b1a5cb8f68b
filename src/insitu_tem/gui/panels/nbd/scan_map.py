"""The map of a 2-D NBD scan: one value per probe placed at the probe's position in the scan's
calibrated units (axes and a scale bar), a colour bar, probes without a value crossed out on grey,
the current probe outlined; a click picks a probe, the mouse over a probe reads its value.

The image's rectangle is set only once it holds data: the rectangle of an empty ``ImageItem`` is a
degenerate transform that stops the whole view from painting."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QGraphicsRectItem

from insitu_tem.figures.probe_numbers import probe_number, scan_place
from insitu_tem.core.model import Axis
from insitu_tem.gui.panels.nbd.map_quantities import MapValues, value_text
from insitu_tem.gui.widgets.plot_factory import add_plot
from insitu_tem.gui.widgets.scale_bar import ScaleBar

CMAPS = {"grey": "CET-L1", "diverging": "CET-D1", "viridis": "viridis"}
COLOUR_BAR_AXIS_PX = 62
"""Width of the colour bar's axis: its labels are hidden when they do not fit ("1.2e+06")."""


class NbdScanMap(pg.GraphicsLayoutWidget):
    """A (rows, cols) map of a scan's probes.

    Signals
    -------
    index_picked(int) : the user clicked probe ``index`` (row-major: row × cols + col)
    hovered(str) : the probe under the mouse, its position and value
    """

    index_picked = Signal(int)
    hovered = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = add_plot(self, row=0, col=0)
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideButtons()
        self.plot.getViewBox().setBackgroundColor("#1c1c1c")  # a black probe stays visible
        self.backdrop = QGraphicsRectItem()
        self.backdrop.setBrush(pg.mkBrush("#4a4a4a"))
        self.backdrop.setPen(pg.mkPen(None))
        self.plot.addItem(self.backdrop)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.missing = pg.ScatterPlotItem(
            symbol="x", size=10, pen=pg.mkPen("#b0b0b0", width=1.5), brush=None
        )
        self.marker = pg.ScatterPlotItem(
            symbol="s", pxMode=False, pen=pg.mkPen("#00e5ff", width=2.5), brush=None
        )
        for item in (self.missing, self.marker):
            self.plot.addItem(item)
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get("CET-L1"), interactive=False)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        self.colour_bar.axis.setWidth(COLOUR_BAR_AXIS_PX)
        self.scale_bar = ScaleBar(self.plot.getViewBox(), "px")
        self.axes = (Axis("y", 1), Axis("x", 1))
        self.shown: MapValues | None = None
        self.title = ""
        self.current = 0
        self.scene().sigMouseClicked.connect(self._clicked)
        self.scene().sigMouseMoved.connect(self._moved)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the scan."""
        return self.axes[0].size, self.axes[1].size

    def set_scan(self, rows: Axis, cols: Axis) -> None:
        """The scan's row (slow) and column (fast) axes, calibrated."""
        self.axes = (rows, cols)
        units = cols.units if cols.units not in ("", "px") else "probe"
        self.plot.setLabel("bottom", f"x ({units})")
        self.plot.setLabel("left", f"y ({units})")
        self.scale_bar.set_units(cols.units)
        self.scale_bar.set_visible(cols.calibrated)
        step = (abs(rows.scale) or 1.0, abs(cols.scale) or 1.0)
        self.marker.setSize(0.92 * min(step))
        self.backdrop.setRect(self.scan_rect())
        self.clear_values()

    def clear_values(self) -> None:
        """No values (the scan still outlined by its current probe); not ``clear``, which
        pyqtgraph's layout widget binds to removing every item."""
        self.shown = None
        self.image.clear()
        self.missing.setData([], [])
        self.set_current(self.current)

    def show_values(self, values: MapValues, title: str) -> None:
        """Show one value per probe (``values``, row-major), named ``title`` (with units)."""
        self.shown, self.title = values, title
        grid = np.asarray(values.values, float).reshape(self.shape)
        finite = grid[np.isfinite(grid)]
        if values.colours == "diverging":
            top = float(np.max(np.abs(finite))) if finite.size else 1.0
            levels = (-top or -1.0, top or 1.0)
        elif finite.size:
            low, high = float(finite.min()), float(finite.max())
            levels = (low, high if high > low else low + 1.0)
        else:
            levels = (0.0, 1.0)
        self.colour_bar.setColorMap(pg.colormap.get(CMAPS[values.colours]))
        self.image.setImage(grid, autoLevels=False)
        self.colour_bar.setLevels(levels)
        self.image.setRect(self.scan_rect())
        rows, cols = np.nonzero(~np.isfinite(grid))
        row_axis, col_axis = self.axes
        self.missing.setData(
            col_axis.offset + col_axis.scale * cols, row_axis.offset + row_axis.scale * rows
        )
        self.plot.setTitle(title, size="10pt")
        self.plot.autoRange(padding=0.02)

    def scan_rect(self) -> QRectF:
        """The scan's area in its units (a probe's pixel centred on its position)."""
        rows, cols = self.axes
        return QRectF(
            cols.to_value(-0.5), rows.to_value(-0.5), cols.scale * cols.size, rows.scale * rows.size
        )

    def position(self, index: int) -> tuple[float, float]:
        """(x, y) of probe ``index`` in the scan's units."""
        row, col = divmod(int(index), self.shape[1])
        return float(self.axes[1].to_value(col)), float(self.axes[0].to_value(row))

    def set_current(self, index: int) -> None:
        """Outline probe ``index``."""
        self.current = int(index)
        if 0 <= index < self.shape[0] * self.shape[1]:
            x, y = self.position(index)
            self.marker.setData([x], [y])

    def probe_at(self, scene_pos) -> int | None:
        """The probe under the scene point ``scene_pos`` (None: outside the scan)."""
        if not self.plot.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        row = int(round(self.axes[0].to_index(point.y())))
        col = int(round(self.axes[1].to_index(point.x())))
        if not (0 <= row < self.shape[0] and 0 <= col < self.shape[1]):
            return None
        return row * self.shape[1] + col

    def readout(self, index: int) -> str:
        """Probe ``index``: its place in the scan, its position and the value shown."""
        row, col = divmod(index, self.shape[1])
        x, y = self.position(index)
        text = f"probe {probe_number(index)} ({scan_place(row, col)})"
        if self.axes[1].calibrated:
            units = self.axes[1].units
            text += f" at x = {x:.4g} {units}, y = {y:.4g} {units}"
        if self.shown is not None:
            text += f": {self.title.split(' (')[0]} {value_text(self.shown, index)}"
        return text

    def _clicked(self, event) -> None:
        if event.button() != pg.QtCore.Qt.MouseButton.LeftButton:
            return
        index = self.probe_at(event.scenePos())
        if index is not None:
            self.index_picked.emit(index)

    def _moved(self, scene_pos) -> None:
        index = self.probe_at(scene_pos)
        if index is not None:
            self.hovered.emit(self.readout(index))
