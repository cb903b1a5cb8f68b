"""The FFT panel driven like a user: drag the ROI, click spots, filters, crystallinity,
calibration on a known reflection, d(t) tracking — on the HRTEM sample movie."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QUndoStack
from PySide6.QtWidgets import QApplication, QFileDialog

from insitu_tem.core.calibration import recalibrate
from insitu_tem.io.load import load
from insitu_tem.samples import hrtem
from insitu_tem.gui.panels.fft.aberration_fields import AberrationFields
from insitu_tem.gui.panels.fft.panel import FftPanel
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.tasks import TaskRunner


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    movie_path, truth_path = hrtem.write(tmp_path_factory.mktemp("fft_gui"))
    return load(movie_path), json.loads(truth_path.read_text())


@pytest.fixture
def panel(qtbot, reporter):
    state, tasks, undo = SessionBridge(), TaskRunner(reporter), QUndoStack()
    widget = FftPanel(state, tasks, undo)
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    widget.show()
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)


def idle(qtbot, panel):
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)


def open_sample(qtbot, panel, dataset):
    with qtbot.waitSignal(panel.measurement_shown, timeout=30000):
        panel.state.set_dataset("hrtem", dataset)
    idle(qtbot, panel)


def send(view, kind, point, button, buttons):
    viewport = view.viewport()
    event = QMouseEvent(
        kind,
        QPointF(point),
        QPointF(viewport.mapToGlobal(point)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def to_widget(view, x, y):
    return view.mapFromScene(view.view.mapViewToScene(QPointF(x, y)))


def drag(view, start, end):
    """Press at view coordinates ``start``, move to ``end`` and release, as a mouse would."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(view, QEvent.Type.MouseMove, to_widget(view, *start), none, none)
    send(view, QEvent.Type.MouseButtonPress, to_widget(view, *start), left, left)
    for f in np.linspace(0, 1, 10):
        point = (start[0] + f * (end[0] - start[0]), start[1] + f * (end[1] - start[1]))
        send(view, QEvent.Type.MouseMove, to_widget(view, *point), none, left)
    send(view, QEvent.Type.MouseButtonRelease, to_widget(view, *end), left, none)


def click_spot(qtbot, panel, spot, *, nudge=(0.0, 0.0)):
    """Left-click the FFT view on ``spot`` (optionally a little off it) and wait for the refined
    pick."""
    x, y = panel.spots.view_position(spot)
    step = panel.fft_view.axes[0].scale
    point = to_widget(panel.fft_view, x + nudge[1] * step, y + nudge[0] * step)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    with qtbot.waitSignal(panel.picks_changed, timeout=10000):
        send(panel.fft_view, QEvent.Type.MouseMove, point, none, none)
        send(panel.fft_view, QEvent.Type.MouseButtonPress, point, left, left)
        send(panel.fft_view, QEvent.Type.MouseButtonRelease, point, left, none)


def test_auto_spots_are_labelled_and_matched_to_wo3(qtbot, panel, sample, reporter):
    dataset, truth = sample
    buttons = [panel.controls.crystallinity_button, panel.controls.track_button]
    assert not panel.roi.isVisible() and not any(b.isEnabled() for b in buttons)
    assert not panel.image_view.hint.isHidden() and "Open an HRTEM" in panel.image_view.hint.text()
    open_sample(qtbot, panel, dataset)
    assert reporter.reports == []
    assert panel.image_view.hint.isHidden() and panel.roi.isVisible()
    assert all(b.isEnabled() for b in buttons)
    labels = panel.spots_overlay.label_texts()
    assert "(0 2 0)" in labels and any(t in labels for t in ("(2 0 0)", "(-2 0 0)"))
    tips = [label.toolTip() for label in panel.spots_overlay.labels]
    assert any(tip.startswith("3.77") and "(0 2 0) γ-WO3" in tip for tip in tips)
    assert any(tip.startswith("3.65") and "2 0 0) γ-WO3" in tip for tip in tips)
    assert set(panel.table.column_texts(6)) == {"γ-WO3"}
    d_values = sorted(float(v) for v in panel.table.column_texts(0))
    assert d_values[-2:] == pytest.approx(sorted(truth["phases"]["WO3"]["d_A"].values()), rel=1e-3)
    assert "best match: γ-WO3 [001]" in panel.lattice_label.text()
    assert panel.fft_view.frame.shape == (128, 128)


