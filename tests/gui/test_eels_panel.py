"""The EELS panel driven like a user: alignment, shift profile, dragging windows, picking the
reference."""

import json
import re

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QUndoStack
from PySide6.QtWidgets import QApplication, QFileDialog

from insitu_tem.io.load import load
from insitu_tem.gui.panels.eels.panel import EelsPanel
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner


@pytest.fixture
def sample(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    return load(path), json.loads((sample_data / "eels_linescan.truth.json").read_text())


@pytest.fixture
def panel(qtbot, reporter):
    state, tasks, undo = SessionBridge(), TaskRunner(reporter), QUndoStack()
    widget = EelsPanel(state, tasks, undo)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)


def wait_for_edge(qtbot, panel, edge):
    qtbot.waitUntil(
        lambda: (
            panel.tasks.is_idle()
            and panel.result_value() is not None
            and panel.result_value().get("edge") == edge
        ),
        timeout=30000,
    )


def open_in(panel, dataset):
    """Open ``dataset`` as the session's EELS data (what File ▸ Open does) and show it."""
    panel.state.set_dataset("eels", dataset)
    panel.set_dataset(panel.state.dataset("eels"))


def choose_edge(panel, name):
    """Pick edge ``name`` in the panel's edge selector, as the user does."""
    index = panel.controls.edge_combo.findData(name)
    panel.controls.edge_combo.setCurrentIndex(index)
    panel.controls.edge_combo.activated.emit(index)


def session_result(panel):
    return panel.state.session.result("eels.W-O23")


