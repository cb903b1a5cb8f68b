"""Stacked plots of log channels against movie time, with a draggable frame cursor and note
markers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from insitu_tem.gui.widgets.legend_placement import legends_beside
from insitu_tem.gui.widgets.plot_factory import add_plot
from insitu_tem.gui.widgets.plot_hint import hint_label

CURSOR_PEN = pg.mkPen("#00e5ff", width=2)
NOTE_PEN = pg.mkPen("#aaaaaa", style=Qt.PenStyle.DashLine)
TRACE_PEN = pg.mkPen("#ffcc33", width=1.5)
NO_TRACES = (
    "Open a holder log (Open Log…) and a movie: the log's channels plot here against movie time"
)
LABEL_FILL = pg.mkBrush(0, 0, 0, 200)
LABEL_GAP_PX = 4
"""Space between an event's line and its label: the frame cursor on the event leaves it whole."""
CURSOR_Z, NOTE_Z = 10, 11
"""Notes above the cursor: a cursor dragged across an event's label passes behind it."""


def note_line(time_s: float, text: str) -> pg.InfiniteLine:
    """A dashed line at an event's time with its label beside it, on a dark ground, a few px
    off the line (to its right, or left near the right edge), over the traces and the cursor."""
    line = pg.InfiniteLine(
        time_s,
        pen=NOTE_PEN,
        label=text,
        labelOpts={"position": 0.9, "color": "#cccccc", "fill": LABEL_FILL},
    )
    gap = LABEL_GAP_PX / max(line.label.boundingRect().width(), 1.0)
    line.label.anchors = [(-gap, 0.5), (1 + gap, 0.5)]
    line.label.updatePosition()
    line.setZValue(NOTE_Z)
    return line


class TimelinePlots(pg.GraphicsLayoutWidget):
    """One plot per channel (own y axis and units), x linked, movie time in s; the channel's
    name is in a legend beside the plot, right of its data (a title row would take a third of a
    plot's height in a 1280×800 window, and a periodic trace, a cycling bias, leaves no corner
    of the data empty).

    ``cursorDragged(time_s)`` while the user drags any cursor; ``timeClicked(time_s)`` on a click.
    """

    cursorDragged = Signal(float)
    timeClicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hint = hint_label(self, NO_TRACES, margin_px=12)
        self.setMinimumHeight(120)
        self.plot_items: list[pg.PlotItem] = []
        self.cursors: list[pg.InfiniteLine] = []
        self.names: list[str] = []
        self.scene().sigMouseClicked.connect(self._on_click)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The hint covers the plots (pyqtgraph calls this while the widget is being built)."""
        super().resizeEvent(event)
        if hasattr(self, "hint"):
            self.hint.setGeometry(self.rect())

    def show_traces(
        self,
        traces: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray | None]],
        notes: list[tuple[float, str]],
        cursor_s: float | None,
        *,
        hint: str = NO_TRACES,
        clock: str = "movie time",
    ) -> None:
        """Draw ``traces`` = [(name, units, time_s, values, sigma or None)] against ``clock``
        (s), notes at their times and the frame cursor at ``cursor_s`` (None: no movie, no
        cursor); none: ``hint`` says how to fill the plots."""
        self.clear()
        self.hint.setText(hint)
        self.hint.setVisible(not traces)
        self.plot_items, self.cursors = [], []
        self.names = [trace[0] for trace in traces]
        for row, (name, units, time_s, values, sigma) in enumerate(traces):
            plot = add_plot(self, row=row, col=0)
            plot.setLabel("left", units=units or None)
            plot.getAxis("left").setWidth(56)
            plot.getAxis("bottom").setStyle(showValues=row == len(traces) - 1)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.plot(time_s, values, pen=TRACE_PEN, name=name)
            if sigma is not None and np.isfinite(sigma).any():
                band = pg.FillBetweenItem(
                    pg.PlotDataItem(time_s, values - sigma),
                    pg.PlotDataItem(time_s, values + sigma),
                    brush=(255, 204, 51, 60),
                )
                plot.addItem(band)
            for time, text in notes if row == 0 else ():
                plot.addItem(note_line(time, text))
            if cursor_s is not None:
                self._add_cursor(plot, cursor_s)
            self.plot_items.append(plot)
        legends_beside(self.plot_items)
        for plot in self.plot_items[1:]:
            plot.setXLink(self.plot_items[0])
        if self.plot_items:
            self.plot_items[-1].setLabel("bottom", clock, units="s")

    def _add_cursor(self, plot: pg.PlotItem, time_s: float) -> None:
        cursor = pg.InfiniteLine(time_s, movable=True, pen=CURSOR_PEN)
        cursor.setZValue(CURSOR_Z)
        cursor.sigDragged.connect(lambda line: self._on_drag(line))
        plot.addItem(cursor)
        self.cursors.append(cursor)

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
