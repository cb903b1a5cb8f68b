"""Film thickness, reacted area and the fit of the manual front marks are session results (issue
13): measured by a user's clicks, undoable, and save → reopen → export give the numbers and
curves the screen showed."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.samples.experiment import EXPERIMENT

from tests.gui.user_actions import curve, float_movie_panel, reopen, save_with_ctrl_s

pytestmark = pytest.mark.slow

ROW = EXPERIMENT.scan.start_rc[0]
MARKS = ((10, 60.0), (20, 90.0), (30, 110.0), (40, 126.0), (50, 140.0))


def on_screen(front) -> dict:
    """What the user reads off the kinetics tabs."""
    kinetics = front.kinetics
    return {
        "strain": curve(kinetics.strain_curve),
        "strain_bars": [
            list(kinetics.strain_bars.opts["x"]),
            list(kinetics.strain_bars.opts["height"] / 2),
        ],
        "area": curve(kinetics.area_curve),
        "manual": curve(kinetics.manual_points),
        "manual_fit": curve(kinetics.manual_fit_curve),
        "manual_text": kinetics.manual_readout.text(),
        "outline_frame_40": curve(front.area_overlay.curve),
    }


def measure_everything(qtbot, window, wait_idle, movie_user):
    """Film thickness across the film, then a line along it, five marks and the reacted area."""
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    panel = float_movie_panel(qtbot, window)
    front = panel.front
    front.width_spin.setValue(41)
    movie_user.draw_line(panel, (60, 120), (200, 120))
    qtbot.mouseClick(front.thickness_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.state.session.result("film.thickness") is not None, timeout=60000
    )
    movie_user.draw_line(panel, (ROW, 10), (ROW, 240))
    qtbot.mouseClick(front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    for frame, col in MARKS:
        panel.navigator.set_index(frame)
        movie_user.click(panel, ROW, col)
    qtbot.mouseClick(front.area_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state.session.result("film.area") is not None, timeout=60000)
    panel.navigator.set_index(40)
    wait_idle(window, timeout=120000)
    return panel


def test_film_and_manual_fit_are_undoable_survive_save_reopen_and_are_exported(
    qtbot, window, wait_idle, movie_user, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.figures.kinetics import kinetics_views

    panel = measure_everything(qtbot, window, wait_idle, movie_user)
    before = on_screen(panel.front)
    strain = np.asarray(before["strain"][1])
    assert np.nanmean(strain[-10:]) == pytest.approx(100 * EXPERIMENT.expansion, abs=0.7)
    assert len(before["area"][0]) == 60 and before["area"][1][-1] > before["area"][1][0]
    assert len(before["manual"][0]) == 5 and "n = " in before["manual_text"]
    assert before["manual_fit"] and before["outline_frame_40"]

    views = {view.title: view for view in kinetics_views(window.session())}
    film = views["Film strain"]
    np.testing.assert_array_equal(film.curves[0][1], strain)
    assert film.note.startswith("Film thickness") and "strain in the last frames" in film.note
    assert "nm at start (1σ " in film.note and "(1σ: edge fits, start thickness)" in film.note
    shown = np.isfinite(film.curves[0][1]) & np.isfinite(film.curves[0][2])
    assert shown.sum() >= 50 and np.all(film.curves[0][2][shown] > 0)
    np.testing.assert_allclose(before["strain_bars"][0], film.x[shown])
    np.testing.assert_allclose(before["strain_bars"][1], film.curves[0][2][shown])
    area = views["Reacted area"]
    np.testing.assert_array_equal(area.curves[0][1], before["area"][1])
    assert area.note == panel.front.status.text() and "mean confidence" in area.note
    position = views["Front position x(t)"]
    assert before["manual_text"] in position.note.replace("\n", ",  ")
    manual_fit = next(line for line in position.lines if line[0] == "manual fit")
    np.testing.assert_array_equal(manual_fit[2], before["manual_fit"][1])

    session = window.state.session
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.result("film.area") is None and on_screen(panel.front)["area"] == []
    assert on_screen(panel.front)["outline_frame_40"] == []
    assert session.result("film.thickness") is not None
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_Z, redo)
    assert on_screen(panel.front)["area"] == before["area"]

    project_path = tmp_path / "film.itproj"
    save_with_ctrl_s(qtbot, window, monkeypatch, project_path)
    assert window.close() and window.asker.questions == []

    reopened = reopen(qtbot, settings, reporter, project_path, wait_idle, timeout=120000)
    reopened.panels["movie"].navigator.set_index(40)
    assert on_screen(reopened.panels["movie"].front) == before
    assert not reopened.project.dirty
    assert reporter.reports == []
    reopened.tasks.wait_for_done(5000)
