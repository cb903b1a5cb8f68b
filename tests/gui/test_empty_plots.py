"""What an empty plot shows a user: a hint saying how to fill it, never bare axes with made-up
ranges and units (e.g. "strain (m%)" against "time (ms)" from -400 to 400)."""

import numpy as np

from insitu_tem.analysis.movie.kinetics import fit_kinetics
from insitu_tem.gui.panels.movie.kinetics_plot import KineticsPlot


def test_strain_tab_stays_a_hint_after_a_track(qtbot):
    plot = KineticsPlot()
    qtbot.addWidget(plot)
    times = np.linspace(0.0, 30.0, 31)
    positions = 60.0 * np.sqrt(times)
    fit = fit_kinetics(times, positions)
    velocity = np.gradient(positions, times)
    plot.set_automatic(times, positions, fit, velocity, velocity, units="nm", time_units="s")
    strain = plot.strain_plot.getPlotItem()
    assert plot.hints[plot.strain_plot].label.isVisible()
    assert not strain.getAxis("left").isVisible()
    assert not strain.getAxis("bottom").isVisible()
    assert plot.position_plot.getPlotItem().getAxis("left").isVisible()
    plot.set_strain(times, np.full(times.size, 0.01))
    assert strain.getAxis("left").isVisible()


def test_fft_d_of_t_is_a_hint_until_spots_are_tracked(qtbot):
    from insitu_tem.gui.panels.fft.series_plot import FftSeriesPlot

    series = FftSeriesPlot()
    qtbot.addWidget(series)
    plot = series.plot.getPlotItem()
    assert not plot.getAxis("left").isVisible() and not plot.getAxis("bottom").isVisible()
    assert "Track d(t)" in series.hint.label.textItem.toPlainText()
    assert series.hint.label.isVisible() and not series.cursor.isVisible()


def test_nbd_scan_plots_are_hints_until_a_scan_of_several_patterns(qtbot):
    from insitu_tem.gui.panels.nbd.scan_plots import NbdScanPlots

    plots = NbdScanPlots()
    qtbot.addWidget(plots)
    stack = (plots.strain_plot, plots.map_plot, plots.fraction_plot)

    def axes_shown() -> list[bool]:
        return [plot.getPlotItem().getAxis("left").isVisible() for plot in stack]

    assert axes_shown() == [False] * 3 and all(hint.label.isVisible() for hint in plots.hints)
    assert not any(marker.isVisible() for marker in plots.markers)
    plots.set_positions([0.0], "nm")
    assert axes_shown() == [False] * 3
    assert not plots.fraction_plot.getPlotItem().getAxis("bottom").isVisible()
    plots.set_positions(np.linspace(0.0, 40.0, 5), "nm")
    assert axes_shown() == [True] * 3 and not any(hint.label.isVisible() for hint in plots.hints)
    assert plots.fraction_plot.getPlotItem().getAxis("bottom").labelText == "Position (nm)"


def test_tomography_plots_are_hints_until_a_segmentation(qtbot):
    from insitu_tem.gui.panels.tomo.plots import MeasurementPlots

    plots = MeasurementPlots()
    qtbot.addWidget(plots)
    items = (plots.map_plot, plots.histogram_plot, plots.radial_plot)
    assert not any(item.getAxis(side).isVisible() for item in items for side in ("left", "bottom"))
    assert not plots.colour_bar.isVisible()
    assert all("Segment" in hint.label.textItem.toPlainText() for hint in plots.hints)


def test_the_movie_view_says_how_to_open_a_movie_until_a_frame(qtbot):
    from insitu_tem.gui.panels.movie.movie_view import MovieView

    view = MovieView()
    qtbot.addWidget(view)
    assert not view.hint.isHidden() and "Open a movie" in view.hint.text()
    view.show_frame(np.zeros((8, 8), np.float32))
    assert view.hint.isHidden()


def test_tomography_rendering_is_a_hint_until_a_volume(qtbot, tomo_panel):
    rendering = tomo_panel.rendering
    tomo_panel.tabs.setCurrentWidget(rendering)
    qtbot.waitExposed(rendering)
    hint = rendering.hint
    assert hint.isVisible() and "Reconstruct" in hint.text()
    assert hint.geometry() == rendering.plot.rect()
    rendering.set_volume(np.ones((8, 8, 8), np.float32))
    assert not hint.isVisible() and rendering.image is not None
    rendering.set_volume(None)
    assert hint.isVisible()
