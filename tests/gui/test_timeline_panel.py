"""The timeline panel driven like a user: open the sample log, drag the cursor, set the clock
offset."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence, QUndoStack

from insitu_tem.gui.controllers.timeline import TimelineController
from insitu_tem.gui.panels.timeline.panel import CHARGE, TimelinePanel
from insitu_tem.core.uncertainty_text import si_value_with_sigma
from insitu_tem.gui.tasks import TaskRunner

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
TRUTH = json.loads((SAMPLES / "holder_log.truth.json").read_text())
FRAME_TIMES = np.array(TRUTH["frame_times_s"])


@pytest.fixture
def timeline(qtbot, reporter):
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    frames = []
    undo = QUndoStack()
    controller = TimelineController(
        panel, TaskRunner(reporter), undo, frame_times=lambda: FRAME_TIMES, set_frame=frames.append
    )
    controller.open_log(SAMPLES / "holder_log.csv")
    qtbot.waitUntil(lambda: panel.timeline is not None, timeout=20000)
    yield panel, controller, undo, frames
    assert not reporter.reports


def test_log_opens_with_charge_current_and_bias_plotted(timeline):
    panel, controller, _, _ = timeline
    assert panel.checked_channels() == [CHARGE, "Channel A Current", "Channel A Voltage"]
    labels = [plot.legend.items[0][1].text for plot in panel.plots.plot_items]
    assert labels == [CHARGE, "Channel A Current", "Channel A Voltage"]
    assert "frame 1, " in panel.status.text()


def test_dragging_the_cursor_moves_the_movie_and_reads_the_charge(timeline, qtbot):
    panel, controller, _, frames = timeline
    cursor = panel.plots.cursors[0]
    cursor.setValue(12.0)
    cursor.sigDragged.emit(cursor)
    assert frames[-1] == 24
    panel.set_frame(24)
    value, sigma = panel.timeline.charge_C[24], panel.timeline.charge_sigma_C[24]
    assert f"Q = {si_value_with_sigma(value, sigma, 'C')}" in panel.status.text()


def test_typed_offset_is_one_undo_step_and_lines_the_charge_up_with_truth(timeline, qtbot):
    panel, controller, undo, _ = timeline
    panel.offset.setFocus()
    panel.offset.selectAll()
    qtbot.keyClicks(panel.offset, str(TRUTH["offset_s"]))
    qtbot.keyClick(panel.offset, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.timeline.offset_s == TRUTH["offset_s"], timeout=20000)
    charge, sigma = panel.timeline.charge_C[1:], panel.timeline.charge_sigma_C[1:]
    assert np.all(np.abs(charge - np.array(TRUTH["charge_at_frames_C"][1:])) < 3 * sigma)
    assert undo.count() == 1
    undo.undo()
    qtbot.waitUntil(lambda: panel.timeline.offset_s == 0.0, timeout=20000)
    assert panel.offset.value() == 0.0


def test_sync_on_an_event_clicked_in_the_plot(timeline, qtbot):
    panel, controller, _, _ = timeline
    plot = panel.plots.plot_items[1]
    event_movie_time = 2.0
    scene_point = plot.vb.mapViewToScene(QPointF(event_movie_time, 0.0))
    view_point = panel.plots.mapFromScene(scene_point)
    qtbot.mouseClick(panel.plots.viewport(), Qt.MouseButton.LeftButton, pos=view_point)
    assert panel.sync_button.isEnabled()
    clicked_log_time = panel.clicked_log_time
    panel.set_frame(0)
    qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.timeline.offset_s != 0.0, timeout=20000)
    assert panel.timeline.offset_s == pytest.approx(clicked_log_time, abs=1e-9)


def test_project_state_round_trip(timeline, qtbot, reporter):
    panel, controller, _, _ = timeline
    controller.edit_offset(5.0)
    qtbot.waitUntil(
        lambda: panel.timeline is not None and panel.timeline.offset_s == 5.0, timeout=20000
    )
    state = controller.project_state()
    other = TimelinePanel()
    qtbot.addWidget(other)
    restored = TimelineController(
        other,
        TaskRunner(reporter),
        QUndoStack(),
        frame_times=lambda: FRAME_TIMES,
        set_frame=lambda i: None,
    )
    restored.restore_project_state(json.loads(json.dumps(state)))
    qtbot.waitUntil(
        lambda: other.timeline is not None and other.timeline.offset_s == 5.0, timeout=20000
    )
    assert np.array_equal(other.timeline.charge_C, panel.timeline.charge_C, equal_nan=True)


def test_main_window_timeline_saves_and_reopens_with_the_project(
    qtbot, tmp_path, reporter, monkeypatch
):
    import shutil

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QFileDialog

    from insitu_tem.gui.main_window import MainWindow

    for name in ("lithiation_movie.tif", "holder_log.csv"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, reporter)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.open_paths([tmp_path / "lithiation_movie.tif"])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "holder_log.csv"), "")
    )
    panel = window.workbench().timeline.panel
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.timeline is not None, timeout=60000)
    assert window.docks["timeline"].isVisible()
    panel.offset.setFocus()
    panel.offset.selectAll()
    qtbot.keyClicks(panel.offset, "5")
    qtbot.keyClick(panel.offset, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.timeline.offset_s == 5.0, timeout=60000)
    window.state.set_frame(20)
    assert panel.frame == 20 and "frame 21, " in panel.status.text()
    saved = tmp_path / "with_log.itproj"
    window.project.save(saved)
    other = MainWindow(
        QSettings(str(tmp_path / "settings2.ini"), QSettings.Format.IniFormat), reporter
    )
    qtbot.addWidget(other)
    other.project.open(saved)
    qtbot.waitUntil(lambda: other.workbench().timeline.panel.timeline is not None, timeout=60000)
    assert other.workbench().timeline.offset_s == 5.0
    assert np.array_equal(
        other.workbench().timeline.panel.timeline.charge_C, panel.timeline.charge_C, equal_nan=True
    )


def test_sample_project_opens_with_current_and_bias_under_the_movie(qtbot, tmp_path, reporter):
    from PySide6.QtCore import QSettings

    from insitu_tem.gui.main_window import MainWindow

    window = MainWindow(
        QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), reporter
    )
    qtbot.addWidget(window)
    window.project.open(SAMPLES / "sample.itproj", as_template=True)
    panel = window.workbench().timeline.panel
    qtbot.waitUntil(lambda: panel.timeline is not None, timeout=60000)
    assert panel.timeline.offset_s == TRUTH["offset_with_start_times_s"]
    assert {"Channel A Current", "Channel A Voltage"} <= set(panel.checked_channels())
    window.state.set_frame(40)
    charge, sigma = panel.timeline.charge_C[40], panel.timeline.charge_sigma_C[40]
    assert abs(charge - TRUTH["charge_at_frames_C"][40]) < 3 * sigma
    assert f"Q = {si_value_with_sigma(charge, sigma, 'C')}" in panel.status.text()
    assert re.search(r"Q = -?\d+(\.\d+)? ± \d+(\.\d+)? [fpnµm]C", panel.status.text())
    front_view = panel.front_view
    qtbot.waitUntil(lambda: front_view.readout.text().startswith("Front at"), timeout=60000)
    assert front_view.crossing.isVisible()
    assert front_view.crossing.value() == pytest.approx(
        float(re.search(r"Q = (\S+) ± \S+ pC", front_view.readout.text()).group(1)) * 1e-12,
        rel=0.05,
    )


def test_a_missing_log_in_a_project_is_named_not_reported_as_an_error(qtbot, reporter, tmp_path):
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    controller = TimelineController(
        panel,
        TaskRunner(reporter),
        QUndoStack(),
        frame_times=lambda: FRAME_TIMES,
        set_frame=lambda i: None,
    )
    controller.restore_project_state({"log_path": "gone.csv", "offset_s": 2.0}, base=tmp_path)
    assert "gone.csv was not found" in panel.status.text()
    assert controller.project_state()["log_path"] == "gone.csv" and controller.offset_s == 2.0
    assert not reporter.reports


def test_dose_inputs_and_film_geometry_are_saved_and_restored(qtbot, reporter):
    from insitu_tem.gui.controllers.session_bridge import SessionBridge

    def make():
        panel = TimelinePanel()
        qtbot.addWidget(panel)
        controller = TimelineController(
            panel,
            TaskRunner(reporter),
            QUndoStack(),
            frame_times=lambda: FRAME_TIMES,
            set_frame=lambda i: None,
            state=SessionBridge(),
        )
        return panel, controller

    panel, controller = make()
    panel.tabs.setCurrentIndex(2)
    panel.show()
    for spin, value in ((panel.geometry.height, 160.0), (panel.geometry.depth, 90.0)):
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, f"{value:g}")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    panel.dose_inputs.source.setCurrentIndex(1)
    panel.dose_inputs.value.setValue(12.0)
    qtbot.mouseClick(panel.dose_inputs.compute, Qt.MouseButton.LeftButton)
    assert "Cannot compute the dose" in panel.status.text()
    state = json.loads(json.dumps(controller.project_state()))
    assert state["geometry"]["height_nm"] == 160.0 and state["geometry"]["depth_nm"] == 90.0
    assert state["dose"]["counts_per_electron"] == 12.0
    other, restored = make()
    restored.restore_project_state(state)
    assert other.geometry.depth.value() == 90.0 and other.geometry.molar_mass.value() == 231.84
    assert other.dose_inputs.source.currentIndex() == 1 and other.dose_inputs.value.value() == 12.0
    restored.reset()
    assert other.geometry.depth.value() == 0.0 and other.dose_inputs.source.currentIndex() == 0


def test_film_height_measured_along_the_movie_line_fills_the_geometry(qtbot, reporter):
    from insitu_tem.core.session import Session
    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.io.load import load

    session = Session(checksums=False)
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_analysis_line([(40.0, 200.0), (216.0, 200.0)])
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    undo = QUndoStack()
    TimelineController(
        panel,
        TaskRunner(reporter),
        undo,
        frame_times=lambda: FRAME_TIMES,
        set_frame=lambda i: None,
        state=SessionBridge(session),
    )
    undo_action = undo.createUndoAction(panel)
    undo_action.setShortcut(QKeySequence.StandardKey.Undo)
    panel.addAction(undo_action)
    panel.show()
    panel.geometry.height.setFocus()
    panel.geometry.height.selectAll()
    qtbot.keyClicks(panel.geometry.height, "123")
    qtbot.keyClick(panel.geometry.height, Qt.Key.Key_Return)
    assert panel.geometry.height.value() == 123.0
    qtbot.mouseClick(panel.geometry.measure, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.geometry.height.isReadOnly, timeout=30000)
    height, sigma = panel.geometry.height.value(), panel.geometry.height_sigma.value()
    assert 2.0 <= sigma < 10.0
    assert abs(height - TRUTH["film_height_nm"]) < 3 * sigma
    stored = session.result("film.thickness").value
    assert height == pytest.approx(stored["reference"], abs=0.05)
    assert f"film thickness (movie panel): {stored['reference']:.4g} ± " in (
        panel.geometry.height_source.text()
    )
    assert undo.undoText() == "Measure film height"
    qtbot.keyClick(panel, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.result("film.thickness") is None
    assert panel.geometry.height_source.text().startswith("Height typed in")
    assert not panel.geometry.height.isReadOnly() and panel.geometry.height.value() == 123.0
    undo.redo()
    assert session.result("film.thickness").value["reference"] == stored["reference"]
    assert panel.geometry.height.value() == height and panel.geometry.height.isReadOnly()
    assert not reporter.reports


def test_the_peak_pixel_dose_of_a_converged_beam_is_shown_with_its_one_sigma(qtbot, reporter):
    from insitu_tem.core.model import Axis, Dataset
    from insitu_tem.core.session import Session
    from insitu_tem.gui.controllers.session_bridge import SessionBridge

    rng = np.random.default_rng(2)
    rows, cols = np.mgrid[:48, :48]
    probe = 50.0 * np.exp(-0.5 * ((rows - 20.3) ** 2 + (cols - 27.6) ** 2) / 6.0**2)
    frames = 2.0 * rng.poisson(np.broadcast_to(probe, (8, 48, 48)))
    axes = (
        Axis("t", 8, 0.5, 0.0, "s"),
        Axis("y", 48, 0.5, 0.0, "nm"),
        Axis("x", 48, 0.5, 0.0, "nm"),
    )
    session = Session(checksums=False)
    session.set_dataset("movie", Dataset("movie", frames, axes))
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    TimelineController(
        panel,
        TaskRunner(reporter),
        QUndoStack(),
        frame_times=lambda: np.arange(8) * 0.5,
        set_frame=lambda i: None,
        state=SessionBridge(session),
    )
    panel.show()
    panel.dose_inputs.source.setCurrentIndex(1)
    panel.dose_inputs.value.setValue(2.0)
    qtbot.mouseClick(panel.dose_inputs.compute, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "peak pixel dose" in panel.derived, timeout=30000)
    units, _, peak, sigma = panel.derived["peak pixel dose"]
    value = session.result("dose").value
    np.testing.assert_allclose(sigma, value["peak_pixel_cumulative_sigma_e_per_A2"])
    truth = probe.max() * np.arange(1, 9) / (0.25 * 100.0)
    counting = np.asarray(value["peak_pixel_counting_sigma_e_per_A2"])
    assert np.all(np.abs(peak - truth) <= 3 * counting) and np.all(counting < 0.05 * peak)
    panel.set_frame(7)
    assert f"peak pixel dose {peak[7]:.4g} ± {sigma[7]:.2g} {units}" in panel.status.text()
    assert not reporter.reports


def test_the_empty_trace_area_says_how_to_fill_it(timeline, qtbot):
    panel, _, _, _ = timeline
    hint = panel.plots.hint
    assert hint.isHidden() and len(panel.plots.plot_items) == 3
    for i in range(panel.channels.count()):
        panel.channels.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert panel.plots.plot_items == [] and hint.isVisible() and "Tick a channel" in hint.text()
    assert hint.geometry() == panel.plots.rect()
    empty = TimelinePanel()
    qtbot.addWidget(empty)
    empty.show()
    qtbot.waitExposed(empty)
    assert empty.plots.hint.isVisible() and "holder log" in empty.plots.hint.text()


def test_the_traces_start_where_the_channel_list_ends(qtbot):
    """The channel list is at most 180 px wide; the splitter left an empty strip of ~80 px
    between it and the traces."""
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    panel.resize(960, 500)
    panel.show()
    qtbot.waitExposed(panel)
    gap = panel.plots.geometry().left() - panel.channels.geometry().right()
    assert gap <= 10 and panel.channels.width() == panel.channels.maximumWidth()


def test_a_whole_log_shows_no_warning(timeline):
    panel = timeline[0]
    assert panel.log.warnings == () and " — " not in panel.status.text()
