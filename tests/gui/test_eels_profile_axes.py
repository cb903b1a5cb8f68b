"""The EELS profiles' left axes as a user reads them: window counts of about a million written
with an SI prefix (tick values like 500000 overlapped the rotated label in the fixed-width axis),
and maps labelled by scan row, not by the quantity their colours show."""

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics

from insitu_tem.gui.panels.eels.profiles import EelsProfiles
from insitu_tem.gui.widgets.plot_stack import LEFT_AXIS_PX


def test_window_counts_fit_beside_the_label_and_maps_name_the_scan_row(qtbot):
    profiles = EelsProfiles()
    qtbot.addWidget(profiles)
    profiles.resize(500, 700)
    profiles.show()
    positions = np.linspace(0.0, 360.0, 40)
    window = np.linspace(1.12e6, 0.7e6, 40)
    shift = np.linspace(-1.5, 0.0, 40)
    profiles.set_line(positions, "nm", shift, np.full(40, 0.01), window, "W-O23")
    axis = profiles.window_plot.getAxis("left")
    qtbot.waitUntil(lambda: axis.range[1] >= 1.12e6, timeout=5000)
    assert axis.labelText == "window" and "counts" in axis.labelString()
    low, high = axis.range
    scale = axis.autoSIPrefixScale
    strings = [
        text
        for spacing, values in axis.tickValues(low, high, axis.height())
        for text in axis.tickStrings(values, scale, spacing)
    ]
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    widest = max(metrics.horizontalAdvance(text) for text in strings)
    assert widest + 20 <= LEFT_AXIS_PX, strings
    assert profiles.shift_plot.getAxis("left").labelString().count("eV") == 1
    profiles.set_maps(shift.reshape(5, 8), window.reshape(5, 8), "W-O23")
    for plot in (profiles.shift_plot, profiles.window_plot):
        assert plot.getAxis("left").labelText == "scan y"


def test_one_spectrum_shows_hints_not_a_one_point_profile(qtbot):
    profiles = EelsProfiles()
    qtbot.addWidget(profiles)
    profiles.show()
    assert not any(marker.isVisible() for marker in profiles.markers)
    one = np.array([0.0])
    profiles.set_line(one, "", one, one, np.array([1.4e5]), "N-K")
    profiles.set_current(0)
    for plot in (profiles.shift_plot, profiles.window_plot):
        item = plot.getPlotItem()
        assert not item.getAxis("left").isVisible() and not item.getAxis("bottom").isVisible()
    assert [hint.label.isVisible() for hint in profiles.hints] == [True, True]
    assert "line scan" in profiles.hints[0].label.textItem.toPlainText()
    assert not any(marker.isVisible() for marker in profiles.markers)
    positions = np.linspace(0.0, 10.0, 5)
    profiles.set_line(positions, "nm", positions, positions, positions, "N-K")
    profiles.set_current(2)
    assert profiles.shift_plot.getPlotItem().getAxis("left").isVisible()
    assert all(marker.isVisible() for marker in profiles.markers)


def test_the_spectrum_plot_is_a_hint_until_a_spectrum_is_open(qtbot):
    from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot

    plot = EelsSpectrumPlot()
    qtbot.addWidget(plot)
    plot.show()
    item = plot.getPlotItem()
    shown = (plot.background_region, plot.signal_region, plot.cursor, item.getAxis("left"))
    assert not any(part.isVisible() for part in shown)
    assert plot.hint.label.isVisible() and "Open an EELS" in plot.hint.label.textItem.toPlainText()
    energy = np.linspace(-10.0, 90.0, 200)
    plot.set_spectrum(energy, np.exp(-(energy**2)))
    plot.set_windows((20.0, 30.0), (35.0, 45.0))
    assert all(part.isVisible() for part in shown) and not plot.hint.label.isVisible()
