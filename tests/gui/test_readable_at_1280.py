"""What a 1280 × 800 window shows stays readable: the reader's long notes on a file (bismuth.dm3:
int8 counts, axes without units) end in "…" in the status bar instead of running off the window,
the whole text in the bar's tooltip; the movie panel without a movie offers no Play."""

import pytest

pytestmark = pytest.mark.slow


def test_a_long_load_note_ends_in_an_ellipsis_and_is_whole_in_the_tooltip(
    window, wait_idle, realdata
):
    window.open_paths([realdata("bismuth.dm3")])
    wait_idle(window)
    bar = window.statusBar()
    shown, whole = bar.currentMessage(), bar.toolTip()
    assert shown.startswith("bismuth.dm3: ") and shown.endswith("…")
    assert bar.fontMetrics().horizontalAdvance(shown) < bar.width()
    assert whole.startswith(shown[:-1]) and "uncalibrated pixels" in whole
    window.status.message("Saved")
    assert bar.currentMessage() == "Saved" and bar.toolTip() == ""


def test_the_movie_panel_without_a_movie_offers_no_play(window):
    playback = window.panels["movie"].playback
    assert not playback.play_button.isEnabled() and not playback.fps.isEnabled()
