"""The movie panel's front and kinetics tools driven like a user: a line with its live
kymograph, front marks with undo and drag, automatic tracking with the kinetics readout, film
thickness and strain, CSV export and the project round trip."""

import csv
import re

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog

from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.samples import EXPERIMENT
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from tests.gui.movie_panel_support import (
    ROW,
    click_movie,
    draw_line,
    sample_dataset,
    shown_panel,
)


@pytest.fixture(scope="module")
def sample():
    return sample_dataset()


@pytest.fixture
def panel(qtbot, sample):
    yield from shown_panel(qtbot, sample)


def test_draw_a_line_and_drag_it_updates_the_kymograph(qtbot, panel):
    draw_line(qtbot, panel, (ROW, 10), (ROW, 240))
    kymo_view = panel.front.kymograph_view
    assert kymo_view.image.shape[0] == 60 and abs(kymo_view.image.shape[1] - 231) <= 2
    np.testing.assert_allclose(panel.front.line_rc, [[ROW, 10], [ROW, 240]], atol=0.6)
    assert panel.front.roi is not None
    first = kymo_view.image.copy()
    handle = panel.front.roi.getHandles()[1]
    with qtbot.waitSignal(panel.front.kymograph_ready, timeout=20000):
        panel.front.roi.movePoint(handle, QPointF(200.0 * 2, 100.0 * 2))
    assert kymo_view.image.shape[1] < first.shape[1]
    np.testing.assert_allclose(panel.front.line_rc[1], [100.0, 200.0], atol=0.6)


def test_mark_the_front_by_clicks_undo_redo_and_interpolate(qtbot, panel, sample):
    _, truth = sample
    draw_line(qtbot, panel, (ROW, 0), (ROW, 250))
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    for frame in (10, 30, 50):
        panel.navigator.set_index(frame)
        click_movie(qtbot, panel, ROW, truth.front_raw_px[frame])
    assert sorted(panel.front.annotations.keyframes) == [10, 30, 50]
    panel.navigator.set_index(20)
    xs, _ = panel.front.overlay.interpolated_line.getData()
    assert xs is not None and len(xs) == 1
    assert xs[0] / 2.0 == pytest.approx(
        (truth.front_raw_px[10] + truth.front_raw_px[30]) / 2, abs=1.0
    )
    positions, times = panel.front.kymograph_view.manual_points.getData()
    np.testing.assert_allclose(times, [5.0, 15.0, 25.0])
    np.testing.assert_allclose(positions, 2.0 * truth.front_raw_px[[10, 30, 50]], atol=2.0)
    panel.undo_stack.undo()
    assert sorted(panel.front.annotations.keyframes) == [10, 30]
    panel.undo_stack.redo()
    panel.navigator.set_index(30)
    qtbot.mouseClick(panel.front.delete_button, Qt.MouseButton.LeftButton)
    assert sorted(panel.front.annotations.keyframes) == [10, 50]
    panel.undo_stack.undo()
    assert 30 in panel.front.annotations.keyframes


def test_drag_a_marked_point_is_an_undoable_move(qtbot, panel):
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    panel.navigator.set_index(5)
    click_movie(qtbot, panel, ROW, 60)
    target = panel.front.overlay.targets[0]
    target.setPos(QPointF(70 * 2.0, ROW * 2.0))
    target.sigPositionChangeFinished.emit(target)
    qtbot.waitUntil(
        lambda: panel.front.annotations.points(5)[0][1] == pytest.approx(70.0), timeout=3000
    )
    panel.undo_stack.undo()
    assert panel.front.annotations.points(5)[0][1] == pytest.approx(60.0, abs=0.6)


