"""A 2-D NBD scan (4D-STEM raster) shown as a map, driven like a user: the map has the scan's
shape in its calibrated units, a click on a probe shows its pattern (and the probe in view is
outlined on the map), dragging the detector's ring on the pattern changes the virtual image, and
the measured strain is mapped with the probes that have none crossed out and said why."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from insitu_tem.analysis.diffraction.virtual_detector import virtual_image
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.figures.pattern_display import pattern_display
from insitu_tem.samples import nbd
from insitu_tem.samples.nbd_raster import raster_scan
from tests.gui.user_actions import drag_on_view, open_nbd

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scan():
    return raster_scan()


def _click_map(qtbot, scan_map, x: float, y: float) -> None:
    """A left click on the map at (x, y) in the scan's units, as the mouse gives it."""
    viewport = scan_map.viewport()
    scene = scan_map.plot.getViewBox().mapViewToScene(QPointF(x, y))
    point = QPointF(scan_map.mapFromScene(scene))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, button, buttons in (
        (QEvent.Type.MouseMove, none, none),
        (QEvent.Type.MouseButtonPress, left, left),
        (QEvent.Type.MouseButtonRelease, left, none),
    ):
        event = QMouseEvent(
            kind,
            point,
            viewport.mapToGlobal(point),
            button,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)


def test_a_2d_scan_is_a_map_and_a_click_on_a_probe_shows_its_pattern(
    qtbot, nbd_panel, scan, reporter
):
    open_nbd(qtbot, nbd_panel, scan)
    tab = nbd_panel.map_tab
    assert nbd_panel.tabs.currentWidget() is tab and nbd_panel.tabs.isTabVisible(
        nbd_panel.tabs.indexOf(tab)
    )
    assert tab.choice.currentText() == "Virtual bright field"
    scan_map = tab.map
    assert scan_map.image.image.shape == (4, 5)
    area = scan_map.scan_rect()
    assert (area.left(), area.top(), area.width(), area.height()) == (-5.0, -5.0, 50.0, 40.0)
    assert (
        scan_map.scale_bar.units == "nm" and scan_map.plot.getAxis("bottom").labelText == "x (nm)"
    )
    _click_map(qtbot, scan_map, 30.0, 20.0)
    assert nbd_panel.state.scan_index == 2 * 5 + 3
    np.testing.assert_allclose(
        nbd_panel.view.frame, pattern_display(scan.frame(13), mode="log", gamma=0.3)
    )
    assert scan_map.marker.getData()[0].tolist() == [30.0] and scan_map.marker.getData()[1] == 20
    assert scan_map.readout(13).startswith(
        "probe 14 (row 3, col 4) at x = 30 nm, y = 20 nm: Virtual bright field "
    ) and scan_map.readout(13).endswith(" counts")
    nbd_panel.navigator.slider.setValue(6)
    assert [float(v[0]) for v in scan_map.marker.getData()] == [10.0, 10.0]
    assert reporter.reports == []


def test_dragging_the_detector_ring_on_the_pattern_changes_the_virtual_image(
    qtbot, nbd_panel, scan
):
    open_nbd(qtbot, nbd_panel, scan)
    tab = nbd_panel.map_tab
    tab.choice.setCurrentText("Virtual annular dark field")
    rings = tab.rings
    assert rings.inner.isVisible() and rings.outer.isVisible()
    before = tab.map.image.image.copy()
    inner, outer = tab.radii["ADF"]
    centre, scale = rings.inner.centre, nbd.SCALE_PER_NM
    drag_on_view(
        nbd_panel.view,
        QPointF(centre.x() + inner * scale, centre.y()),
        QPointF(centre.x() + (inner + 12.0) * scale, centre.y()),
    )
    moved, _ = tab.radii["ADF"]
    assert moved == pytest.approx(inner + 12.0, abs=0.5) and tab.radii["ADF"][1] == outer
    after = tab.map.image.image
    assert not np.allclose(after, before)
    centres = np.asarray(nbd_panel.result_value()["centre_px"], float)
    expected = virtual_image(nbd_panel.patterns, centre_rc=centres, inner_px=moved, outer_px=outer)
    np.testing.assert_allclose(after.ravel(), expected)
    assert f"{moved:.1f}–{outer:.1f} px" in tab.note.text()
    nbd_panel.tabs.setCurrentWidget(nbd_panel.profile_plots)
    assert not rings.outer.isVisible()
    nbd_panel.tabs.setCurrentWidget(tab)
    assert rings.outer.isVisible()
    saved = nbd_panel.project_state()
    tab.choice.setCurrentText("Lattice strain")
    assert not rings.outer.isVisible()
    tab.radii["ADF"] = (inner, outer)
    nbd_panel.restore_project_state(saved)
    assert tab.choice.currentText() == "Virtual annular dark field"
    assert tab.radii["ADF"] == (moved, outer) and rings.inner.isVisible()


