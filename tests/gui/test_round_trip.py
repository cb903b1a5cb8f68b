"""Save → close → reopen gives back what the user saw (issue 13): the EELS reference probe and
log scale, the movie frame, the front track and its fit, and the chemical shift at a probe."""

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tests.gui.user_actions import reopen, save_with_ctrl_s, track_front_on_the_sample

pytestmark = pytest.mark.slow


def wait_for_shift_reference(qtbot, eels, reference):
    qtbot.waitUntil(
        lambda: (
            eels.tasks.is_idle()
            and eels.result_value() is not None
            and eels.result_value()["chemical_shift_eV"][reference] == 0.0
        ),
        timeout=60000,
    )


def assert_same_spectrum(exported, eels) -> None:
    """The exported spectrum is the curve on screen (the export blanks counts <= 0 in log)."""
    x, y = eels.curve.xData, eels.curve.yData
    shown = exported.curves[0][1]
    np.testing.assert_array_equal(exported.x, x)
    np.testing.assert_allclose(shown[y > 0], y[y > 0])


def on_screen(window) -> dict:
    """What the user reads off the panels."""
    eels, front = window.panels["eels"], window.panels["movie"].front
    return {
        "frame": window.state.frame,
        "frame_shown": window.panels["movie"].navigator.index,
        "probe": window.state.scan_index,
        "reference": eels.controls.reference_spin.value(),
        "log": eels.controls.log_check.isChecked(),
        "eels_readout": eels.readout.text(),
        "shift_19": eels.result_value()["chemical_shift_eV"][19],
        "kinetics": front.kinetics.readout.text(),
        "velocity": front.kinetics.velocity_label.text(),
        "line": np.round(front.line_rc, 6).tolist(),
        "time": window.panels["movie"].time_label.text(),
    }


def test_save_close_reopen_shows_the_same_numbers(
    qtbot, window, wait_idle, movie_user, tmp_path, monkeypatch, settings, reporter
):
    movie = track_front_on_the_sample(qtbot, window, wait_idle, movie_user)
    eels = window.panels["eels"]
    eels.navigator.slider.setValue(45)
    qtbot.mouseClick(eels.controls.use_current_button, Qt.MouseButton.LeftButton)
    wait_for_shift_reference(qtbot, eels, 45)
    qtbot.mouseClick(eels.controls.log_check, Qt.MouseButton.LeftButton)
    eels.navigator.slider.setValue(19)
    movie.navigator.slider.setValue(48)
    wait_idle(window, timeout=120000)
    before = on_screen(window)
    assert (
        before["reference"] == 46  # probe index 45, shown from 1
        and before["log"]
        and before["frame"] == 48
        and before["probe"] == 19
    )
    assert before["shift_19"] == pytest.approx(-1.5, abs=0.1) and "n = " in before["kinetics"]

    project_path = tmp_path / "round trip.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project_path)
    assert window.close() and window.asker.questions == []

    reopened = reopen(qtbot, settings, reporter, project_path, wait_idle, timeout=120000)
    wait_for_shift_reference(qtbot, reopened.panels["eels"], 45)
    wait_idle(reopened, timeout=120000)
    assert on_screen(reopened) == before
    assert reporter.reports == []
    reopened.tasks.wait_for_done(5000)


def test_each_export_view_renders_what_the_screen_shows(qtbot, window, wait_idle, tmp_path):
    from insitu_tem.figures.kinetics import kinetics_views
    from insitu_tem.figures.probe_numbers import probe_index
    from insitu_tem.figures.colormaps import colormap
    from insitu_tem.figures.views import frame_view, movie_look, pattern_view, spectrum_view

    window.open_sample_project()
    wait_idle(window, timeout=120000)
    qtbot.waitUntil(lambda: window.state.session.result("front") is not None, timeout=120000)
    wait_idle(window, timeout=120000)
    movie, fft, nbd, eels = (window.panels[r] for r in ("movie", "hrtem", "nbd", "eels"))
    nbd.navigator.slider.setValue(19)
    movie.navigator.slider.setValue(48)
    movie.contrast.colormap.setCurrentText("CET-L8")
    movie.contrast.gamma.setValue(0.5)
    fft.navigator.slider.setValue(3)
    nbd.controls.display.setCurrentText("linear")
    qtbot.mouseClick(eels.controls.log_check, Qt.MouseButton.LeftButton)
    wait_idle(window, timeout=60000)
    session = window.session()

    shown = frame_view(session, "movie")
    assert (
        shown.time_s == pytest.approx(window.state.session.time_s())
        and movie.time_label.text() == "t = 24.00 s"
    )
    assert shown.levels == pytest.approx(movie.view.levels())
    exported_lut = colormap(shown.cmap, shown.gamma)(np.linspace(0.0, 1.0, 256))[:, :3] * 255
    assert np.abs(exported_lut - movie.view.image_item.lut[:, :3]).max() <= 1.0
    assert movie_look(session.snapshot()) == {
        "cmap": "CET-L8",
        "gamma": 0.5,
        "levels": shown.levels,
    }
    np.testing.assert_array_equal(shown.frame, movie.view.frame)
    hrtem = frame_view(session, "hrtem")
    assert hrtem.time_s == pytest.approx(fft.dataset.axes[0].to_value(3))
    np.testing.assert_array_equal(hrtem.frame, fft.current_frame())
    pattern = pattern_view(session)
    assert pattern.title.startswith("NBD, probe 20") and nbd.current_index() == 19
    np.testing.assert_allclose(pattern.frame, nbd.view.frame)
    spectrum = spectrum_view(session)
    assert spectrum.title == "EELS, probe 20" and eels.navigator.index == 19 and spectrum.log_y
    assert_same_spectrum(spectrum, eels)
    assert spectrum.y_label == "Counts (aligned)" and [line[0] for line in spectrum.lines] == [
        "background"
    ]
    np.testing.assert_allclose(spectrum.lines[0][2], eels.plot.background_curve.yData)
    qtbot.mouseClick(eels.controls.aligned_check, Qt.MouseButton.LeftButton)
    raw = spectrum_view(session)
    assert raw.y_label == "Counts (as recorded)" and raw.lines == []
    assert_same_spectrum(raw, eels)
    assert not np.allclose(raw.curves[0][1], spectrum.curves[0][1], equal_nan=True)
    position, _ = kinetics_views(session)
    assert "n = " in position.note and position.note == movie.front.kinetics.readout.text().replace(
        ",  ", "\n"
    )

    out = tmp_path / "movie.png"
    window.workbench().exports.figure("movie", str(out))
    movie.navigator.slider.setValue(5)
    wait_idle(window, timeout=60000)
    record = json.loads(Image.open(out).text["insitu-tem"])
    assert record["parameters"]["frame"] == 48 and window.state.frame == 5
    references = record["parameters"]["references"]
    shown = eels.controls.reference_spin.value()
    assert references[eels.analysis.result_name()] == probe_index(shown)
