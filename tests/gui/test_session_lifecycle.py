"""The session as a user lives it: the title says when work is unsaved, Quit / Open / Open Sample
ask before losing it, an untitled session is recovered after a crash, and opening another movie
leaves nothing of the old one's analysis behind (asked, undoable)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.gui.user_actions import file_action, track_front_on_the_sample

pytestmark = pytest.mark.slow


def test_title_names_the_project_and_marks_unsaved_changes(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    assert window.windowTitle().startswith("Untitled — ")
    window.open_paths([movie_file])
    wait_idle(window)
    assert window.windowTitle().startswith("Untitled* — ")
    project_path = tmp_path / "beam damage.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert project_path.exists() and window.windowTitle().startswith("beam damage.itproj — ")
    window.project.set_calibration("movie", scale=0.5, units="nm")
    assert window.windowTitle().startswith("beam damage.itproj* — ")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.project.dirty and "*" not in window.windowTitle()


def test_quit_with_unsaved_changes_asks_and_cancel_keeps_the_session(
    qtbot, window, wait_idle, movie_file
):
    window.open_paths([movie_file])
    wait_idle(window)
    window.asker.choice = "cancel"
    file_action(window, "&Quit").trigger()
    assert window.isVisible() and window.state.dataset("movie") is not None
    assert "Untitled has unsaved changes" in window.asker.questions[-1]
    window.asker.choice = "discard"
    file_action(window, "&Quit").trigger()
    assert not window.isVisible()


def test_quit_and_save_writes_the_project_first(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    window.open_paths([movie_file])
    wait_idle(window)
    project_path = tmp_path / "kept.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    window.asker.choice = "save"
    assert window.close()
    assert project_path.exists() and "movie.tif" in project_path.read_text()


def test_a_clean_session_quits_without_asking(qtbot, window):
    assert window.close()
    assert window.asker.questions == []


def test_the_sample_opens_untitled_and_what_it_computes_by_itself_is_not_unsaved(
    qtbot, window, wait_idle
):
    window.open_sample_project()
    qtbot.waitUntil(lambda: window.panels["across"].result is not None, timeout=120000)
    wait_idle(window, timeout=120000)
    assert window.state.session.result("front") is not None and window.project.path is None
    assert {"nbd", "eels.W-O23"} <= set(window.state.session.result("across").value["reused"])
    assert window.windowTitle().startswith("Untitled — ") and not window.project.dirty
    assert window.close() and window.asker.questions == []


def test_open_sample_and_open_project_ask_before_replacing_unsaved_work(
    qtbot, window, wait_idle, movie_file, tmp_path
):
    window.open_paths([movie_file])
    wait_idle(window)
    other = tmp_path / "other.itproj"
    other.write_text('{"schema_version": 2, "files": []}')
    window.asker.choice = "cancel"
    file_action(window, "Open &Sample Project").trigger()
    window.open_paths([other])
    wait_idle(window)
    assert len(window.asker.questions) == 2 and all("unsaved" in q for q in window.asker.questions)
    assert window.project.path is None and window.state.dataset("movie").source == str(movie_file)
    window.asker.choice = "discard"
    window.open_paths([other])
    wait_idle(window)
    assert window.project.path == other and window.state.dataset("movie") is None
    assert not window.project.dirty


def test_an_untitled_session_is_recovered_after_a_crash(
    qtbot, window, wait_idle, movie_file, settings, reporter
):
    from insitu_tem.gui.asker import HeadlessAsker
    from insitu_tem.gui.main_window import MainWindow, recovery_path

    window.open_paths([movie_file])
    wait_idle(window)
    window.project.set_calibration("movie", scale=4.0, units="nm")
    assert window.project.autosave() == recovery_path(settings) and recovery_path(settings).exists()

    after_crash = MainWindow(settings, reporter, asker=HeadlessAsker(yes=True))
    qtbot.addWidget(after_crash)
    assert after_crash.project.offer_recovery()
    qtbot.waitUntil(
        lambda: (
            after_crash.state.dataset("movie") is not None
            and after_crash.state.dataset("movie").axes[2].scale == pytest.approx(4.0)
        )
    )
    assert "never saved" in after_crash.asker.questions[0]
    assert after_crash.project.path is None and after_crash.windowTitle().startswith("Untitled* — ")
    after_crash.tasks.wait_for_done(5000)


def open_sample_with_a_tracked_front(qtbot, window, wait_idle, movie_user):
    panel = track_front_on_the_sample(qtbot, window, wait_idle, movie_user)
    wait_idle(window, timeout=120000)
    assert (
        panel.front.kymograph_view.image is not None
        and "velocity" in panel.front.kinetics.velocity_label.text()
    )
    return panel


def test_another_movie_replaces_the_old_ones_line_track_and_scan_lines_undoably(
    qtbot, window, wait_idle, realdata, movie_user
):
    image = realdata("16_STOimage.emi")
    panel = open_sample_with_a_tracked_front(qtbot, window, wait_idle, movie_user)
    front = panel.front
    window.asker.yes = False
    window.open_paths([image])
    wait_idle(window)
    question = window.asker.questions[-1]
    assert "discards" in question and "analysis line" in question and "front result" in question
    assert question.startswith("Opening 16_STOimage.emi replaces the movie lithiation_movie.tif")
    assert front.line_rc is not None and window.project.scan_lines

    window.asker.yes = True
    window.open_paths([image])
    wait_idle(window)
    assert window.state.dataset("movie").source == str(image)
    assert front.line_rc is None and front.roi is None and front.analysis is None
    assert front.kymograph_view.image is None and front.kinetics.auto_points.getData()[0] is None
    assert front.kinetics.velocity_label.text() == "" and "nan" not in front.kinetics.readout.text()
    assert window.project.scan_lines == {} and window.workbench().linker.lines == {}
    assert (
        window.panels["across"].result is None
        and window.workbench().linker.front_segment_rc() is None
    )

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(window)
    assert window.state.dataset("movie").source.endswith("lithiation_movie.tif")
    assert front.line_rc is not None and set(window.project.scan_lines) == {"eels", "nbd"}
    assert window.reporter.reports == []


def test_reopening_the_project_forgets_the_track_it_did_not_save(
    qtbot, window, wait_idle, movie_user
):
    panel = open_sample_with_a_tracked_front(qtbot, window, wait_idle, movie_user)
    window.asker.choice = "discard"
    file_action(window, "Open &Sample Project").trigger()
    qtbot.waitUntil(lambda: window.panels["across"].result is not None, timeout=60000)
    wait_idle(window, timeout=120000)
    assert window.asker.questions and panel.front.line_rc is None
    scan = window.project.scan_lines["eels"]
    assert window.state.session.result("front").parameters["line_rc"] == [
        scan["start_rc"],
        scan["end_rc"],
    ]
    qtbot.waitUntil(lambda: panel.front.kymograph_view.image is not None, timeout=60000)
    assert panel.front.plots.line_shown.tolist() == [scan["start_rc"], scan["end_rc"]]
    assert "velocity" in panel.front.kinetics.velocity_label.text()
    assert window.reporter.reports == []
