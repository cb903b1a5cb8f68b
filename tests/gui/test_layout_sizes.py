"""The window at a laptop's 1280×800 and a desktop's 1920×1200 with the sample project, as a user
sees it: resizing across the quadrant width re-lays the docks out by itself; the NBD scan plots
and EELS profiles keep a usable height with their axis labels whole and no scrolling; the FFT
images are not squeezed into strips; the kinetics legends sit above the data, not on it; the
timeline's traces keep a usable height, and their names and the NBD ring legend hide no data."""

import pytest
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.dock_layout import MIN_DOCK_SIZE
from insitu_tem.gui.panels.eels.profiles import STACK_FROM_HEIGHT_PX
from insitu_tem.gui.widgets.plot_stack import MIN_PLOT_HEIGHT_PX
from tests.gui.test_window_layout_and_keys import settle, shown_docks

QUADRANTS = {"movie", "hrtem", "nbd", "eels"}
COMPACT = {"movie", "eels"}
"""The docks shown after the layout for the width is placed (no data opened since)."""


def test_resizing_across_the_quadrant_width_re_lays_the_docks_out(qtbot, window):
    assert window.panels["movie"] is not None
    for size, expected in (((1920, 1200), QUADRANTS), ((1280, 800), COMPACT)):
        settle(qtbot, window, size)
        qtbot.waitUntil(lambda e=expected: set(shown_docks(window)) == e, timeout=5000)
        for role, rect in shown_docks(window).items():
            assert rect.width() >= MIN_DOCK_SIZE[0] and rect.height() >= MIN_DOCK_SIZE[1], role


def label_fits(plot) -> bool:
    """The rotated left-axis label is no longer than its axis."""
    axis = plot.getAxis("left")
    return axis.label.boundingRect().width() <= axis.geometry().height() + 1


def raise_dock(window, role):
    window.docks[role].raise_()
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture
def sample_window(window, wait_idle):
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    return window


def test_plots_stay_readable_at_1280x800_and_1920x1200(qtbot, sample_window):
    window = sample_window
    for size, compact in (((1280, 800), True), ((1920, 1200), False)):
        settle(qtbot, window, size)
        qtbot.waitUntil(lambda c=compact: window.dock_layout.placed_compact == c, timeout=5000)
        raise_dock(window, "nbd")
        scan = window.panels["nbd"].scan_plots
        for plot in (scan.strain_plot, scan.map_plot, scan.fraction_plot):
            assert plot.isVisible() and plot.height() >= MIN_PLOT_HEIGHT_PX, (size, plot)
            assert label_fits(plot), (size, plot.getAxis("left").labelText)
        assert window.docks["nbd"].widget().verticalScrollBar().maximum() == 0, size
        raise_dock(window, "eels")
        profiles = window.panels["eels"].profiles
        plots = (profiles.shift_plot, profiles.window_plot, profiles.fraction_plot)
        shown = [p for p in plots if p.isVisible()]
        assert shown and all(p.height() >= MIN_PLOT_HEIGHT_PX for p in shown), size
        assert all(label_fits(p) for p in shown), size
        assert profiles.stacked == (profiles.height() >= STACK_FROM_HEIGHT_PX), size
        assert window.docks["eels"].widget().verticalScrollBar().maximum() == 0, size
        raise_dock(window, "hrtem")
        fft = window.panels["hrtem"]
        for view in (fft.image_view, fft.fft_view, fft.filtered_view):
            assert min(view.width(), view.height()) >= 130, (size, view.size())
        assert window.docks["hrtem"].widget().verticalScrollBar().maximum() == 0, size
        raise_dock(window, "across")
        assert window.docks["across"].widget().horizontalScrollBar().maximum() == 0, size
        across = window.panels["across"]
        qtbot.waitUntil(lambda: across.result is not None, timeout=120000)
        QApplication.processEvents()
        profiles = across._plot_items
        assert len(profiles) == 5 and all(label_fits(p) for p in profiles), size
        assert all(p.vb.height() >= 60 for p in profiles), (size, [p.vb.height() for p in profiles])
        kinetics = window.panels["movie"].front.kinetics
        for plot in (kinetics.position_plot, kinetics.velocity_plot):
            kinetics.tabs.setCurrentWidget(plot)
            QApplication.processEvents()
            item = plot.getPlotItem()
            assert item.legend.isVisible() and len(item.legend.items) >= 2, size
            legend, data = item.legend.sceneBoundingRect(), item.vb.sceneBoundingRect()
            assert not legend.intersects(data) and data.height() >= 60, (size, legend, data)
        timeline_and_rings_stay_readable(qtbot, window, size)


def timeline_and_rings_stay_readable(qtbot, window, size):
    """Each timeline trace has room for its ticks with its name in a legend beside its data; the
    NBD Rings & ePDF legend (four entries) covers no point of the profile."""
    raise_dock(window, "timeline")
    plots = window.workbench().timeline.panel.plots
    heights = [round(plot.vb.height()) for plot in plots.plot_items]
    assert len(heights) == 3 and min(heights) >= 55, (size, heights)
    assert [plot.legend.items[0][1].text for plot in plots.plot_items] == plots.names
    beside = [
        plot.legend.sceneBoundingRect().left() >= plot.vb.sceneBoundingRect().right() - 1
        for plot in plots.plot_items
    ]
    assert beside == [True, True, True], size
    raise_dock(window, "nbd")
    nbd = window.panels["nbd"]
    nbd.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(nbd.profile_plots.overlay_curves) == 3, timeout=60000)
    QApplication.processEvents()
    placement = nbd.profile_plots.legend_placement
    assert len(placement.plot.legend.items) == 4
    assert placement.covered(placement.corner) == 0, (size, placement.corner)
    nbd.tabs.setCurrentIndex(0)