def test_dragging_the_roi_across_the_front_changes_the_lattice(qtbot, panel, sample):
    dataset, _ = sample
    open_sample(qtbot, panel, dataset)
    panel.navigator.slider.setValue(16)
    idle(qtbot, panel)
    r0, c0, side = panel.roi_bounds()
    row, col = dataset.signal_axes
    centre = (col.to_value(c0 + side / 2), row.to_value(r0 + side / 2))
    drag(panel.image_view, centre, (col.to_value(256 - side / 2 - 2), centre[1]))
    qtbot.waitUntil(lambda: panel.roi_bounds()[1] >= 120, timeout=5000)
    idle(qtbot, panel)
    assert panel.jobs.measurement.spectrum.shape == (side, side)
    fit = panel.jobs.measurement.fit
    assert [10 * fit.d_a_nm, 10 * fit.d_b_nm] == pytest.approx([3.72, 3.72], rel=3e-3)
    drag(
        panel.image_view,
        (col.to_value(256 - side / 2 - 2), centre[1]),
        (col.to_value(side / 2 + 1), centre[1]),
    )
    qtbot.waitUntil(lambda: panel.roi_bounds()[1] <= 8, timeout=5000)
    idle(qtbot, panel)
    assert not panel.jobs.measurement.fit.ok and "broad ring" in panel.warning_label.text()


def test_latest_roi_request_wins(qtbot, panel, sample):
    open_sample(qtbot, panel, sample[0])
    for side in (40, 48, 56, 64, 72, 96):
        panel.set_roi_px(10, 10, side)
    idle(qtbot, panel)
    assert panel.jobs.measurement.spectrum.shape == (96, 96)


def test_click_one_then_two_spots_reads_d_and_angle(qtbot, panel, sample):
    open_sample(qtbot, panel, sample[0])
    spots = panel.jobs.measurement.spots
    first = next(s for s in spots if abs(s.d_A - 3.770) < 0.01)
    second = next(s for s in spots if abs(s.d_A - 3.653) < 0.01)
    click_spot(qtbot, panel, first, nudge=(1.2, -0.8))
    assert panel.jobs.picked[0].d_A == pytest.approx(first.d_A, rel=1e-9)
    text = panel.readout.text()
    picked = panel.jobs.picked[0]
    assert 0 < picked.sigma_d_nm < 0.01 * picked.d_nm
    assert f"d = {first.d_A:.4f} ± {10 * picked.sigma_d_nm:.4f} Å ({first.d_nm:.5f} nm)" in text
    assert "angle" in text
    click_spot(qtbot, panel, second)
    assert (
        "angle between spots = 90." in panel.readout.text()
        or "angle between spots = 89.9" in panel.readout.text()
    )
    assert len(panel.spots_overlay.picked.getData()[0]) == 2
    click_spot(qtbot, panel, first)
    assert len(panel.jobs.picked) == 1
    qtbot.mouseClick(panel.controls.clear_button, Qt.MouseButton.LeftButton)
    assert panel.jobs.picked == [] and "Click a spot" in panel.readout.text()


