"""The main window on a laptop screen and from the keyboard, driven as a user would."""

import itertools
import threading

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from insitu_tem.gui.dock_layout import MIN_DOCK_SIZE
from insitu_tem.gui.menus import show_shortcuts


def shown_docks(window):
    """Docks the user sees (docked, visible, not a tab behind another), with window geometry."""
    return {
        role: QRect(dock.mapTo(window, dock.rect().topLeft()), dock.size())
        for role, dock in window.docks.items()
        if dock.isVisible() and not dock.visibleRegion().isEmpty()
    }


def settle(qtbot, window, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=5000)
    QApplication.processEvents()


def scrolls_sideways(window, role) -> bool:
    scroll = window.docks[role].widget()
    return scroll.horizontalScrollBar().maximum() > 0


@pytest.mark.parametrize(
    "size, expected",
    [
        ((1280, 800), {"movie", "eels"}),
        ((1920, 1200), {"movie", "hrtem", "nbd", "eels"}),
    ],
)
def test_every_panel_fits_without_overlap(qtbot, window, size, expected):
    assert window.panels["movie"] is not None
    settle(qtbot, window, size)
    window.reset_layout_action.trigger()
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800
    shown = shown_docks(window)
    assert set(shown) == expected
    for (a, ra), (b, rb) in itertools.combinations(shown.items(), 2):
        assert not ra.intersects(rb), f"{a} {ra} overlaps {b} {rb}"
    for role, rect in shown.items():
        assert rect.width() >= MIN_DOCK_SIZE[0] and rect.height() >= MIN_DOCK_SIZE[1], role
        assert rect.width() >= 0.45 * size[0] and rect.height() >= 0.35 * size[1], role
        assert not scrolls_sideways(window, role), role
    for role in ("hrtem", "nbd", "eels", "across", "timeline", "tomo"):
        window.docks[role].raise_()
        QApplication.processEvents()
        assert role in shown_docks(window)
        assert not scrolls_sideways(window, role), role


def test_hiding_docks_lowers_the_minimum_and_reset_restores_quadrants(qtbot, window):
    window.panels  # noqa: B018 - the panels are built
    settle(qtbot, window, (1920, 1200))
    window.reset_layout_action.trigger()
    QApplication.processEvents()
    before = window.minimumSizeHint().height()
    window.docks["nbd"].toggleViewAction().trigger()
    window.docks["eels"].toggleViewAction().trigger()
    window.docks["timeline"].toggleViewAction().trigger()
    window.docks["across"].toggleViewAction().trigger()
    QApplication.processEvents()
    assert window.minimumSizeHint().height() < before
    window.resizeDocks(
        [window.docks["movie"], window.docks["hrtem"]], [5000, 1], Qt.Orientation.Horizontal
    )
    QApplication.processEvents()
    assert shown_docks(window)["hrtem"].width() < 0.3 * 1920
    window.reset_layout_action.trigger()
    QApplication.processEvents()
    shown = shown_docks(window)
    assert set(shown) == {"movie", "hrtem", "nbd", "eels"}
    widths = [shown[r].width() for r in ("movie", "hrtem")]
    assert min(widths) > 0.8 * max(widths)


def test_playback_keys_work_from_any_widget_but_not_in_text(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    window.panels["hrtem"].setFocus()
    for key, modifier, frame in [
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, 1),
        (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier, 5),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, 4),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier, 0),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, 5),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier, 0),
    ]:
        qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)
        assert window.state.frame == frame, (key, modifier)
    play = window.panels["movie"].play_button
    play.setFocus()
    qtbot.keyClick(play, Qt.Key.Key_Space)
    assert play.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not play.isChecked()
    fps = window.panels["movie"].playback.fps
    fps.setFocus()
    qtbot.keyClick(fps, Qt.Key.Key_End)
    qtbot.keyClick(fps, Qt.Key.Key_Left)
    assert window.state.frame == 0


def test_ctrl_z_in_a_spin_box_just_typed_in_commits_then_undoes(
    qtbot, window, wait_idle, movie_file
):
    window.open_paths([movie_file])
    wait_idle(window)
    low = window.panels["movie"].contrast.low
    original = low.value()
    low.setFocus()
    qtbot.keyClick(low, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(low, "123")
    assert low.value() == original
    qtbot.keyClick(low, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert low.value() == original
    assert window.undo_stack.canRedo() and window.undo_stack.redoText() == "Change black level"
    qtbot.keyClick(
        low, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert low.value() == 123


def test_help_lists_every_shortcut(qtbot, window):
    dialog = show_shortcuts(window)
    table = dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    for text, keys in [
        ("Play / pause the movie", "Space"),
        ("Next frame", "Right"),
        ("Back 10 frames", "Shift+Left"),
        ("Last frame", "End"),
        ("Undo", "Ctrl+Z"),
        ("Open…", "Ctrl+O"),
    ]:
        assert keys in rows[text], text
    assert window.menuBar().actions()[-1].text() == "&Help"
    assert len(window.menuBar().actions()[-1].menu().actions()) >= 3


def test_a_running_task_shows_its_name_progress_and_cancel(qtbot, window):
    release = threading.Event()

    def work(control):
        control.progress(0.5, "halfway")
        while not (release.is_set() or control.should_stop()):
            release.wait(0.01)

    window.tasks.submit(work, description="Slow job")
    status = window.status
    qtbot.waitUntil(lambda: status.progress.isVisible() and status.progress.value() == 500)
    assert status.task_label.text() == "halfway" and status.cancel_button.isVisible()
    qtbot.mouseClick(status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.tasks.is_idle)
    assert not status.progress.isVisible() and not status.cancel_button.isVisible()


def test_saved_project_comes_first_in_open_recent_and_its_files_are_not_added(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    window.open_paths([movie_file])
    wait_idle(window)
    project = tmp_path / "saved" / "run.itproj"
    project.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(project), ""))
    )
    window.save_action.trigger()
    assert str(project) in window.statusBar().currentMessage()
    recent = [a.text() for a in window.recent_menu.actions()]
    assert recent == [str(project), str(movie_file)]
    window.open_paths([project])
    wait_idle(window)
    assert [a.text() for a in window.recent_menu.actions()] == recent
    assert window.recent.last_folder() == str(project.parent)
