"""The movie panel driven like a user: play, scrub, contrast, display processing, drift,
lazy read-ahead, marks stored in raw frame pixels, the main window's undo and reopen, and the
reacted-area mode (its front and kinetics tools: test_movie_front_panel.py)."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from insitu_tem.core.model import Dataset
from insitu_tem.gui.frame_numbers import frame_index
from insitu_tem.samples import movie as sample_movie
from tests.gui.user_actions import float_movie_panel
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


def test_play_pause_and_stop_at_the_end_without_loop(qtbot, panel):
    panel.playback.fps.setValue(200)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.state.frame >= 5, timeout=5000)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    stopped_at = panel.state.frame
    qtbot.wait(50)
    assert panel.state.frame == stopped_at and panel.play_button.text() == "Play"
    panel.playback.loop.setChecked(False)
    panel.navigator.set_index(55)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.playback.playing, timeout=5000)
    assert panel.state.frame == 59


def test_scrub_and_step_update_the_frame_timestamp_and_shared_state(qtbot, panel, sample):
    dataset, _ = sample
    panel.navigator.slider.setValue(20)
    assert panel.state.frame == 20 and panel.time_label.text() == "t = 10.00 s"
    assert panel.view.timestamp.text() == "t = 10.00 s"
    np.testing.assert_array_equal(panel.view.frame, dataset.array[20])
    qtbot.keyClick(panel.navigator.slider, Qt.Key.Key_Right)
    assert panel.state.frame == 21
    qtbot.mouseClick(panel.playback.back_button, Qt.MouseButton.LeftButton)
    assert panel.state.frame == 20
    assert panel.front.frame == 20


def test_contrast_auto_manual_gamma_and_colormap(qtbot, panel, sample):
    dataset, _ = sample
    black, white = panel.view.levels()
    assert black < np.percentile(dataset.array[30], 5) and white > np.percentile(
        dataset.array[30], 95
    )
    panel.contrast.high.setValue(150.0)
    assert panel.view.levels() == (black, 150.0)
    panel.contrast.colormap.setCurrentText("viridis")
    panel.contrast.gamma.setValue(0.5)
    lut = panel.view.image_item.lut
    assert lut.shape == (256, 3) and panel.view.colormap_name == "viridis"
    assert lut[64].tolist() != lut[0].tolist()
    qtbot.mouseClick(panel.contrast.auto_button, Qt.MouseButton.LeftButton)
    assert panel.view.levels() == pytest.approx((black, white))
    assert panel.contrast.high.value() == pytest.approx(white, abs=0.1)


def test_average_binning_filter_and_crop_are_display_only(qtbot, panel, sample):
    dataset, _ = sample
    before = dataset.array.copy()
    panel.navigator.set_index(10)
    panel.processing.average.setValue(3)
    np.testing.assert_allclose(
        panel.view.frame, dataset.array[8:11].astype(np.float32).mean(axis=0), rtol=1e-5
    )
    panel.processing.average.setValue(1)
    panel.processing.binning.setValue(2)
    assert panel.view.frame.shape == (128, 128) and panel.view.axes[1].scale == 4.0
    panel.processing.binning.setValue(1)
    panel.processing.filter_size.setValue(3.0)
    panel.processing.filter.setCurrentText("median")
    assert panel.view.frame.shape == (256, 256) and panel.view.frame.std() < dataset.array[10].std()
    panel.processing.filter.setCurrentText("none")
    panel.view.view.setRange(xRange=(100, 300), yRange=(150, 350), padding=0)
    (x0, x1), (y0, y1) = panel.view.view.viewRange()
    qtbot.mouseClick(panel.processing.crop_button, Qt.MouseButton.LeftButton)
    r0, r1, c0, c1 = panel.crop
    assert (
        panel.view.frame.shape == (r1 - r0, c1 - c0) and 40 <= r1 - r0 < 256 and 40 <= c1 - c0 < 256
    )
    assert c0 == pytest.approx(max(0, x0 / 2.0), abs=1) and r0 == pytest.approx(
        max(0, y0 / 2.0), abs=1
    )
    assert panel.view.axes[1].offset == pytest.approx(2.0 * panel.crop[2])
    qtbot.mouseClick(panel.processing.crop_button, Qt.MouseButton.LeftButton)
    assert panel.view.frame.shape == (256, 256)
    np.testing.assert_array_equal(dataset.array, before)


def test_measure_drift_then_show_corrected_frames(qtbot, panel, sample):
    _, truth = sample
    qtbot.mouseClick(panel.processing.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.processing.drift_correct.isChecked(), timeout=20000)
    assert np.sqrt(np.mean((panel.shifts_px - truth.drift_px) ** 2)) < 0.1
    half_bars = panel.front.kinetics.drift_bars[1].opts["height"] / 2
    assert half_bars.shape == (60,) and half_bars[0] == 0 and np.all(half_bars[1:] > 0.005)
    assert np.mean(np.abs(panel.shifts_px - truth.drift_px)[1:, 1] <= 2 * half_bars[1:]) > 0.8
    panel.navigator.set_index(59)
    assert panel.view.frame.dtype == np.float32
    assert "Drift measured" in panel.front.status.text()


@pytest.fixture
def blanked_panel(qtbot, sample):
    """The panel on the sample movie with frames 7 and 12 (indices) blank: beam blanked."""
    dataset, truth = sample
    frames = np.array(dataset.array)
    frames[[7, 12]] = 0
    yield from shown_panel(qtbot, (replace(dataset, array=frames), truth))


def test_drift_names_the_frames_it_could_not_register_by_their_shown_numbers(qtbot, blanked_panel):
    panel = blanked_panel
    qtbot.mouseClick(panel.processing.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.processing.drift_correct.isChecked(), timeout=20000)
    text = panel.front.status.text()
    assert "(weak correlation at frames 8, 13; use a ROI on static texture)" in text, text
    panel.navigator.set_index(frame_index(8))
    assert panel.navigator.spin.value() == 8 and not panel.view.frame.any()


def test_playback_of_large_frames_paints_every_frame():
    """The rate itself is measured by ``make bench`` (benchmarks/bench_playback.py), not here."""
    from insitu_tem.gui.panels.movie.playback import measure_playback

    timing = measure_playback(1024, 40)
    assert timing.frames == 40 and timing.size == 1024 and timing.seconds > 0


def test_marks_on_a_drift_corrected_display_are_stored_in_raw_frame_pixels(qtbot, panel, sample):
    _, truth = sample
    qtbot.mouseClick(panel.processing.drift_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.processing.drift_correct.isChecked(), timeout=20000)
    assert panel.front.display_corrected
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    panel.navigator.set_index(50)
    click_movie(qtbot, panel, ROW, truth.front_specimen_px[50])
    stored_row, stored_col = panel.front.annotations.points(50)[0]
    assert stored_col == pytest.approx(truth.front_raw_px[50], abs=0.7)
    assert stored_row == pytest.approx(ROW + truth.drift_px[50][0], abs=0.7)
    xs, _ = panel.front.overlay.line.getData()
    assert xs[0] / 2.0 == pytest.approx(truth.front_specimen_px[50], abs=0.7)


def test_in_the_main_window_marks_undo_with_ctrl_z_and_reopen_with_the_project(
    qtbot, window, wait_idle, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.gui.main_window import MainWindow

    sample_movie.write(tmp_path)
    window.open_paths([tmp_path / sample_movie.FILE_NAME])
    wait_idle(window)
    panel = float_movie_panel(qtbot, window)
    draw_line(qtbot, panel, (ROW, 10), (ROW, 240))
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    for frame, col in ((12, 80.0), (24, 110.0), (36, 130.0)):
        window.state.set_frame(frame)
        click_movie(qtbot, panel, ROW, col)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(panel.front.annotations.keyframes) == [12, 24]
    project_path = tmp_path / "session.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    window.save_action.trigger()
    window.close()

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.open_paths([project_path])
    wait_idle(reopened)
    restored = reopened.panels["movie"].front
    qtbot.waitUntil(lambda: sorted(restored.annotations.keyframes) == [12, 24], timeout=20000)
    assert restored.annotations.points(24)[0][1] == pytest.approx(110.0, abs=0.7)
    np.testing.assert_allclose(restored.line_rc, [[ROW, 10], [ROW, 240]], atol=0.7)
    assert reporter.reports == []
    reopened.tasks.wait_for_done(5000)


def test_lazy_frames_are_read_ahead_in_the_background(qtbot, sample):
    import dask.array as da

    from insitu_tem.gui.panels.movie.frames import FrameSource

    dataset, _ = sample
    source = FrameSource(da.from_array(dataset.array, chunks=(1, 256, 256)), capacity=8, ahead=4)
    try:
        np.testing.assert_array_equal(source.get(3), dataset.array[3])
        source.prefetch(3)
        qtbot.waitUntil(lambda: all(source.cached(i) for i in range(4, 8)), timeout=10000)
        np.testing.assert_array_equal(source.get(7), dataset.array[7])
        source.prefetch(59)
        qtbot.waitUntil(lambda: source.cached(0), timeout=10000)
        assert len(source._cache) <= 8
    finally:
        source.close()


def test_playback_measurement_reports_fps():
    from insitu_tem.gui.panels.movie.playback import measure_playback

    timing = measure_playback(256, 10)
    assert timing.fps > 0 and timing.frames == 10 and timing.size == 256


def test_reacted_area_mode_inside_the_cropped_film(qtbot, panel, sample):
    _, truth = sample
    box = panel.view.view
    width_nm = 110.0 * box.width() / box.height()
    box.setRange(xRange=(240 - width_nm / 2, 240 + width_nm / 2), yRange=(200, 310), padding=0)
    qtbot.mouseClick(panel.processing.crop_button, Qt.MouseButton.LeftButton)
    r0, r1, c0, c1 = panel.crop
    assert r0 >= 88 and r1 <= 168 and c1 - c0 > 20
    with qtbot.waitSignal(panel.tasks.finished, timeout=20000):
        qtbot.mouseClick(panel.front.area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.front.kinetics.area_curve.getData()[0] is not None, timeout=5000)
    _, area_nm2 = panel.front.kinetics.area_curve.getData()
    reacted_columns = area_nm2 / 4.0 / (r1 - r0)
    expected = np.clip(truth.front_raw_px - c0, 0, c1 - c0)
    assert np.sqrt(np.mean((reacted_columns - expected) ** 2)) < 2.0
    inside = np.flatnonzero((expected > 5) & (expected < c1 - c0 - 5))
    assert inside.size > 3
    panel.navigator.set_index(int(inside[len(inside) // 2]))
    xs, _ = panel.front.area_overlay.curve.getData()
    assert xs.max() / 2.0 == pytest.approx(truth.front_raw_px[panel.state.frame], abs=2.0)
    assert "darker" in panel.front.status.text()


def test_a_single_image_cannot_be_played_and_stops_a_playing_movie(qtbot, panel, sample):
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.playback.playing
    movie, _ = sample
    image = Dataset("image", movie.array[0], movie.axes[1:], source="")
    panel.set_dataset(image)
    bar = panel.playback
    controls = (bar.back_button, bar.play_button, bar.forward_button, bar.loop, bar.fps)
    assert not bar.playing and not bar.timer.isActive() and bar.play_button.text() == "Play"
    assert not any(widget.isEnabled() for widget in controls)
    panel.set_dataset(movie)
    assert all(widget.isEnabled() for widget in controls)
