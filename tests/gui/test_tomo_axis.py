"""The Tomography panel's tilt-axis direction driven like a user on a phantom whose axis is at
−30°: Auto measures it (± 1σ, method) and the shifts follow; a typed angle overrides it, undo
restores Auto; the choice and the measured result survive save → reopen; the CLI and the figure
provenance give the same number (the latter checked in test_tomo_menu_export)."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from scipy import ndimage

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.analysis.tomo.geometry import gauge_shifts
from insitu_tem.cli.main import main
from insitu_tem.gui.panels.tomo.axis_control import axis_text
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom

AXIS_DEG = -30.0


@pytest.fixture(scope="module")
def series_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tomo_axis")
    tilts = tuple(np.arange(-60.0, 60.1, 10.0))
    sample.write(folder, Phantom(size=64, tilts_deg=tilts, axis_angle_deg=AXIS_DEG, counts=200.0))
    return folder / sample.HAADF_NAME


@pytest.fixture
def panel(tomo_panel):
    return tomo_panel


def open_series(qtbot, panel, path):
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(path)
    panel.align_method.setCurrentText("xcorr")


def align(qtbot, panel):
    with qtbot.waitSignal(panel.controller.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    return panel.controller.alignment


def type_angle(qtbot, panel, text, spin=None):
    edit = (spin or panel.axis.angle).lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def shift_error(alignment, truth) -> float:
    ours = gauge_shifts(alignment.shifts_px, alignment.tilts_deg, AXIS_DEG)
    return float(np.sqrt(np.mean(np.sum((ours - truth) ** 2, axis=1))))


def test_auto_measures_the_axis_and_a_typed_angle_overrides_it(qtbot, panel, series_path):
    truth = np.array(json.loads(series_path.with_name(sample.TRUTH_NAME).read_text())["shifts_px"])
    open_series(qtbot, panel, series_path)
    assert panel.axis.auto.isChecked() and panel.axis.result.text() == "measured when aligning"
    measured = align(qtbot, panel)
    angle, sigma = measured.axis_angle_deg, measured.axis_angle_sigma_deg
    assert measured.axis_method in ("motion", "offset slope") and 0 < sigma < 1.0
    assert abs(angle - AXIS_DEG) < 1.0
    assert f"{angle:+.2f} ± {sigma:.2f}° ({measured.axis_method})" in panel.axis.result.text()
    assert panel.axis.auto.isChecked() and panel.axis.angle.value() == pytest.approx(angle, 0.01)
    assert shift_error(measured, truth) < 0.6 < 2.5 < np.sqrt(np.mean(np.sum(truth**2, axis=1)))
    line = panel.projections.axis_line
    assert line.isVisible() and line.angle == pytest.approx(90.0)
    assert line.pos().x() == pytest.approx(32.0 + measured.axis_offset_px)
    panel.projections.show_aligned.setChecked(False)
    assert line.angle == pytest.approx(90.0 - angle)
    panel.projections.show_sinogram.setChecked(True)
    assert not line.isVisible()

    offset = measured.axis_offset_px
    assert f"offset {offset:+.2f} ± {measured.axis_offset_sigma_px:.2f} px" in (
        panel.axis.result.text()
    )
    assert panel.axis.offset_auto.isChecked() and panel.axis.offset.value() == pytest.approx(
        offset, abs=0.01
    )
    type_angle(qtbot, panel, "0")
    assert not panel.axis.auto.isChecked() and panel.controller.axis_choice == 0.0
    assert panel.axis.result.text().endswith("; Align to use the new choice")
    panel.undo_stack.undo()
    assert panel.axis.auto.isChecked() and panel.controller.axis_choice is None
    assert not panel.axis.result.text().endswith("choice")
    panel.undo_stack.redo()
    assert not panel.axis.auto.isChecked()
    assert panel.state.session.parameters("tomo")["tilt_axis_angle"] == 0.0
    type_angle(qtbot, panel, "5", panel.axis.offset)
    assert not panel.axis.offset_auto.isChecked() and panel.controller.offset_choice == 5.0
    typed = align(qtbot, panel)
    assert typed.axis_angle_deg == 0.0 and typed.axis_method == "given"
    assert typed.axis_offset_px == 5.0 and shift_error(typed, truth) > 1.0
    assert panel.axis.result.text() == "+0.00° (typed), offset +5.00 px (typed)"
    panel.undo_stack.undo()
    assert panel.controller.alignment is measured and panel.axis.angle.value() == 0.0
    assert panel.axis.offset.value() == 5.0
    qtbot.mouseClick(panel.axis.offset_auto, Qt.MouseButton.LeftButton)
    assert panel.controller.offset_choice is None

    out = series_path.parent / "cli"
    args = ["tomo", str(series_path), "--tilt-axis-angle", "auto", "--align", "xcorr"]
    assert main([*args, "--method", "wbp", "--out", str(out), "--json", "--quiet"]) == 0
    document = json.loads((out / "alignment.json").read_text())
    assert document["tilt_axis_angle_deg"] == pytest.approx(angle, abs=1e-9)


def test_direction_not_measured_says_so_and_that_0_was_used():
    rng = np.random.default_rng(0)
    flat = ndimage.gaussian_filter(rng.poisson(5.0, (48, 48)).astype(float), 2)
    stack = np.array([rng.poisson(20 * flat) for _ in range(9)], dtype=np.float32)
    result = align_tilt_series(
        stack, np.arange(-40.0, 41.0, 10.0), method="none", axis_angle_deg=None
    )
    assert result.axis_method == "" and result.axis_angle_deg == 0.0
    text = axis_text(result)
    assert text.startswith("+0.00° — tilt-axis direction not found, 0° used: ")
    assert text.endswith(": type it") and axis_text(result, why=False) == "+0.00° (not measured)"


def test_axis_choice_and_measurement_survive_save_and_reopen(
    qtbot, window, wait_idle, series_path, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.gui.main_window import MainWindow

    panel = window.panels["tomo"]
    open_series(qtbot, panel, series_path)
    measured = align(qtbot, panel)
    window.docks["tomo"].raise_()
    panel.axis.angle.setFocus()
    type_angle(qtbot, panel, "-25.5")
    edit = panel.axis.angle.lineEdit()
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.axis.auto.isChecked() and panel.controller.axis_choice is None
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(edit, Qt.Key.Key_Z, redo)
    text, shifts = panel.axis.result.text(), measured.shifts_px.copy()
    assert panel.controller.axis_choice == -25.5 and "±" in text
    project_path = tmp_path / "axis.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    window.save_action.trigger()
    window.close()

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.show()
    tomo = reopened.panels["tomo"]
    with qtbot.waitSignal(tomo.controller.restored, timeout=60000):
        reopened.open_paths([project_path])
    wait_idle(reopened)
    assert tomo.controller.axis_choice == -25.5 and not tomo.axis.auto.isChecked()
    assert tomo.axis.angle.value() == -25.5 and tomo.axis.result.text() == text
    alignment = tomo.controller.alignment
    assert alignment.axis_method == measured.axis_method
    np.testing.assert_allclose(alignment.shifts_px, shifts)
    assert not reopened.project.dirty and reporter.reports == []
    reopened.tasks.cancel()
    reopened.tasks.wait_for_done(5000)
