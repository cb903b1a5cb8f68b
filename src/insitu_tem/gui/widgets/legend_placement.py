"""Plot legends that keep off the data: in a roomy plot the legend moves to the corner where it
covers the fewest data points whenever the data, the range or the size change (laid out in one
column or, where that covers fewer points, more); a short plot gets a one-row legend above its
data area instead, or a column beside it (stacked plots sharing one x axis), where it can hide
nothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

MARGIN_PX = 8
LEGEND_ROW_PX = 22
"""Height of a row of the legend above a short plot."""
CORNERS = ((0, 0), (1, 0), (1, 1), (0, 1))
"""Candidate (x, y) anchors, fractions of the plot: top-left, top-right, bottom-right,
bottom-left."""


def data_points_px(plot: pg.PlotItem) -> np.ndarray:
    """Every finite data point of the plot's curves and scatters, (x, y) px in the view box."""
    transform = plot.vb.childTransform()
    points = []
    for item in plot.listDataItems():
        x, y = item.getData()
        if x is None or len(x) == 0:
            continue
        xy = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
        xy = xy[np.isfinite(xy).all(axis=1)]
        px = transform.m11() * xy[:, 0] + transform.m21() * xy[:, 1] + transform.dx()
        py = transform.m12() * xy[:, 0] + transform.m22() * xy[:, 1] + transform.dy()
        points.append(np.column_stack([px, py]))
    return np.concatenate(points) if points else np.zeros((0, 2))


class LegendPlacement:
    """Keeps ``plot``'s legend in its emptiest corner.

    Parameters
    ----------
    plot : pyqtgraph.PlotItem
        A plot with a legend (``addLegend``).
    columns : tuple of int
        Column counts to try, in order of preference: a short plot whose one-column legend
        covers the data in every corner may have an empty corner for a wider, shorter one.
    """

    def __init__(self, plot: pg.PlotItem, *, columns: tuple[int, ...] = (1,)) -> None:
        self.plot = plot
        self.columns = columns
        self.corner = CORNERS[0]
        plot.vb.sigRangeChanged.connect(self.place)
        plot.vb.sigResized.connect(self.place)

    def covered(self, corner) -> int:
        """How many data points the legend would cover in ``corner``."""
        legend, box = self.plot.legend, self.plot.vb.rect()
        width, height = legend.boundingRect().width(), legend.boundingRect().height()
        left = box.left() + MARGIN_PX if corner[0] == 0 else box.right() - MARGIN_PX - width
        top = box.top() + MARGIN_PX if corner[1] == 0 else box.bottom() - MARGIN_PX - height
        points = data_points_px(self.plot)
        inside = (
            (points[:, 0] > left - 4)
            & (points[:, 0] < left + width + 4)
            & (points[:, 1] > top - 4)
            & (points[:, 1] < top + height + 4)
        )
        return int(inside.sum())

    def place(self, *_args) -> None:
        """Move the legend to the corner covering the fewest points (the first such corner, in
        the first such column count)."""
        legend = self.plot.legend
        if legend is None:
            return
        choices = []
        for columns in self.columns:
            legend.setColumnCount(columns)
            choices += [(self.covered(corner), columns, corner) for corner in CORNERS]
        _, columns, self.corner = min(choices, key=lambda choice: choice[0])
        legend.setColumnCount(columns)
        offset = tuple(MARGIN_PX if c == 0 else -MARGIN_PX for c in self.corner)
        self.plot.legend.anchor(itemPos=self.corner, parentPos=self.corner, offset=offset)


def legend_above(plot: pg.PlotItem) -> pg.LegendItem:
    """Give ``plot`` a legend in its title row, above the data (curves added with a ``name`` join
    it, as with ``addLegend``): one row when the entries fit the plot's width, more rows when the
    plot is narrow. The plot must have no title."""
    legend = pg.LegendItem(colCount=6, labelTextSize="8pt", verSpacing=-8, horSpacing=4)
    legend.layout.setContentsMargins(0, 0, MARGIN_PX, 0)
    legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    legend.setMinimumWidth(0)
    plot.layout.removeItem(plot.titleLabel)
    plot.titleLabel.hide()
    plot.layout.addItem(legend, 0, 1)
    plot.layout.setRowFixedHeight(0, LEGEND_ROW_PX)
    plot.legend = legend
    plot.vb.sigResized.connect(lambda *_: fit_legend_rows(plot))
    return legend


def fit_legend_rows(plot: pg.PlotItem) -> int:
    """As many legend entries per row as the plot's width holds (each column as wide as its widest
    entry); returns the number of rows."""
    legend = plot.legend
    if not legend.items:
        return 1
    entries = [20 + label.item.boundingRect().width() + 8 for _, label in legend.items]
    columns = next(
        (
            n
            for n in range(len(entries), 1, -1)
            if sum(max(entries[c::n]) for c in range(n)) <= plot.vb.width() - MARGIN_PX
        ),
        1,
    )
    rows = int(np.ceil(len(entries) / columns))
    legend.setColumnCount(columns)
    plot.layout.setRowFixedHeight(0, LEGEND_ROW_PX * rows)
    return rows


def legends_beside(plots: list[pg.PlotItem]) -> None:
    """Give each of ``plots`` (no legend yet) a legend of its named curves in a column right of
    its data area, top-aligned, as wide in every plot as the widest legend: stacked plots with
    linked x axes keep their data areas aligned, and data that leaves no corner empty (a periodic
    trace) is never hidden."""
    for plot in plots:
        legend = pg.LegendItem(labelTextSize="9pt", verSpacing=-6)
        legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for item in plot.listDataItems():
            if item.name():
                legend.addItem(item, item.name())
        plot.layout.addItem(legend, 2, 3)
        plot.layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        plot.legend = legend
    width = max((plot.legend.boundingRect().width() for plot in plots), default=0.0)
    for plot in plots:
        plot.layout.setColumnFixedWidth(3, width + MARGIN_PX)