def test_automatic_tracking_reads_x0_k_n_and_velocity(qtbot, panel, sample):
    _, truth = sample
    qtbot.mouseClick(panel.processing.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.processing.drift_correct.isChecked(), timeout=60000)
    panel.front.width_spin.setValue(41)
    draw_line(qtbot, panel, (ROW, 0), (ROW, 255))
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=90000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    text = panel.front.kinetics.readout.text()
    n_value, n_error = (float(v) for v in re.search(r"n = ([\d.]+) ± ([\d.e-]+)", text).groups())
    assert abs(n_value - EXPERIMENT.front.n) <= 0.02 and 0 < n_error < 0.02
    x0 = float(re.search(r"x0 = ([\d.]+)", text).group(1))
    assert x0 == pytest.approx(2.0 * EXPERIMENT.front.x0_px, abs=2.0)
    panel.navigator.set_index(40)
    speed, speed_sigma = (
        float(v)
        for v in re.search(
            r": ([\d.]+) ± ([\d.e-]+) nm/s", panel.front.kinetics.velocity_label.text()
        ).groups()
    )
    true_speed = 2.0 * 30.0 * 0.5 / np.sqrt(20.0)
    assert speed == pytest.approx(true_speed, rel=0.05) and 0 < speed_sigma < 0.05 * true_speed
    value = panel.state.session.result("front").value
    near_t0 = np.flatnonzero(
        np.isfinite(np.asarray(value["velocity"], float))
        & ~np.isfinite(np.asarray(value["velocity_sigma"], float))
    )
    panel.navigator.set_index(int(near_t0[0]))
    assert re.search(
        r": [\d.]+ nm/s \(fit; no 1σ within 2σ of t0\)$",
        panel.front.kinetics.velocity_label.text(),
    )
    measured = panel.front.kinetics.velocity_bars.opts
    assert measured["x"].size > 30 and np.all(measured["height"] > 0)
    (tb, low), (_, high) = (e.getData() for e in panel.front.kinetics.velocity_band_edges)
    shaded = np.isin(np.asarray(value["times"], float), tb)
    assert tb.size > 30 and np.allclose(
        (high - low) / 2, np.asarray(value["velocity_sigma"], float)[shaded]
    )
    t, x = panel.front.kinetics.auto_points.getData()
    assert np.sqrt(np.mean((x / 2.0 - truth.front_specimen_px) ** 2)) <= 0.5
    bars = panel.front.kinetics.auto_bars.opts
    sigma = np.asarray(panel.state.session.result("front").value["position_sigma"], float)
    np.testing.assert_allclose(bars["x"], t[np.isfinite(x)])
    np.testing.assert_allclose(bars["height"], 2.0 * sigma[np.isfinite(x)])
    assert panel.front.kinetics.fit_curve.getData()[0] is not None


def test_a_track_without_drift_correction_says_so_and_measuring_drift_clears_its_fit(
    qtbot, panel, sample
):
    _, truth = sample
    panel.front.width_spin.setValue(41)
    draw_line(qtbot, panel, (ROW, 0), (ROW, 255))
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=30000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    assert "Drift not corrected" in panel.front.status.text()
    assert "n = " in panel.front.kinetics.readout.text()
    assert panel.front.kinetics.drift_curves[0].getData()[0] is None
    qtbot.mouseClick(panel.processing.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.processing.drift_correct.isChecked(), timeout=20000)
    assert panel.state.session.result("front") is None
    assert panel.front.kinetics.auto_points.getData()[0] is None
    assert "n = " not in panel.front.kinetics.readout.text()
    times, rows = panel.front.kinetics.drift_curves[0].getData()
    assert len(times) == 60 and np.abs(rows - truth.drift_px[:, 0]).max() < 0.5
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=30000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    assert "Drift not corrected" not in panel.front.status.text()
    assert panel.state.session.result("front").inputs["result.drift"] != ""


def test_film_thickness_gives_the_strain_curve(qtbot, panel):
    panel.front.width_spin.setValue(41)
    draw_line(qtbot, panel, (60, 120), (200, 120))
    with qtbot.waitSignal(panel.tasks.finished, timeout=20000):
        qtbot.mouseClick(panel.front.thickness_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.front.kinetics.strain_curve.getData()[0] is not None, timeout=5000
    )
    _, strain = panel.front.kinetics.strain_curve.getData()
    assert np.nanmean(strain[-10:]) == pytest.approx(100 * EXPERIMENT.expansion, abs=0.7)
    assert abs(np.nanmean(strain[:5])) < 0.5
    value = panel.state.session.result("film.thickness").value
    bars = panel.front.kinetics.strain_bars.opts
    strain, sigma = (np.asarray(value[k], float) for k in ("strain", "strain_sigma"))
    shown = np.isfinite(strain) & np.isfinite(sigma)
    np.testing.assert_allclose(bars["height"], 200 * sigma[shown])
    final = value_with_sigma(value["final_strain_percent"], value["final_strain_sigma_percent"])
    assert f"strain in the last frames {final} % (1σ: edge fits" in panel.front.status.text()


def test_csv_export_and_project_round_trip(qtbot, panel, sample, tmp_path, monkeypatch):
    dataset, _ = sample
    draw_line(qtbot, panel, (ROW, 20), (ROW, 220))
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    for frame, col in ((4, 70.0), (8, 90.0)):
        panel.navigator.set_index(frame)
        click_movie(qtbot, panel, ROW, col)
    out = tmp_path / "front.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(panel.front.export_button, Qt.MouseButton.LeftButton)
    with open(out, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [int(r["frame"]) for r in rows] == [4, 5, 6, 7, 8]
    assert float(rows[2]["x_px"]) == pytest.approx(80.0, abs=0.6)
    assert float(rows[2]["x_nm"]) == pytest.approx(2 * float(rows[2]["x_px"]))
    assert float(rows[2]["time_s"]) == 3.0 and rows[2]["keyframe"] == "False"
    saved = panel.project_state()
    other = MoviePanel(SessionBridge(), panel.tasks, QUndoStack())
    qtbot.addWidget(other)
    other.set_dataset(dataset)
    other.restore_project_state(saved)
    assert other.front.annotations.keyframes == panel.front.annotations.keyframes
    np.testing.assert_allclose(other.front.line_rc, panel.front.line_rc)
    assert other.view.levels() == pytest.approx(panel.view.levels())
