"""Counts are never negative: the spectrum plot's counts axis stays at or above 0 when it fits a
spectrum and when the user presses autoscale (pyqtgraph's padding put −140 counts under the Velox
EDS test spectrum); a spectrum that does go negative (a difference) is shown whole."""

import zipfile

import numpy as np
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.panels.eels.spectrum_plot import EelsSpectrumPlot
from insitu_tem.io.load import load
from tests.gui.test_eds_panel import eds_tasks, panel  # noqa: F401 - fixtures
from tests.gui.test_eels_panel import open_in
from tests.gui.test_eels_xray_spectrum import eds_spectrum


def shown_counts(qtbot, panel):  # noqa: F811
    """The counts range the user sees once the spectrum is drawn, then after pressing the plot's
    autoscale button ("A")."""
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.plot.curve.getOriginalDataset()[0] is not None,
        timeout=60000,
    )
    QApplication.processEvents()
    fitted = panel.plot.getPlotItem().vb.viewRange()[1]
    panel.plot.getPlotItem().autoBtn.clicked.emit(panel.plot.getPlotItem().autoBtn)
    QApplication.processEvents()
    return fitted, panel.plot.getPlotItem().vb.viewRange()[1]


def test_the_velox_eds_spectrum_is_not_drawn_below_zero(
    qtbot,
    panel,  # noqa: F811
    realdata,
    tmp_path,
):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.glob("*.emd")
    open_in(panel, load(path, signal=0))
    (fitted_low, _), (low, high) = shown_counts(qtbot, panel)
    counts = panel.plot.curve.getOriginalDataset()[1]
    assert fitted_low == 0.0 and low == 0.0 and high >= np.nanmax(counts) > 0


def test_a_spectrum_of_counts_is_not_drawn_below_zero(qtbot, panel):  # noqa: F811
    open_in(panel, eds_spectrum())
    (fitted_low, _), (low, high) = shown_counts(qtbot, panel)
    assert fitted_low == 0.0 and low == 0.0 and high >= 4050.0


def test_a_spectrum_that_goes_negative_is_shown_whole(qtbot):
    """A difference of two spectra: its negative half is data, not padding."""
    plot = EelsSpectrumPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    energy = np.linspace(300.0, 800.0, 1024)
    plot.set_spectrum(energy, 40.0 * np.sin(energy / 20.0))
    plot.getPlotItem().autoBtn.clicked.emit(plot.getPlotItem().autoBtn)
    QApplication.processEvents()
    low, high = plot.getPlotItem().vb.viewRange()[1]
    assert low <= -40.0 and high >= 40.0
