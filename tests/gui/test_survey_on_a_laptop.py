"""A Bruker EDS map (0.bcf: 256² HAADF survey + EDX cube) on a 1280×800 laptop screen: the survey
in the movie dock above the EDS panel gets half the height the docks share, not a third (the image
was 183 px tall, a strip above a 500 px spectrum panel), while the EDS spectrum keeps a readable
plot and its table; a sample project (a movie) keeps its layout."""

import pytest

from tests.gui.test_window_layout_and_keys import settle, shown_docks

pytestmark = pytest.mark.slow


def test_the_survey_gets_half_the_laptop_screen(qtbot, window, wait_idle, realdata):
    path = realdata("edstomo_idp/0.bcf")
    settle(qtbot, window, (1280, 800))
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=60000)
    wait_idle(window, timeout=60000)
    movie = window.panels["movie"]
    docks = shown_docks(window)
    qtbot.waitUntil(lambda: movie.view.height() > 0.9 * movie.height())
    side = min(movie.view.width(), movie.view.height())
    assert side >= 0.4 * window.height(), (side, docks["movie"].height())
    assert abs(docks["movie"].height() - docks["eels"].height()) < 0.15 * window.height()
    eds = window.panels["eels"]
    assert eds.plot.height() >= 180 and eds.eds_view.isVisible()
