"""Project round trip, undoable calibration, autosave and crash recovery as a user meets them."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog


def test_calibration_is_undoable_from_the_keyboard(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    window.project.set_calibration("movie", scale=2.0, units="Å")
    assert window.state.dataset("movie").axes[2].scale == pytest.approx(0.2)
    assert window.panels["movie"].view.axes[1].scale == pytest.approx(0.2)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.dataset("movie").axes[2].scale == pytest.approx(1.0)
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.state.dataset("movie").axes[2].scale == pytest.approx(0.2)


def test_save_close_reopen_gives_the_same_state(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch, settings, reporter
):
    from insitu_tem.gui.main_window import MainWindow

    window.open_paths([movie_file])
    wait_idle(window)
    window.project.set_calibration("movie", scale=0.25, units="nm")
    window.state.set_frame(4)
    project_path = tmp_path / "session.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    window.save_action.trigger()
    assert project_path.exists() and not window.project.dirty
    window.close()

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.open_paths([project_path])
    wait_idle(reopened)
    qtbot.waitUntil(
        lambda: (
            reopened.state.dataset("movie") is not None
            and reopened.state.dataset("movie").axes[2].scale == pytest.approx(0.25)
        )
    )
    assert reopened.state.frame == 4
    assert reopened.panels["movie"].navigator.index == 4
    assert reporter.reports == []


RECOVERY_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from insitu_tem.gui.errors import RecordingReporter
    from insitu_tem.gui.main_window import MainWindow
    app = QApplication([])
    settings = QSettings(sys.argv[3], QSettings.Format.IniFormat)
    settings.setValue("autosave_seconds", 0.2)
    window = MainWindow(settings, RecordingReporter())
    window.open_paths([sys.argv[1]])
    while window.state.dataset("movie") is None:
        app.processEvents()
    window.project.set_calibration("movie", scale=3.0, units="nm")
    sidecar = sys.argv[2]
    while not os.path.exists(sidecar):
        app.processEvents()
        window.tasks.wait_for_done(20)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_autosave_recovers_after_the_process_is_killed(
    qtbot, window, wait_idle, movie_file, tmp_path
):
    from insitu_tem.core.project import autosave_path

    window.open_paths([movie_file])
    wait_idle(window)
    project_path = tmp_path / "session.itproj"
    window.project.save(project_path)
    window.close()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RECOVERY_SCRIPT,
            str(project_path),
            str(autosave_path(project_path)),
            str(tmp_path / "s.ini"),
        ],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=120,
        capture_output=True,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert autosave_path(project_path).exists()

    window.asker.yes = True
    window.open_paths([project_path])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("movie").axes[2].scale == pytest.approx(3.0))
    assert "unsaved changes" in window.asker.questions[0]
    assert window.project.dirty


def test_export_figure_from_the_file_menu(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    import json

    from PIL import Image
    from PySide6.QtWidgets import QInputDialog

    window.open_paths([movie_file])
    wait_idle(window)
    window.state.set_frame(2)
    out = tmp_path / "figure.png"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("movie", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    export_action = next(
        a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Export Figure…"
    )
    export_action.trigger()
    wait_idle(window)
    record = json.loads(Image.open(out).text["insitu-tem"])
    assert record["parameters"]["frame"] == 2 and record["sources"] == [str(movie_file)]


def test_a_moved_raw_file_is_asked_for_when_it_cannot_be_found(
    qtbot, window, wait_idle, movie_file, tmp_path
):
    window.open_paths([movie_file])
    wait_idle(window)
    project_path = tmp_path / "session.itproj"
    window.project.save(project_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-moved"
    elsewhere.mkdir()
    moved = elsewhere / "renamed.tif"
    movie_file.rename(moved)
    window.asker.located = str(moved)
    window.open_paths([project_path])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None)
    assert window.asker.questions == ["locate movie.tif"] and window.state.dataset(
        "movie"
    ).source == str(moved)
    assert window.reporter.reports == []
