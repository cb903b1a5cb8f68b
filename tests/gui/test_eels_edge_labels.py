"""Edge labels on the EELS spectrum stay legible: labels closer on screen than a rotated label's
width are written at different heights, and zooming in, where they spread apart, puts them back
on one height."""

import numpy as np
import pytest
from pyqtgraph import Point
from PySide6.QtWidgets import QApplication

from insitu_tem.analysis.eels import edges_in_range
from insitu_tem.gui.panels.eels.spectrum_plot import LABEL_GAP_PX, LABEL_HEIGHTS, EelsSpectrumPlot


@pytest.fixture
def plot(qtbot):
    widget = EelsSpectrumPlot()
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    qtbot.waitExposed(widget)
    energy = np.linspace(-10.0, 92.0, 1024)
    widget.set_spectrum(energy, 1e3 + 1e5 * np.exp(-0.5 * (energy / 0.4) ** 2))
    widget.getPlotItem().vb.autoRange()
    QApplication.processEvents()
    widget.set_markers(edges_in_range(-10.0, 92.0), "W-O23")
    QApplication.processEvents()
    return widget


def crowded_pairs(plot) -> list[tuple[str, str]]:
    """Neighbouring labels closer on screen than LABEL_GAP_PX and written at the same height."""
    vb = plot.getPlotItem().vb
    placed = sorted(
        (
            vb.mapViewToScene(Point(float(m.value()), 0.0)).x(),
            m.label.orthoPos,
            m.label.toPlainText(),
        )
        for m in plot.markers
    )
    return [
        (a[2], b[2])
        for i, a in enumerate(placed)
        for b in placed[i + 1 :]
        if b[0] - a[0] < LABEL_GAP_PX and a[1] == b[1]
    ]


def test_close_edge_labels_are_staggered_and_spread_again_when_zoomed(qtbot, plot):
    labels = plot.marker_labels()
    assert {"Cu M3", "W O1", "Cu M2"} <= set(labels)
    assert crowded_pairs(plot) == []
    heights = {m.label.toPlainText(): m.label.orthoPos for m in plot.markers}
    assert len({heights["Cu M3"], heights["W O1"], heights["Cu M2"]}) > 1
    plot.getPlotItem().vb.setXRange(73.5, 77.0, padding=0)
    QApplication.processEvents()
    assert crowded_pairs(plot) == []
    shown = [m for m in plot.markers if 73.5 <= m.value() <= 77.0]
    assert {m.label.orthoPos for m in shown} == {LABEL_HEIGHTS[0]}
