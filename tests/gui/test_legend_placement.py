"""A legend moves to the corner of its plot where it hides no data: a line falling from the top left
sends it to the top right; with points in the top right too, to the bottom left. A short plot's
legend is one row above the data, two when the plot is too narrow for one."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.widgets.legend_placement import (
    LEGEND_ROW_PX,
    MARGIN_PX,
    LegendPlacement,
    fit_legend_rows,
    legend_above,
)


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    widget.addLegend(offset=(10, 10))
    qtbot.addWidget(widget)
    widget.resize(500, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_legend_keeps_off_the_data(qtbot, plot):
    t = np.linspace(0, 1, 400)
    plot.plot(t, 1 - t, name="fit", pen="y")
    points = plot.plot(t[::20], 1 - t[::20], pen=None, symbol="o", name="automatic")
    placement = LegendPlacement(plot.getPlotItem())
    QApplication.processEvents()
    assert placement.covered((0, 0)) > 0 and placement.covered((1, 1)) > 0
    assert placement.corner == (1, 0) and not covers_any(plot)
    points.setData(np.r_[t[::20], [0.9, 0.95, 1.0]], np.r_[1 - t[::20], [1.0, 1.0, 1.0]])
    placement.place()
    QApplication.processEvents()
    assert placement.corner == (0, 1) and not covers_any(plot)


def covers_any(plot) -> bool:
    """Whether the legend, as drawn, lies over any data point."""
    item = plot.getPlotItem()
    rect = item.legend.mapRectToItem(item.vb, item.legend.boundingRect())
    for data in item.listDataItems():
        for x, y in zip(*data.getData()):
            if rect.contains(item.vb.mapFromView(pg.Point(x, y))):
                return True
    return False


def test_a_short_plot_has_its_legend_in_one_row_above_the_data(qtbot):
    widget = pg.PlotWidget()
    legend = legend_above(widget.getPlotItem())
    qtbot.addWidget(widget)
    widget.resize(400, 120)
    for name in ("automatic", "manual", "fit"):
        widget.plot([0, 1], [0, 1], name=name)
    widget.show()
    qtbot.waitExposed(widget)
    rect, data = legend.sceneBoundingRect(), widget.getPlotItem().vb.sceneBoundingRect()
    assert len(legend.items) == 3 and rect.height() <= LEGEND_ROW_PX + 1
    assert rect.bottom() <= data.top() and not rect.intersects(data)
    widget.resize(200, 160)
    qtbot.waitUntil(lambda: widget.width() == 200, timeout=2000)
    QApplication.processEvents()
    assert fit_legend_rows(widget.getPlotItem()) >= 2
    QApplication.processEvents()
    rect, data = legend.sceneBoundingRect(), widget.getPlotItem().vb.sceneBoundingRect()
    assert rect.bottom() <= data.top() + 1 and rect.right() <= widget.width()
    rights = [label.sceneBoundingRect().right() for _, label in legend.items]
    assert max(rights) <= data.right() - MARGIN_PX / 2