def test_bragg_absf_and_wiener_views(qtbot, panel, sample):
    open_sample(qtbot, panel, sample[0])
    raw = panel.filtered_view.frame.copy()
    first = next(s for s in panel.jobs.measurement.spots if abs(s.d_A - 3.770) < 0.01)
    click_spot(qtbot, panel, first)
    panel.controls.filter.setCurrentText("Bragg")
    qtbot.waitUntil(
        lambda: panel.tasks.is_idle() and not np.allclose(panel.filtered_view.frame, raw),
        timeout=10000,
    )
    fringes = panel.filtered_view.frame - panel.filtered_view.frame.mean()
    profile = np.abs(np.fft.fft2(fringes))
    profile[0, 0] = 0
    peak = np.unravel_index(np.argmax(profile), profile.shape)
    k = np.hypot(*[min(p, n - p) for p, n in zip(peak, profile.shape)]) / (profile.shape[0] * 0.05)
    assert 10 / k == pytest.approx(3.77, rel=0.03)
    for mode in ("ABSF", "Wiener"):
        panel.controls.filter.setCurrentText(mode)
        idle(qtbot, panel)
        assert panel.filtered_view.frame.std() < raw.std()


def test_crystallinity_overlay_and_fraction(qtbot, panel, sample):
    dataset, truth = sample
    open_sample(qtbot, panel, dataset)
    panel.navigator.slider.setValue(12)
    idle(qtbot, panel)
    qtbot.mouseClick(panel.controls.crystallinity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.crystal.result is not None, timeout=30000)
    shown = panel.crystal.label.text().split("fraction ")[1].split(" %")[0]
    fraction, sigma = (float(v) / 100 for v in shown.split(" ± "))
    assert fraction == pytest.approx(truth["frames"][12]["crystalline_fraction"], abs=0.05)
    assert 0 < sigma < 0.05
    result = panel.crystal.result
    shown = f"domain size {result.domain_size_nm:.2f} ± {result.sigma_domain_size_nm:.2f} nm"
    assert shown in panel.crystal.label.text() and result.sigma_domain_size_nm > 0
    assert panel.crystal.overlay.isVisible() and panel.crystal.overlay.mask.shape == (256, 256)
    assert (
        not panel.crystal.overlay.mask[:, :40].any() and panel.crystal.overlay.mask[:, -40:].all()
    )
    panel.controls.show_overlay.setChecked(False)
    assert not panel.crystal.overlay.isVisible()
    panel.controls.show_overlay.setChecked(True)
    panel.navigator.slider.setValue(13)
    assert (
        not panel.crystal.overlay.isVisible()
        and panel.crystal.result is None
        and panel.crystal.label.text() == ""
    )
    panel.controls.show_overlay.setChecked(False)
    panel.controls.show_overlay.setChecked(True)
    assert not panel.crystal.overlay.isVisible()


def test_a_crystal_filling_the_frame_reads_domain_size_not_measured(qtbot, panel, sample):
    dataset, _ = sample
    open_sample(qtbot, panel, dataset)
    qtbot.mouseClick(panel.controls.crystallinity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.crystal.result is not None, timeout=30000)
    text = panel.crystal.label.text()
    assert panel.crystal.result.sigma_crystalline_fraction == 0, "no redraw moved the fraction"
    assert text.startswith("crystalline fraction 100.0 % (1σ not measured: "), "was '± 0.0 %'"
    assert "domain size not measured: the crystal fills the field of view" in text


def test_calibration_on_a_picked_reflection_warns_applies_and_undoes(qtbot, panel, sample):
    dataset, _ = sample
    wrong = recalibrate(dataset, scale=0.05 * 1.04, units="nm")
    open_sample(qtbot, panel, wrong)
    with qtbot.waitSignal(panel.measurement_shown, timeout=10000):
        panel.controls.set_reference("γ-WO3", "020")
    idle(qtbot, panel)
    b_spot = next(s for s in panel.jobs.measurement.spots if abs(s.d_A - 3.770 * 1.04) < 0.02)
    click_spot(qtbot, panel, b_spot)
    idle(qtbot, panel)
    assert panel.jobs.calibration.error_percent == pytest.approx(4.0, abs=0.15)
    assert "disagrees" in panel.warning_label.text() and panel.controls.apply_button.isEnabled()
    qtbot.mouseClick(panel.controls.apply_button, Qt.MouseButton.LeftButton)
    idle(qtbot, panel)
    assert panel.dataset.axes[-1].scale == pytest.approx(0.05, rel=1e-3)
    assert panel.state.dataset("hrtem") is panel.dataset
    assert panel.dataset.metadata["calibration_override"]["scale"] == pytest.approx(0.05, rel=1e-3)
    assert (
        panel.jobs.measurement.calibration.agrees and "disagrees" not in panel.warning_label.text()
    )
    assert not panel.controls.apply_button.isEnabled()
    panel.undo_stack.undo()
    idle(qtbot, panel)
    assert panel.dataset.axes[-1].scale == pytest.approx(0.052)
    assert panel.project_state()["reference"] == {"phase": "γ-WO3", "hkl": "020"}