def test_the_strain_map_crosses_out_the_probes_without_strain_and_says_why(qtbot, nbd_panel, scan):
    open_nbd(qtbot, nbd_panel, scan)
    tab = nbd_panel.map_tab
    tab.choice.setCurrentText("Lattice strain")
    value = nbd_panel.result_value()
    strain = 100.0 * np.asarray(value["lattice_strain"], float)
    np.testing.assert_allclose(tab.map.image.image.ravel(), strain, equal_nan=True)
    missing = np.flatnonzero(~np.isfinite(strain))
    assert 0 < len(missing) < 20 and len(tab.map.missing.getData()[0]) == len(missing)
    assert f"strain not measured at {len(missing)} positions" in tab.note.text()
    assert "not measured: too few spots matched" in tab.map.readout(int(missing[0]))
    measured = int(np.flatnonzero(np.isfinite(strain))[1])
    sigma = 100.0 * value["lattice_strain_sigma"][measured]
    assert f"± {sigma:.2g} %" in tab.map.readout(measured)
    tab.choice.setCurrentText("Ring d near the known d")
    assert "known d = 2.238 Å" in tab.note.text() and tab.map.title.endswith("(Å)")
    nbd_panel.controls.known_d.setValue(3.1)
    assert "known d = 3.1 Å" in tab.note.text()


def test_a_line_scan_keeps_its_profile_and_has_no_map(qtbot, nbd_panel, scan):
    patterns = np.asarray(scan.array)[0]
    axes = (Axis("position", 5, 10.0, 0.0, "nm"),) + scan.signal_axes
    open_nbd(qtbot, nbd_panel, Dataset("pattern_series", patterns, axes, source=""))
    assert not nbd_panel.tabs.isTabVisible(nbd_panel.tabs.indexOf(nbd_panel.map_tab))
    assert nbd_panel.tabs.currentWidget() is nbd_panel.scan_plots
    assert not nbd_panel.map_tab.active and not nbd_panel.map_tab.rings.outer.isVisible()


def test_a_real_3_by_2_scan_is_mapped_in_its_nanometres(qtbot, nbd_panel, realdata):
    from insitu_tem.io.load import load

    dataset = load(realdata("test1.blo"))
    open_nbd(qtbot, nbd_panel, dataset)
    scan_map = nbd_panel.map_tab.map
    assert scan_map.image.image.shape == (3, 2)
    area = scan_map.scan_rect()
    assert (area.width(), area.height()) == pytest.approx((25.6, 38.4))
    _click_map(qtbot, scan_map, 12.8, 25.6)
    assert nbd_panel.state.scan_index == 5
    np.testing.assert_allclose(
        nbd_panel.view.frame, pattern_display(dataset.frame(5), mode="log", gamma=0.3)
    )
    counts = scan_map.image.image.ravel()
    inner, outer = nbd_panel.map_tab.radii["BF"]
    assert inner == 0 and "r < " in nbd_panel.map_tab.note.text()
    assert np.all(counts > 0) and np.ptp(counts) > 0
