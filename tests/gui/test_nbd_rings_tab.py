"""The NBD panel's Rings & ePDF tab says why it is empty instead of showing bare axes: an
uncalibrated scan or pattern (test1.blo, bismuth.dm3) asks for a calibration, and a lone
calibrated pattern shows its radial profile, the rings and ePDF being a scan's."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.panels.nbd.profile_plots import LONE
from insitu_tem.io.load import load
from tests.gui.test_nbd_panel import sample  # noqa: F401 - fixture
from tests.gui.user_actions import open_nbd

pytestmark = pytest.mark.slow


def _hint(plots) -> str:
    return plots.hint.label.toPlainText() if plots.hint.label.isVisible() else ""


def test_an_uncalibrated_scan_asks_for_a_calibration(qtbot, nbd_panel, sample):  # noqa: F811
    dataset, _ = sample
    axes = (dataset.axes[0],) + tuple(Axis(a.name, a.size) for a in dataset.axes[1:])
    open_nbd(qtbot, nbd_panel, dataset.with_axes(axes))
    plots = nbd_panel.profile_plots
    assert "calibrate the patterns" in _hint(plots)
    assert plots.measured.getData()[0] is None or not len(plots.measured.getData()[0])


def test_a_lone_calibrated_pattern_shows_its_profile(qtbot, nbd_panel, sample):  # noqa: F811
    dataset, _ = sample
    lone = Dataset("pattern", np.asarray(dataset.frame(30)), dataset.signal_axes)
    open_nbd(qtbot, nbd_panel, lone)
    plots = nbd_panel.profile_plots
    qtbot.waitUntil(lambda: plots.measured.getData()[0] is not None, timeout=30000)
    assert len(plots.measured.getData()[0]) > 20 and _hint(plots) == ""
    assert plots.pdf_note.text() == LONE


def test_an_uncalibrated_lone_pattern_asks_for_a_calibration(qtbot, nbd_panel, realdata):
    open_nbd(qtbot, nbd_panel, load(realdata("bismuth.dm3")))
    assert "calibrate the patterns" in _hint(nbd_panel.profile_plots)


def test_a_lone_pattern_without_a_centre_says_why(qtbot, nbd_panel, realdata):
    """FFTComplexEven.emd's half FFT: calibrated, but its centre lies on the edge; the profile plot
    says so (before: bare axes and a "measured" legend with nothing drawn)."""
    open_nbd(qtbot, nbd_panel, load(realdata("FFTComplexEven.emd"), signal=0))
    assert "the centre is not measured" in _hint(nbd_panel.profile_plots)
    assert "edge" in _hint(nbd_panel.profile_plots)


def _tabs_offered(nbd) -> list[str]:
    tabs = nbd.tabs
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_a_lone_pattern_opens_on_its_rings_tab(qtbot, nbd_panel, sample):  # noqa: F811
    """A lone pattern has no scan to plot: the Scan and PCA tabs are not offered and the panel
    opens on Rings & ePDF (before, on three empty scan plots); a scan opened next opens on its
    Scan tab again."""
    dataset, _ = sample
    nbd_panel.tabs.setCurrentWidget(nbd_panel.scan_plots.scree_plot)
    open_nbd(
        qtbot, nbd_panel, Dataset("pattern", np.asarray(dataset.frame(30)), dataset.signal_axes)
    )
    assert "Scan" not in _tabs_offered(nbd_panel) and "PCA" not in _tabs_offered(nbd_panel)
    assert nbd_panel.tabs.currentWidget() is nbd_panel.profile_plots
    open_nbd(qtbot, nbd_panel, dataset)
    assert {"Scan", "PCA"} <= set(_tabs_offered(nbd_panel))
    assert nbd_panel.tabs.currentWidget() is nbd_panel.scan_plots