def test_bad_reference_is_reported_in_the_panel(qtbot, panel, sample, reporter):
    open_sample(qtbot, panel, sample[0])
    panel.controls.set_reference("W", "100")
    qtbot.waitUntil(
        lambda: "not an allowed reflection" in panel.warning_label.text(), timeout=10000
    )
    panel.controls.set_reference("W", "1x")
    assert "three Miller indices" in panel.warning_label.text() and reporter.reports == []


def test_track_d_of_t_across_the_front_and_save_csv(qtbot, panel, sample, tmp_path, monkeypatch):
    dataset, truth = sample
    open_sample(qtbot, panel, dataset)
    panel.set_roi_px(40, 150, 106)
    idle(qtbot, panel)
    strongest = panel.jobs.measurement.spots[0]
    click_spot(qtbot, panel, strongest)
    qtbot.mouseClick(panel.controls.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.series is not None, timeout=30000)
    d_A = 10 * panel.series.d_nm[:, 0]
    assert d_A[0] == pytest.approx(strongest.d_A, rel=2e-3)
    assert d_A[17] == pytest.approx(3.72, rel=3e-3)
    assert np.all(np.isnan(d_A[-2:]))
    assert len(panel.series_plot.curves) == 1
    shown = panel.series_plot.plot.getPlotItem()
    assert shown.getAxis("left").isVisible() and not panel.series_plot.hint.label.isVisible()
    assert panel.series_plot.cursor.isVisible()
    sigma_A = 10 * panel.series.sigma_d_nm[:, 0]
    found = np.isfinite(d_A)
    assert np.all(np.isfinite(sigma_A[found]) & (sigma_A[found] > 0))
    bars = panel.series_plot.bars[0].opts
    np.testing.assert_allclose(bars["x"], panel.series.times_s[found])
    np.testing.assert_allclose(bars["y"], d_A[found])
    np.testing.assert_allclose(bars["height"], 2 * sigma_A[found])
    assert "±1σ bars" in panel.series_plot.status.text()
    target = tmp_path / "d_t.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(panel.series_plot.save_button, Qt.MouseButton.LeftButton)
    lines = target.read_text().splitlines()
    assert len(lines) == 25 and lines[0].startswith("frame,time_s,spot1_d_A")


def test_movie_role_follows_the_linked_frame_and_project_state_round_trips(qtbot, panel, sample):
    dataset, _ = sample
    with qtbot.waitSignal(panel.measurement_shown, timeout=30000):
        panel.state.set_dataset("movie", dataset)
    panel.state.set_frame(7)
    assert panel.navigator.index == 7
    panel.set_roi_px(20, 30, 64)
    panel.controls.snr.setValue(20.0)
    saved = panel.project_state()
    panel.set_roi_px(0, 0, 128)
    panel.controls.snr.setValue(15.0)
    panel.restore_project_state(saved)
    idle(qtbot, panel)
    assert panel.roi_bounds() == (20, 30, 64) and panel.controls.snr.value() == 20.0


