"""A file that is not a movie (a spectrum image, a diffraction pattern) opened alone: the empty
movie dock is hidden (View still lists it) and the panel showing the data gets the height; a movie
opened afterwards shows the movie dock again with its share."""

import pytest
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.dock_layout import QUADRANTS_FROM_WIDTH
from tests.cli.test_eds_bad_input import eds_cube
from tests.gui.test_hrtem_bad_input import lattice_movie
from tests.gui.test_window_layout_and_keys import settle, shown_docks


def heights(window) -> dict:
    QApplication.processEvents()
    return {role: rect.height() for role, rect in shown_docks(window).items()}


def movie_in_view_menu(window):
    """The View menu's entry for the movie dock."""
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(action for action in view.actions() if action.text() == "Movie")


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1200)])
def test_a_spectrum_image_alone_hides_the_empty_movie_dock(
    qtbot, window, wait_idle, tmp_path, size
):
    settle(qtbot, window, size)
    window.reset_layout_action.trigger()
    before = heights(window)
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: "movie" not in heights(window), timeout=5000)
    assert not movie_in_view_menu(window).isChecked()
    assert heights(window)["eels"] >= before["eels"] + 0.9 * before["movie"]
    if size[0] < QUADRANTS_FROM_WIDTH:
        assert heights(window)["eels"] > 0.85 * size[1]
    window.reset_layout_action.trigger()
    assert "movie" not in heights(window)
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: heights(window).get("movie", 0) >= 0.35 * size[1], timeout=5000)
    assert movie_in_view_menu(window).isChecked()


def test_the_view_menu_shows_the_hidden_movie_dock(qtbot, window, wait_idle, tmp_path):
    settle(qtbot, window, (1280, 800))
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: "movie" not in heights(window), timeout=5000)
    movie_in_view_menu(window).trigger()
    qtbot.waitUntil(lambda: heights(window).get("movie", 0) > 0, timeout=5000)


def test_a_lone_eels_spectrum_gets_the_movie_docks_height(qtbot, window, wait_idle, realdata):
    """EELS_STO.dm3 on a 1280 × 800 laptop: the spectrum, not an empty movie box, fills the
    window."""
    settle(qtbot, window, (1280, 800))
    window.open_paths([realdata("EELS_STO.dm3")])
    wait_idle(window)
    qtbot.waitUntil(lambda: heights(window).get("eels", 0) > 0.85 * 800, timeout=5000)
    assert "movie" not in heights(window)


def test_a_spectrum_image_on_a_wide_screen_gets_most_of_the_window(
    qtbot, window, wait_idle, tmp_path
):
    """1920 × 1200 (quadrants): the EDS/EELS panel, the only data, takes the whole height of its
    column and most of the width, not the lower-right quarter beside empty docks."""
    settle(qtbot, window, (1920, 1200))
    window.reset_layout_action.trigger()
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: heights(window).get("eels", 0) > 0.7 * 1200, timeout=5000)
    eels = shown_docks(window)["eels"]
    assert eels.width() > 0.6 * 1920 and eels.height() > 0.7 * 1200
