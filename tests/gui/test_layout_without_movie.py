"""A file that is not a movie (a spectrum image, a diffraction pattern) opened alone: the empty
movie dock shrinks to its minimum and the panel showing the data gets the height; a movie opened
afterwards gets its share back."""

import pytest
from PySide6.QtWidgets import QApplication

from insitu_tem.gui.dock_layout import MIN_DOCK_SIZE, QUADRANTS_FROM_WIDTH
from tests.cli.test_eds_bad_input import eds_cube
from tests.gui.test_hrtem_bad_input import lattice_movie
from tests.gui.test_window_layout_and_keys import settle, shown_docks


def heights(window) -> dict:
    QApplication.processEvents()
    return {role: rect.height() for role, rect in shown_docks(window).items()}


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1200)])
def test_a_spectrum_image_alone_gets_the_movie_docks_height(
    qtbot, window, wait_idle, tmp_path, size
):
    settle(qtbot, window, size)
    window.reset_layout_action.trigger()
    before = heights(window)
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: heights(window)["movie"] < before["movie"], timeout=5000)
    after = heights(window)
    assert after["movie"] <= MIN_DOCK_SIZE[1] + 40
    below = "eels" if size[0] < QUADRANTS_FROM_WIDTH else "nbd"
    assert after[below] >= before[below] + 0.9 * (before["movie"] - after["movie"])
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: heights(window)["movie"] >= 0.35 * size[1], timeout=5000)


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
