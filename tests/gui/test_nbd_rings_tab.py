"""The NBD panel's Rings & ePDF tab says why it is empty instead of showing bare axes: an
uncalibrated scan or pattern (test1.blo, bismuth.dm3) asks for a calibration, and a lone
calibrated pattern shows its radial profile, the rings and ePDF being a scan's."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.panels.nbd.profile_plots import LONE
from insitu_tem.io.load import load
from tests.gui.test_nbd_panel import _open, panel, sample  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow


def _hint(plots) -> str:
    return plots.hint.label.toPlainText() if plots.hint.label.isVisible() else ""


def test_an_uncalibrated_scan_asks_for_a_calibration(qtbot, panel, sample):  # noqa: F811
    dataset, _ = sample
    axes = (dataset.axes[0],) + tuple(Axis(a.name, a.size) for a in dataset.axes[1:])
    _open(qtbot, panel, dataset.with_axes(axes))
    plots = panel.profile_plots
    assert "calibrate the patterns" in _hint(plots)
    assert plots.measured.getData()[0] is None or not len(plots.measured.getData()[0])


def test_a_lone_calibrated_pattern_shows_its_profile(qtbot, panel, sample):  # noqa: F811
    dataset, _ = sample
    lone = Dataset("pattern", np.asarray(dataset.frame(30)), dataset.signal_axes)
    _open(qtbot, panel, lone)
    plots = panel.profile_plots
    qtbot.waitUntil(lambda: plots.measured.getData()[0] is not None, timeout=30000)
    assert len(plots.measured.getData()[0]) > 20 and _hint(plots) == ""
    assert plots.pdf_note.text() == LONE


def test_an_uncalibrated_lone_pattern_asks_for_a_calibration(qtbot, panel, realdata):  # noqa: F811
    _open(qtbot, panel, load(realdata("bismuth.dm3")))
    assert "calibrate the patterns" in _hint(panel.profile_plots)


def test_a_lone_pattern_without_a_centre_says_why(qtbot, panel, realdata):  # noqa: F811
    """FFTComplexEven.emd's half FFT: calibrated, but its centre lies on the edge; the profile plot
    says so (before: bare axes and a "measured" legend with nothing drawn)."""
    _open(qtbot, panel, load(realdata("FFTComplexEven.emd"), signal=0))
    assert "the centre is not measured" in _hint(panel.profile_plots)
    assert "edge" in _hint(panel.profile_plots)


def _tabs_offered(nbd) -> list[str]:
    tabs = nbd.tabs
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_a_lone_pattern_opens_on_its_rings_tab(qtbot, panel, sample):  # noqa: F811
    """A lone pattern has no scan to plot: the Scan and PCA tabs are not offered and the panel
    opens on Rings & ePDF (before, on three empty scan plots); a scan opened next opens on its
    Scan tab again."""
    dataset, _ = sample
    panel.tabs.setCurrentWidget(panel.scan_plots.scree_plot)
    _open(qtbot, panel, Dataset("pattern", np.asarray(dataset.frame(30)), dataset.signal_axes))
    assert "Scan" not in _tabs_offered(panel) and "PCA" not in _tabs_offered(panel)
    assert panel.tabs.currentWidget() is panel.profile_plots
    _open(qtbot, panel, dataset)
    assert {"Scan", "PCA"} <= set(_tabs_offered(panel))
    assert panel.tabs.currentWidget() is panel.scan_plots
