"""Edge labels on the EELS spectrum stay legible: no two labels' rectangles on screen overlap,
every label lies inside the plot (none cut by its top), a label that finds no room is hidden (the
highlighted edge's never), and zooming in, where lines spread apart, writes them on one row."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from insitu_tem.analysis.eels import edges_in_range
from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot


def shown(widget, size=(700, 300)):
    widget.resize(*size)
    QApplication.processEvents()
    widget.getPlotItem().vb.autoRange()
    QApplication.processEvents()
    return widget


@pytest.fixture
def plot(qtbot):
    widget = EelsSpectrumPlot()
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    qtbot.waitExposed(widget)
    energy = np.linspace(-10.0, 92.0, 1024)
    widget.set_spectrum(energy, 1e3 + 1e5 * np.exp(-0.5 * (energy / 0.4) ** 2))
    widget.set_markers(edges_in_range(-10.0, 92.0), "W-O23")
    return shown(widget)


def visible_rects(plot) -> dict:
    """Scene rectangle of every label shown whose line is in view."""
    low, high = plot.getPlotItem().vb.viewRange()[0]
    return {
        m.label.toPlainText(): m.label.sceneBoundingRect()
        for m in plot.markers
        if m.label.isVisible() and low <= m.value() <= high
    }


def overlapping(plot) -> list[tuple[str, str]]:
    rects = sorted(visible_rects(plot).items())
    return [
        (a, b)
        for i, (a, ra) in enumerate(rects)
        for b, rb in rects[i + 1 :]
        if ra.intersected(rb).width() > 0 and ra.intersected(rb).height() > 0
    ]


def outside(plot) -> list[str]:
    view = plot.getPlotItem().vb.sceneBoundingRect().adjusted(-0.5, -0.5, 0.5, 0.5)
    return [name for name, rect in visible_rects(plot).items() if not view.contains(rect)]


@pytest.mark.parametrize(
    "size, roomy",
    [((700, 300), True), ((766, 240), True), ((1150, 330), True), ((500, 160), False)],
)
def test_edge_labels_never_overlap_nor_leave_the_plot(plot, size, roomy):
    shown(plot, size)
    assert overlapping(plot) == []
    assert outside(plot) == []
    assert {"W O3", "W O2"} <= set(visible_rects(plot)) or not roomy


def test_close_labels_near_75_ev_are_all_written_and_one_row_when_zoomed(plot):
    assert {"Cu M3", "W O1", "Cu M2"} <= set(visible_rects(plot))
    rows = {m.label.toPlainText(): m.label.orthoPos for m in plot.markers}
    assert len({rows["Cu M3"], rows["W O1"], rows["Cu M2"]}) > 1
    plot.getPlotItem().vb.setXRange(73.5, 77.0, padding=0)
    QApplication.processEvents()
    assert overlapping(plot) == [] and outside(plot) == []
    near = [m for m in plot.markers if 73.5 <= m.value() <= 77.0]
    assert len(near) >= 3 and all(m.label.isVisible() for m in near)
    assert len({m.label.orthoPos for m in near}) == 1


def test_marker_labels_name_only_the_labels_the_user_sees(plot):
    shown(plot, (500, 160))
    seen = set(visible_rects(plot))
    low, high = plot.getPlotItem().vb.viewRange()[0]
    in_view = {m.label.toPlainText() for m in plot.markers if low <= m.value() <= high}
    assert plot.hidden_labels(), "a 500 x 160 plot has no room for every label"
    assert set(plot.marker_labels()) == seen
    assert set(plot.hidden_labels()) == in_view - seen
    plot.getPlotItem().vb.setXRange(60.0, 92.0, padding=0)
    QApplication.processEvents()
    assert "W O3" not in plot.marker_labels() and "W O3" not in plot.hidden_labels()


def test_a_window_edge_never_crosses_an_edge_label(plot):
    """Where a window's boundary line runs through a label (W N7 beside the background window of
    the sample scan), the label is drawn over the line."""
    region = pg.LinearRegionItem((33.0, 45.0))
    region.setZValue(5)
    plot.addItem(region)
    QApplication.processEvents()
    crossed = 0
    for marker in plot.markers:
        if not marker.label.isVisible():
            continue
        centre = marker.label.sceneBoundingRect().center()
        for line in region.lines:
            line.setValue(plot.getPlotItem().vb.mapSceneToView(centre).x())
            QApplication.processEvents()
            stack = [
                "label" if item is marker.label or marker.label.isAncestorOf(item) else "line"
                for item in plot.scene().items(centre)
                if item is line or item is marker.label or marker.label.isAncestorOf(item)
            ]
            crossed += len(stack) >= 2
            assert stack[0] == "label", (marker.label.toPlainText(), stack)
    assert crossed > 0
