"""Stacked plots of log channels against movie time, with a draggable frame cursor and note
markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from insitu_tem.gui.widgets.legend_placement import LegendPlacement
from insitu_tem.gui.widgets.plot_factory import add_plot

CURSOR_PEN = pg.mkPen("#00e5ff", width=2)
NOTE_PEN = pg.mkPen("#aaaaaa", style=Qt.PenStyle.DashLine)
TRACE_PEN = pg.mkPen("#ffcc33", width=1.5)


class TimelinePlots(pg.GraphicsLayoutWidget):
    """One plot per channel (own y axis and units), x linked, movie time in s; the channel's
    name is in a legend in the plot's emptiest corner (a title row would take a third of a plot's
    height in a 1280×800 window).

    ``cursorDragged(time_s)`` while the user drags any cursor; ``timeClicked(time_s)`` on a click.
    """

    cursorDragged = Signal(float)
    timeClicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(120)
        self.plot_items: list[pg.PlotItem] = []
        self.cursors: list[pg.InfiniteLine] = []
        self.names: list[str] = []
        self.placements: list[LegendPlacement] = []
        self.scene().sigMouseClicked.connect(self._on_click)

    def show_traces(
        self,
        traces: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray | None]],
        notes: list[tuple[float, str]],
        cursor_s: float,
    ) -> None:
        """Draw ``traces`` = [(name, units, time_s, values, sigma or None)], notes at their
        times."""
        self.clear()
        self.plot_items, self.cursors, self.placements = [], [], []
        self.names = [trace[0] for trace in traces]
        for row, (name, units, time_s, values, sigma) in enumerate(traces):
            plot = add_plot(self, row=row, col=0)
            plot.addLegend(labelTextSize="9pt", verSpacing=-6)
            plot.setLabel("left", units=units or None)
            plot.getAxis("left").setWidth(56)
            plot.getAxis("bottom").setStyle(showValues=row == len(traces) - 1)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.plot(time_s, values, pen=TRACE_PEN, name=name)
            self.placements.append(LegendPlacement(plot))
            if sigma is not None and np.isfinite(sigma).any():
                band = pg.FillBetweenItem(
                    pg.PlotDataItem(time_s, values - sigma),
                    pg.PlotDataItem(time_s, values + sigma),
                    brush=(255, 204, 51, 60),
                )
                plot.addItem(band)
            for time, text in notes if row == 0 else ():
                plot.addItem(
                    pg.InfiniteLine(
                        time,
                        pen=NOTE_PEN,
                        label=text,
                        labelOpts={"position": 0.9, "color": "#cccccc"},
                    )
                )
            cursor = pg.InfiniteLine(cursor_s, movable=True, pen=CURSOR_PEN)
            cursor.sigDragged.connect(lambda line: self._on_drag(line))
            plot.addItem(cursor)
            self.plot_items.append(plot)
            self.cursors.append(cursor)
        for plot in self.plot_items[1:]:
            plot.setXLink(self.plot_items[0])
        if self.plot_items:
            self.plot_items[-1].setLabel("bottom", "movie time", units="s")

    def set_cursor(self, time_s: float) -> None:
        for cursor in self.cursors:
            cursor.blockSignals(True)
            cursor.setValue(time_s)
            cursor.blockSignals(False)

    def _on_drag(self, line: pg.InfiniteLine) -> None:
        time = float(line.value())
        self.set_cursor(time)
        self.cursorDragged.emit(time)

    def _on_click(self, event) -> None:
        for plot in self.plot_items:
            if plot.sceneBoundingRect().contains(event.scenePos()):
                self.timeClicked.emit(float(plot.vb.mapSceneToView(event.scenePos()).x()))
                return