def hover(plot, point):
    """Move the mouse (no button) to data ``point`` of ``plot``."""
    viewport = plot.viewport()
    at = plot.mapFromScene(plot.getPlotItem().vb.mapViewToScene(point))
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(at),
        QPointF(viewport.mapToGlobal(at)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def drag(qtbot, plot, start_x, end_x, y):
    """Press at data x ``start_x``, move to ``end_x`` and release (left button), as a mouse
    would."""
    viewport = plot.viewport()
    vb = plot.getPlotItem().vb

    def to_view(x):
        return plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))

    def send(kind, point, button, buttons):
        event = QMouseEvent(
            kind,
            QPointF(point),
            QPointF(viewport.mapToGlobal(point)),
            button,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseMove, to_view(start_x), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    send(
        QEvent.Type.MouseButtonPress,
        to_view(start_x),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
    )
    for x in np.linspace(start_x, end_x, 8):
        send(QEvent.Type.MouseMove, to_view(x), Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
    send(
        QEvent.Type.MouseButtonRelease,
        to_view(end_x),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.NoButton,
    )


def test_sample_scan_aligned_with_shift_profile_and_error_bars(qtbot, panel, sample, reporter):
    dataset, truth = sample
    open_in(panel, dataset)
    wait_for_edge(qtbot, panel, "W-O23")
    assert not reporter.reports
    x, _ = panel.curve.getData()
    assert len(x) == 2048
    value = panel.result_value()
    zlp = np.array(value["zlp_offset_eV"])
    assert np.abs(zlp - truth["zlp_offset_eV"]).max() < 0.005
    expected = np.array(truth["w_o23_shift_eV"]) - truth["w_o23_shift_eV"][-1]
    xs, ys = panel.profiles.shift_points.getData()
    assert len(xs) == 46 and np.sqrt(np.mean((ys - expected) ** 2)) < 0.05
    assert panel.controls.reference_spin.value() == 46 and ys[0] == pytest.approx(-1.5, abs=0.1)
    assert session_result(panel).value == value and "vs probe 46" in panel.readout.text()
    assert panel.profiles.shift_bars.opts["height"].shape == (46,)
    sigma = np.asarray(value["map_counts_sigma"])
    assert np.all(sigma > 0) and np.allclose(panel.profiles.window_bars.opts["height"], 2 * sigma)
    assert "W O3" in panel.plot.marker_labels() and "Li K" in panel.plot.marker_labels()
    assert "ZLP" in panel.readout.text() and "shift" in panel.readout.text()
    detected = re.search(r"W-O23 detected \(p ([\d.e+-]+)\), onset", panel.readout.text())
    assert detected and float(detected[1]) < 1e-3
    assert re.search(r"ZLP [+-][\d.]+ ± [\d.]+ eV, FWHM [\d.]+ ± [\d.]+ eV", panel.readout.text())
    window = re.search(r"window ([\d.]+) ± ([\d.]+) counts", panel.readout.text())
    assert window and float(window[2]) == pytest.approx(sigma[panel.state.scan_index], rel=0.05)
    thickness = re.search(r"t/λ ([\d.]+) ± ([\d.]+)", panel.readout.text())
    index = panel.state.scan_index
    assert thickness and float(thickness[1]) == pytest.approx(
        value["t_over_lambda"][index], abs=0.01
    )
    assert float(thickness[2]) == pytest.approx(value["t_over_lambda_sigma"][index], rel=0.06)
    plasmon = re.search(r"plasmon ([\d.]+) ± ([\d.]+) eV", panel.readout.text())
    assert plasmon and float(plasmon[1]) == pytest.approx(
        value["plasmon_energy_eV"][index], abs=float(plasmon[2])
    )
    assert float(plasmon[2]) == pytest.approx(value["plasmon_energy_sigma_eV"][index], rel=0.06)
    assert abs(float(plasmon[1]) - truth["plasmon_peak_eV"][index]) < 3 * float(plasmon[2]) + 0.01


def test_drag_the_background_window_then_undo(qtbot, panel, sample):
    open_in(panel, sample[0])
    wait_for_edge(qtbot, panel, "W-O23")
    low, high = panel.plot.background_region.getRegion()
    assert panel.params["background"] is None and [low, high] == pytest.approx(
        panel.result_value()["background_window_eV"]
    )
    centre = 0.5 * (low + high)
    y = float(np.mean(panel.plot.getPlotItem().vb.viewRange()[1]))
    drag(qtbot, panel.plot, centre, centre - 2.0, y)
    qtbot.waitUntil(lambda: (panel.params["background"] or [low])[0] < low - 1.0, timeout=5000)
    new_low, new_high = panel.params["background"]
    assert new_low == pytest.approx(low - 2.0, abs=0.3) and new_high - new_low == pytest.approx(
        high - low, abs=0.05
    )
    wait_for_edge(qtbot, panel, "W-O23")
    assert panel.result_value()["background_window_eV"][0] < low - 1.0
    assert session_result(panel).parameters["background"] == [new_low, new_high]
    panel.undo_stack.undo()
    assert panel.params["background"] is None
    wait_for_edge(qtbot, panel, "W-O23")
    assert panel.plot.background_region.getRegion() == pytest.approx((low, high))


def test_drag_the_signal_window_changes_the_map(qtbot, panel, sample):
    open_in(panel, sample[0])
    wait_for_edge(qtbot, panel, "W-O23")
    before = np.array(panel.result_value()["map_counts"])
    low, high = panel.plot.signal_region.getRegion()
    y = float(np.mean(panel.plot.getPlotItem().vb.viewRange()[1]))
    drag(qtbot, panel.plot, high, high + 5.0, y)
    qtbot.waitUntil(
        lambda: (
            panel.tasks.is_idle()
            and panel.result_value() is not None
            and panel.result_value()["signal_window_eV"][1] > high + 3.0
        ),
        timeout=30000,
    )
    assert panel.params["window"][0] == pytest.approx(low)
    assert np.all(np.array(panel.result_value()["map_counts"]) > before)


def test_pick_edge_and_reference(qtbot, panel, sample):
    dataset, truth = sample
    open_in(panel, dataset)
    wait_for_edge(qtbot, panel, "W-O23")
    panel.navigator.slider.setValue(45)
    assert panel.state.scan_index == 45
    assert "the shift reference, " in panel.readout.text()
    assert "+0.000 ± 0.000" not in panel.readout.text()
    qtbot.mouseClick(panel.controls.use_current_button, Qt.MouseButton.LeftButton)
    panel.navigator.slider.setValue(0)
    qtbot.mouseClick(panel.controls.use_current_button, Qt.MouseButton.LeftButton)
    wait_for_edge(qtbot, panel, "W-O23")
    shift = np.array(panel.result_value()["chemical_shift_eV"])
    assert panel.controls.reference_spin.value() == 1 and shift[0] == 0.0 and shift[45] > 1.0
    xs, _ = panel.profiles.shift_points.getData()
    assert panel.profiles.shift_plot.getPlotItem().vb.viewRange()[0][1] >= xs.max() == 360.0
    panel.undo_stack.undo()
    wait_for_edge(qtbot, panel, "W-O23")
    shift = np.array(panel.result_value()["chemical_shift_eV"])
    assert np.sqrt(np.mean((shift - np.array(truth["w_o23_shift_eV"])) ** 2)) < 0.05
    panel.controls.edge_combo.setCurrentIndex(panel.controls.edge_combo.findData("Li-K"))
    panel.controls.edge_combo.activated.emit(panel.controls.edge_combo.currentIndex())
    wait_for_edge(qtbot, panel, "Li-K")
    profile = np.array(panel.result_value()["map_counts"])
    assert profile[:20].mean() > 10 * abs(profile[-5:].mean())
    _, fraction = panel.profiles.fraction_curve.getData()
    assert np.abs(fraction - np.array(truth["li_k_fraction"])).max() < 0.15
    sigma = np.array(panel.result_value()["mlls_fraction_sigma"])
    bars = panel.profiles.fraction_bars.opts
    assert np.all(sigma > 0) and np.allclose(bars["height"], 2 * sigma)
    assert np.allclose(bars["y"], fraction)
    assert "MLLS fraction ± 1σ" in panel.profiles.fraction_plot.getPlotItem().titleLabel.text
    assert panel.result_value()["background_window_eV"][0] >= 45.3 + 3
    panel.undo_stack.undo()
    wait_for_edge(qtbot, panel, "W-O23")
    assert panel.controls.edge_combo.currentData() == "W-O23"


def test_profile_click_log_scale_and_cursor(qtbot, panel, sample):
    open_in(panel, sample[0])
    wait_for_edge(qtbot, panel, "W-O23")
    plot = panel.profiles.window_plot
    point = plot.mapFromScene(
        plot.getPlotItem().vb.mapViewToScene(QPointF(80.0, panel.result_value()["map_counts"][10]))
    )
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert panel.state.scan_index == 10
    qtbot.mouseClick(panel.controls.log_check, Qt.MouseButton.LeftButton)
    assert panel.plot.getPlotItem().ctrl.logYCheck.isChecked()
    with qtbot.waitSignal(panel.state.cursor_text_changed) as blocker:
        panel.plot.cursor.setValue(24.0)
    assert blocker.args[0].startswith("E = 24.00 eV")


def test_core_loss_spectrum_without_zlp(qtbot, panel, realdata, reporter):
    open_in(panel, load(realdata("08_carbon.dm3")))
    wait_for_edge(qtbot, panel, "C-K")
    assert panel.result_value()["edge_onset_eV"][0] == pytest.approx(283.1, abs=0.2)
    assert "no ZLP" in panel.readout.text() and not reporter.reports
    onset = re.search(r"onset (28\d\.\d+) ± (0\.\d+) eV", panel.readout.text())
    assert onset and float(onset[2]) == pytest.approx(
        panel.result_value()["edge_onset_sigma_eV"][0], rel=0.05
    )


def test_spectrum_image_gives_maps_and_pixels_pick_the_probe(qtbot, panel):
    from insitu_tem.core.model import Axis, Dataset
    from insitu_tem.samples import eels as sample_module

    rng = np.random.default_rng(9)
    fractions = rng.uniform(0, 1, (4, 5))
    spectra = np.stack(
        [sample_module.model_spectrum(f, rng.uniform(-0.3, 0.3), 0.45) for f in fractions.ravel()]
    )
    cube = rng.poisson(spectra).reshape(4, 5, -1).astype(np.float32)
    axes = (
        Axis("scan_y", 4, 2.0, 0.0, "nm"),
        Axis("scan_x", 5, 2.0, 0.0, "nm"),
        Axis("E", cube.shape[-1], sample_module.DISPERSION_EV, sample_module.OFFSET_EV, "eV"),
    )
    open_in(panel, Dataset("spectrum_series", cube, axes))
    wait_for_edge(qtbot, panel, "W-O23")
    shift_map = panel.profiles.shift_map.image
    assert shift_map.shape == (4, 5)
    assert np.corrcoef(shift_map.ravel(), fractions.ravel())[0, 1] < -0.99
    plot = panel.profiles.window_plot
    point = plot.mapFromScene(plot.getPlotItem().vb.mapViewToScene(QPointF(3.5, 2.5)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert panel.state.scan_index == 2 * 5 + 3
    value = panel.result_value()
    with qtbot.waitSignal(panel.state.cursor_text_changed) as blocker:
        hover(plot, QPointF(1.5, 3.5))
    counts, sigma = value["map_counts"][3 * 5 + 1], value["map_counts_sigma"][3 * 5 + 1]
    text = blocker.args[0]
    assert text.startswith("scan (row 4, col 2): W-O23 window ") and sigma > 0
    quoted = re.search(r"window (-?[\d.]+) ± ([\d.]+) counts, shift [+-]?[\d.]+ ± [\d.]+ eV", text)
    assert quoted and float(quoted[1]) == pytest.approx(counts, abs=sigma / 10)
    assert float(quoted[2]) == pytest.approx(sigma, rel=0.05)


def test_export_the_window_map_with_its_sigma(
    qtbot, panel, sample, reporter, tmp_path, monkeypatch
):
    from insitu_tem.gui.controllers.exports import Exports

    open_in(panel, sample[0])
    wait_for_edge(qtbot, panel, "W-O23")
    told = []
    exports = Exports(
        panel,
        panel.tasks,
        reporter,
        session=lambda: panel.state.session,
        profiles=lambda: [],
        folder=lambda: str(tmp_path),
        done=told.append,
    )
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    exports.eels_map_dialog()
    value = panel.result_value()
    counts, sigma = (tifffile.imread(tmp_path / f"W-O23_map{s}.tif") for s in ("", "_sigma"))
    assert counts.shape == sigma.shape == (1, 46) and not reporter.reports
    np.testing.assert_allclose(sigma[0], value["map_counts_sigma"], rtol=1e-6)
    rows = (tmp_path / "W-O23_map.csv").read_text().splitlines()
    assert rows[0] == "index,position_nm,counts,counts_sigma" and len(rows) == 47
    assert told and "W-O23 window map and its 1σ" in told[0]


def test_an_edge_that_is_not_there_reads_not_measured_with_the_reason(qtbot, panel, reporter):
    from insitu_tem.core.model import Axis, Dataset

    energy = 240.0 + 0.2 * np.arange(500)
    background = 1e4 * (energy / 240.0) ** -3
    spectra = np.random.default_rng(1).poisson(background, (3, 500)).astype(np.float32)
    axes = (Axis("x", 3, 1.0, 0.0, "nm"), Axis("E", 500, 0.2, 240.0, "eV"))
    open_in(panel, Dataset("spectrum_series", spectra, axes))
    assert panel.controls.edge_combo.currentData() is None, "no edge rises: it opens on none"
    choose_edge(panel, "C-K")
    wait_for_edge(qtbot, panel, "C-K")
    assert not panel.result_value()["edge_ok"]
    text = panel.readout.text()
    assert "C-K not measured: no edge of C-K" in text and "n/a" not in text
    assert not reporter.reports


def test_a_single_core_loss_spectrum_reads_plainly_over_its_own_range(qtbot, panel, reporter):
    from insitu_tem.core.model import Axis, Dataset

    energy = 240.0 + 0.2 * np.arange(500)
    spectrum = np.random.default_rng(1).poisson(1e4 * (energy / 240.0) ** -3).astype(np.float32)
    open_in(panel, Dataset("spectrum", spectrum, (Axis("E", 500, 0.2, 240.0, "eV"),)))
    choose_edge(panel, "C-K")
    wait_for_edge(qtbot, panel, "C-K")
    text = panel.readout.text()
    assert text.startswith("no ZLP · C-K not measured: no edge of C-K"), text
    assert "background χ²ᵣ" in text and text.count("measured") == 1
    assert "detected" not in text and "the shift reference" not in text
    assert "a lone spectrum: no chemical shift" in text and not reporter.reports
    assert panel.plot.getPlotItem().vb.viewRange()[0][0] > 230.0
    assert panel.plot.cursor.value() == pytest.approx(240.0)
    assert not panel.profiles.shift_points.isVisible()


def test_a_low_loss_spectrum_keeps_its_range_and_reads_counts_with_a_prefix(qtbot, panel):
    from insitu_tem.core.model import Axis, Dataset

    energy = -4.0 + 0.02 * np.arange(2100)
    model = 1e7 * np.exp(-0.5 * (energy / 0.1) ** 2) + 3e5 / (1 + ((energy - 15) / 1.5) ** 2)
    spectrum = np.random.default_rng(2).poisson(model + 2e4).astype(np.float32)
    panel.state.set_view("eels.elements", ["W"])  # the project's elements: W's edges are marked
    open_in(panel, Dataset("spectrum", spectrum, (Axis("E", 2100, 0.02, -4.0, "eV"),)))
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and panel.result_value() is not None, timeout=30000
    )
    assert "W O3" in panel.plot.marker_labels() and "W O2" not in panel.plot.marker_labels()
    assert panel.plot.getPlotItem().vb.viewRange()[0][1] < 40.0
    axis = panel.plot.getAxis("left")
    assert axis.labelString().endswith("intensity (Mcounts)</span>"), axis.labelString()
    qtbot.mouseClick(panel.controls.log_check, Qt.MouseButton.LeftButton)
    assert axis.labelString().endswith("intensity (counts)</span>"), axis.labelString()


def test_a_scan_with_a_probe_without_zlp_reads_t_over_lambda_not_measured(qtbot, panel, reporter):
    from insitu_tem.core.model import Axis, Dataset
    from insitu_tem.samples import eels as sample_module

    rng = np.random.default_rng(3)
    spectra = np.stack([sample_module.model_spectrum(f, 0.0, 0.45) for f in (0.0, 0.5, 1.0)])
    energy = sample_module.OFFSET_EV + sample_module.DISPERSION_EV * np.arange(spectra.shape[1])
    spectra[2, energy < 5.0] = spectra[2, np.searchsorted(energy, 5.0)]
    axes = (
        Axis("x", 3, 2.0, 0.0, "nm"),
        Axis("E", spectra.shape[1], sample_module.DISPERSION_EV, sample_module.OFFSET_EV, "eV"),
    )
    open_in(panel, Dataset("spectrum_series", rng.poisson(spectra).astype(np.float32), axes))
    wait_for_edge(qtbot, panel, "W-O23")
    assert not panel.result_value()["t_over_lambda_ok"] and panel.state.scan_index == 0
    text = panel.readout.text()
    assert "ZLP" in text and "no ZLP" not in text and not reporter.reports
    assert "t/λ not measured: no zero-loss peak found in 1 of 3 spectra" in text


def test_a_lone_spectrum_gets_the_panel_width_and_a_line_scan_its_profiles(qtbot, panel, sample):
    """A lone spectrum has no profile along a scan: the spectrum takes the panel's width (before,
    two empty profile plots took two fifths of it); a line scan opened next shows its profiles."""
    from insitu_tem.core.model import Dataset

    scan, _ = sample
    lone = Dataset("spectrum", np.asarray(scan.array[0]), scan.signal_axes)
    open_in(panel, lone)
    qtbot.waitUntil(lambda: panel.plot.width() > 0.9 * panel.width(), timeout=5000)
    assert not panel.profiles.isVisible()
    open_in(panel, scan)
    qtbot.waitUntil(lambda: panel.plot.width() < 0.8 * panel.width(), timeout=5000)
    assert panel.profiles.isVisible() and panel.profiles.width() > 0.3 * panel.width()
