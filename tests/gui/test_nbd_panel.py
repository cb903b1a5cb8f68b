"""The NBD panel driven like a user: navigate, pick a reference, undo, display modes, rings,
calibration."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.io.load import load
from insitu_tem.samples import nbd
from insitu_tem.figures.pattern_display import pattern_display
from tests.gui.user_actions import open_nbd

pytestmark = pytest.mark.slow


@pytest.fixture
def sample(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    return load(path), json.loads((sample_data / "nbd_linescan.truth.json").read_text())


def test_scan_analysis_shows_strain_fractions_and_map(qtbot, nbd_panel, sample, reporter):
    dataset, truth = sample
    open_nbd(qtbot, nbd_panel, dataset)
    x, strain = nbd_panel.scan_plots.strain_curve.getData()
    np.testing.assert_allclose(x, np.arange(46) * 8.0)
    reference = nbd_panel.result_value()["reference_index"]
    assert strain[reference] == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(strain[:10]).all() and np.isfinite(strain[25:]).all()
    assert len(nbd_panel.scan_plots.fraction_curves) == 3
    bars = nbd_panel.scan_plots.fraction_bars
    assert len(bars) == 3 and all(np.all(b.opts["height"] >= 0) for b in bars)
    assert max(float(np.max(b.opts["height"])) for b in bars) > 0
    assert nbd_panel.scan_plots.map_image.image.shape[1] == 46
    assert "crystalline" in nbd_panel.status.text()
    sigma = np.asarray(nbd_panel.result_value()["lattice_strain_sigma"], float)
    bars = nbd_panel.scan_plots.strain_bars.opts
    np.testing.assert_allclose(bars["x"], x[np.isfinite(strain)])
    np.testing.assert_allclose(bars["height"], 200.0 * sigma[np.isfinite(strain)])
    missing = int(np.isnan(strain).sum())
    assert (
        f"strain not measured at {missing} positions: too few spots matched"
        in nbd_panel.status.text()
    )
    assert reporter.reports == []


def test_navigating_moves_the_pattern_and_the_markers(qtbot, nbd_panel, sample):
    dataset, _ = sample
    open_nbd(qtbot, nbd_panel, dataset)
    first = nbd_panel.view.frame.copy()
    nbd_panel.navigator.slider.setValue(40)
    assert nbd_panel.state.scan_index == 40
    assert not np.array_equal(first, nbd_panel.view.frame)
    assert nbd_panel.scan_plots.markers[0].value() == pytest.approx(320.0)
    assert nbd_panel.view.arrow_count() >= 10
    qtbot.keyClick(nbd_panel.navigator.spin, Qt.Key.Key_Up)
    assert nbd_panel.state.scan_index == 41


def test_picking_a_reference_remeasures_strain_and_undo_restores_it(qtbot, nbd_panel, sample):
    dataset, truth = sample
    open_nbd(qtbot, nbd_panel, dataset)
    default_reference = nbd_panel.result_value()["reference_index"]
    nbd_panel.navigator.slider.setValue(45)
    with qtbot.waitSignal(nbd_panel.analysis_finished, timeout=60000):
        qtbot.mouseClick(nbd_panel.controls.reference_button, Qt.MouseButton.LeftButton)
    assert nbd_panel.result_value()["reference_index"] == 45
    stored = nbd_panel.state.session.result("nbd")
    assert stored.parameters["reference"] == 45 and set(stored.inputs) == {"nbd"}
    _, strain = nbd_panel.scan_plots.strain_curve.getData()
    expected = np.array([np.nan if v is None else v for v in truth["lattice_strain"]])
    spots = np.array(truth["phase_fractions"]["WO3 spots"]) >= 0.5
    np.testing.assert_allclose(strain[spots] / 100.0, expected[spots], atol=1e-3)
    with qtbot.waitSignal(nbd_panel.analysis_finished, timeout=60000):
        nbd_panel.undo_stack.undo()
    assert nbd_panel.result_value()["reference_index"] == default_reference


def test_ring_overlays_tell_coarsened_from_amorphous_tungsten(qtbot, nbd_panel, sample):
    dataset, _ = sample
    open_nbd(qtbot, nbd_panel, dataset)
    qtbot.mouseClick(
        nbd_panel.tabs.tabBar(),
        Qt.MouseButton.LeftButton,
        pos=nbd_panel.tabs.tabBar().tabRect(1).center(),
    )
    assert nbd_panel.tabs.currentIndex() == 1
    r_factors = {}
    for index in (10, 0):
        with qtbot.waitSignal(nbd_panel.profile_finished, timeout=60000):
            nbd_panel.navigator.slider.setValue(index)
        names = [curve.name() for curve in nbd_panel.profile_plots.overlay_curves]
        r_factors[index] = {
            name.split(" (")[0]: float(name.split("R = ")[1].rstrip(")")) for name in names
        }
    assert r_factors[0]["W 3 nm"] < r_factors[0]["W 0.3 nm"]
    assert r_factors[10]["W 0.3 nm"] < r_factors[10]["W 3 nm"]
    assert len(nbd_panel.profile_plots.ring_lines) >= 1
    x, g = nbd_panel.profile_plots.pdf_curve.getData()
    assert (
        x is not None and len(x) > 100 and "G(r) maxima" in nbd_panel.profile_plots.pdf_note.text()
    )


def test_display_modes_change_what_is_shown(qtbot, nbd_panel, sample):
    dataset, _ = sample
    open_nbd(qtbot, nbd_panel, dataset)
    raw = dataset.frame(nbd_panel.current_index())
    nbd_panel.controls.display.setCurrentText("linear")
    np.testing.assert_allclose(nbd_panel.view.frame, raw.astype(np.float32))
    nbd_panel.controls.display.setCurrentText("gamma")
    nbd_panel.controls.gamma.setValue(0.5)
    np.testing.assert_allclose(nbd_panel.view.frame, pattern_display(raw, mode="gamma", gamma=0.5))
    with pytest.raises(ValueError, match="display mode"):
        nbd_panel.view.set_display("sqrt")


def test_calibrating_on_a_known_ring_rescales_an_uncalibrated_scan(qtbot, nbd_panel, sample):
    dataset, _ = sample
    axes = list(dataset.axes)
    from insitu_tem.core.model import Axis

    axes[1:] = [Axis(a.name, a.size) for a in axes[1:]]
    open_nbd(qtbot, nbd_panel, dataset.with_axes(tuple(axes)))
    assert nbd_panel.result_value()["q_per_A"] is None
    scan = nbd_panel.scan_plots
    assert (
        scan.map_image.image.shape[1] == 46 and scan.map_plot.getAxis("left").labelText == "r (px)"
    )
    nbd_panel.controls.known_d.setValue(2.238)
    with qtbot.waitSignal(nbd_panel.analysis_finished, timeout=60000):
        qtbot.mouseClick(nbd_panel.controls.calibrate_button, Qt.MouseButton.LeftButton)
    assert nbd_panel.scale_per_nm == pytest.approx(0.125, rel=0.02)
    assert nbd_panel.result_value()["q_per_A"] is not None
    assert scan.map_plot.getAxis("left").labelText == "q (1/Å)"


def test_a_2d_scan_navigates_by_flattened_index(qtbot, nbd_panel, realdata):
    dataset = load(realdata("test1.blo"))
    open_nbd(qtbot, nbd_panel, dataset)
    nbd_panel.navigator.slider.setValue(5)
    assert nbd_panel.state.scan_index == 5
    np.testing.assert_allclose(
        nbd_panel.view.frame, pattern_display(dataset.frame(5), mode="log", gamma=0.3)
    )
    assert len(nbd_panel.result_value()["spots_rc"]) == 6
    scan = nbd_panel.scan_plots
    assert scan.hints[0].label.isVisible() and not scan.strain_curve.isVisible()
    assert "fewer than two positions" in scan.hints[0].label.toPlainText()
    ranges = [p.getPlotItem().vb.viewRange()[0] for p in (scan.strain_plot, scan.fraction_plot)]
    assert ranges[0] == pytest.approx(ranges[1]) and ranges[1][0] < 1.0, "padded below probe 1"


def test_a_single_pattern_shows_its_centre(qtbot, nbd_panel, realdata):
    dataset = load(realdata("bismuth.dm3"))
    open_nbd(qtbot, nbd_panel, dataset)
    x, y = nbd_panel.view.centre_marker.getData()
    assert (y[0], x[0]) == pytest.approx((142, 99), abs=1.5)
    assert not nbd_panel.controls.reference_button.isEnabled()


def test_ellipse_correction_sharpens_the_rings(qtbot, nbd_panel, sample):
    dataset, _ = sample
    open_nbd(qtbot, nbd_panel, dataset)
    before = np.nanmax(nbd_panel.result_value()["profiles"][0][20:])
    with qtbot.waitSignal(nbd_panel.analysis_finished, timeout=60000):
        nbd_panel.controls.ellipse_box.setChecked(True)
    assert (
        "ellipticity 1.9" in nbd_panel.status.text() or "ellipticity 2.0" in nbd_panel.status.text()
    )
    ellipticity, angle = nbd.ELLIPSE
    turn = np.radians(angle)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    distortion = rotation @ np.diag([1 + ellipticity / 2, 1 - ellipticity / 2]) @ rotation.T
    undone = nbd_panel.correction @ distortion
    np.testing.assert_allclose(undone / np.sqrt(np.linalg.det(undone)), np.eye(2), atol=2e-3)
    assert np.nanmax(nbd_panel.result_value()["profiles"][0][20:]) > before
    with qtbot.waitSignal(nbd_panel.analysis_finished, timeout=60000):
        nbd_panel.controls.ellipse_box.setChecked(False)
    assert nbd_panel.correction is None


def test_a_scan_whose_beam_cannot_be_followed_says_its_centre_is_not_trusted(qtbot, nbd_panel):
    """An abTEM scan whose brightest disk is a diffracted one in both grains (validation's
    descan corpus, scan 97): the status line gives the flag's reason instead of silence."""
    from validation.descan import SCAN_SEED
    from validation.descan_scans import make_scan
    from validation.hrtem import corpus

    _, cases = corpus(fast=False)
    pattern, truth = cases[97]
    scan = make_scan(pattern, truth, SCAN_SEED + 97)
    n, rows, cols = scan.patterns.shape
    axes = (
        Axis("position", n, float(scan.position[1] - scan.position[0]), 0.0, "nm"),
        Axis("ky", rows, truth["scale_per_nm"], 0.0, "1/nm"),
        Axis("kx", cols, truth["scale_per_nm"], 0.0, "1/nm"),
    )
    open_nbd(qtbot, nbd_panel, Dataset("pattern_series", scan.patterns, axes))
    assert nbd_panel.result_value()["centre_ok"] is False
    assert "beam centre not trusted: ambiguous direct beam" in nbd_panel.status.text()
    assert np.isnan(np.asarray(nbd_panel.result_value()["centre_sigma_px"], float)).all()


def test_a_2d_scan_says_its_patterns_run_row_by_row_and_why_noise_is_not_analysed(
    qtbot, nbd_panel, reporter
):
    patterns = np.random.default_rng(1).poisson(50.0, (3, 2, 48, 48)).astype(np.float32)
    axes = (
        Axis("scan_y", 3, 12.8, 0.0, "nm"),
        Axis("scan_x", 2, 12.8, 0.0, "nm"),
        Axis("ky", 48),
        Axis("kx", 48),
    )
    nbd_panel.state.set_dataset("nbd", Dataset("pattern_series", patterns, axes, source=""))
    nbd_panel.set_dataset(nbd_panel.state.dataset("nbd"))
    label = nbd_panel.scan_plots.fraction_plot.getPlotItem().getAxis("bottom").labelText
    assert label == "Probe, row by row (3 × 2 scan, step 12.8 nm)"
    qtbot.waitUntil(lambda: len(reporter.reports) == 1, timeout=60000)
    assert "centres found" in reporter.reports[0].message
    assert (
        nbd_panel.status.text().startswith("Scan not analysed: ")
        and "centres" in nbd_panel.status.text()
    )