def test_panel_and_cli_give_the_same_numbers(qtbot, panel, sample, capsys):
    from insitu_tem.cli.main import main

    dataset, _ = sample
    open_sample(qtbot, panel, dataset)
    panel.navigator.slider.setValue(3)
    panel.set_roi_px(20, 40, 160)
    idle(qtbot, panel)
    assert (
        main(["lattice", dataset.source, "--frame", "3", "--roi", "20:180,40:200", "--json"]) == 0
    )
    document = json.loads(capsys.readouterr().out)
    fit = panel.jobs.measurement.fit
    assert document["lattice"]["d_a_A"] == pytest.approx(10 * fit.d_a_nm, rel=1e-12)
    assert document["lattice"]["d_b_A"] == pytest.approx(10 * fit.d_b_nm, rel=1e-12)
    assert [s["d_A"] for s in document["spots"]] == pytest.approx(
        [float(v) for v in panel.table.column_texts(0)], abs=6e-5
    )
    assert [s["phase"] for s in document["spots"]] == panel.table.column_texts(6)
    assert [s["sigma_d_A"] for s in document["spots"]] == pytest.approx(
        [float(v) for v in panel.table.column_texts(7)], abs=6e-5
    )


def test_the_crystallinity_takes_the_given_defocus_and_cs_undoably_and_saves_them(
    qtbot, panel, sample
):
    dataset, _ = sample
    open_sample(qtbot, panel, dataset)
    panel.navigator.slider.setValue(12)
    idle(qtbot, panel)
    fields = panel.controls.aberrations
    assert not fields.is_given() and not fields.defocus_nm.isEnabled()
    qtbot.mouseClick(panel.controls.crystallinity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.crystal.result is not None, timeout=30000)
    plain = panel.crystal.result
    assert "lattice delocalisation not in the 1σ (Δf not given)" in panel.crystal.label.text()
    fields.known.setFocus()
    qtbot.keyClick(fields.known, Qt.Key.Key_Down)
    assert not fields.is_given() and not fields.defocus_nm.isEnabled()
    qtbot.keyClick(fields.known, Qt.Key.Key_Down)
    assert fields.is_given() and fields.defocus_nm.isEnabled()
    assert panel.undo_stack.count() == 1
    fields.defocus_nm.lineEdit().selectAll()
    qtbot.keyClicks(fields.defocus_nm.lineEdit(), "-60")
    qtbot.keyClick(fields.defocus_nm, Qt.Key.Key_Up)
    assert fields.defocus_nm.value() == pytest.approx(-55.0)
    panel.crystal.forget()
    qtbot.mouseClick(panel.controls.crystallinity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.crystal.result is not None, timeout=30000)
    given = panel.crystal.result
    assert given.delocalisation_nm > 0
    assert f"lattice delocalisation {given.delocalisation_nm:.2f} nm in the 1σ" in (
        panel.crystal.label.text()
    )
    assert given.sigma_crystalline_fraction > plain.sigma_crystalline_fraction
    saved = panel.project_state()["aberrations"]
    assert saved == {"known": 2, "kv": 300.0, "defocus_nm": -55.0, "cs_mm": 1.2}
    while panel.undo_stack.canUndo():
        panel.undo_stack.undo()
    assert not fields.is_given() and fields.defocus_nm.value() == 0.0
    panel.restore_project_state({"aberrations": saved})
    assert fields.is_given() and fields.defocus_nm.value() == -55.0
    panel.restore_project_state({"aberrations": {"given": True, "defocus_nm": 40.0, "cs_mm": 1.2}})
    assert fields.is_given() and fields.defocus_nm.value() == 40.0


def test_the_files_defocus_and_cs_fill_the_fields(qtbot, panel, sample):
    dataset, _ = sample
    both = replace(dataset, metadata={**dataset.metadata, "defocus_nm": 40.0, "cs_mm": 0.5})
    open_sample(qtbot, panel, both)
    fields = panel.controls.aberrations
    assert fields.is_given() and (fields.defocus_nm.value(), fields.cs_mm.value()) == (40.0, 0.5)
    assert panel.undo_stack.count() == 0
    alone = AberrationFields()
    qtbot.addWidget(alone)
    alone.fill_from({"defocus_nm": 48.0})
    assert alone.defocus_nm.value() == 48.0 and not alone.is_given()
