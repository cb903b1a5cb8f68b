"""Data opened without anything for the FFT or NBD dock: those docks are hidden (View still lists
them) and the data gets their room; data for them opened shows them again."""

from tests.cli.test_eds_bad_input import eds_cube
from tests.gui.test_hrtem_bad_input import lattice_movie
from tests.gui.test_layout_without_movie import heights
from tests.gui.test_window_layout_and_keys import settle, shown_docks


def in_view_menu(window, title):
    """The View menu's entry for the dock titled ``title``."""
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(action for action in view.actions() if action.text() == title)


def test_a_spectrum_image_alone_on_a_wide_screen_fills_the_window(
    qtbot, window, wait_idle, tmp_path
):
    """1920 × 1200: no empty FFT dock above the spectrum image, no empty NBD column beside it;
    a movie opened afterwards brings both back with their share."""
    settle(qtbot, window, (1920, 1200))
    window.reset_layout_action.trigger()
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: set(heights(window)) == {"eels"}, timeout=5000)
    eels = shown_docks(window)["eels"]
    assert eels.width() > 0.95 * 1920 and eels.height() > 0.85 * 1200
    assert not in_view_menu(window, "FFT").isChecked()
    assert not in_view_menu(window, "NBD").isChecked()
    window.reset_layout_action.trigger()
    assert set(heights(window)) == {"eels"}
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: {"hrtem", "nbd"} <= set(heights(window)), timeout=5000)
    assert heights(window)["hrtem"] >= 200 and in_view_menu(window, "FFT").isChecked()


def test_on_a_laptop_the_empty_fft_and_nbd_tabs_are_hidden(qtbot, window, wait_idle, tmp_path):
    settle(qtbot, window, (1280, 800))
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.docks["hrtem"].isHidden(), timeout=5000)
    assert window.docks["nbd"].isHidden()
    in_view_menu(window, "FFT").trigger()
    qtbot.waitUntil(lambda: not window.docks["hrtem"].isHidden(), timeout=5000)


def test_an_empty_session_shows_every_dock_with_its_hint(qtbot, window):
    settle(qtbot, window, (1920, 1200))
    window.reset_layout_action.trigger()
    assert {"movie", "hrtem", "nbd", "eels"} <= set(shown_docks(window))


def test_a_lone_diffraction_pattern_fills_the_window(qtbot, window, wait_idle, realdata):
    """bismuth.dm3 at 1920 × 1200: the pattern's NBD dock stays and gets the window; the FFT dock
    and the EELS dock beside it, which would be empty, go (before, an empty EELS dock took half
    the window)."""
    settle(qtbot, window, (1920, 1200))
    window.open_paths([realdata("bismuth.dm3")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.docks["hrtem"].isHidden(), timeout=5000)
    assert set(heights(window)) == {"nbd"}
    assert shown_docks(window)["nbd"].width() > 0.95 * 1920
    assert heights(window)["nbd"] > 0.85 * 1200
    assert not in_view_menu(window, "EELS").isChecked()


def test_on_a_laptop_a_lone_pattern_offers_no_empty_eels_tab(qtbot, window, wait_idle, realdata):
    """bismuth.dm3 at 1280 × 800: the tabs the user can pick are the pattern's NBD tab and the
    Timeline behind it, not an empty EELS or Across front tab."""
    settle(qtbot, window, (1280, 800))
    window.open_paths([realdata("bismuth.dm3")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("nbd") is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.docks["eels"].isHidden(), timeout=5000)
    assert window.docks["across"].isHidden()
    assert "nbd" in shown_docks(window)


def test_a_single_image_gets_the_movie_and_fft_columns(qtbot, window, wait_idle, realdata):
    """16_STOimage.emi at 1920 × 1200: the image and its FFT fill their columns; no empty NBD
    dock below the image, no empty EELS dock below the FFT."""
    settle(qtbot, window, (1920, 1200))
    window.open_paths([realdata("16_STOimage.emi")])
    wait_idle(window, timeout=60000)
    qtbot.waitUntil(lambda: set(heights(window)) == {"movie", "hrtem"}, timeout=5000)
    assert min(heights(window).values()) > 0.85 * 1200


def test_a_movie_keeps_the_timeline_but_not_an_empty_eels_dock(qtbot, window, wait_idle, tmp_path):
    """A movie alone: the NBD dock stays at its minimum for the Timeline tab behind it (a holder
    log goes on the movie's clock); the EELS dock goes and the FFT dock takes its column."""
    settle(qtbot, window, (1920, 1200))
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.docks["eels"].isHidden(), timeout=5000)
    assert in_view_menu(window, "NBD").isChecked()
    assert heights(window)["hrtem"] > 0.85 * 1200


def test_a_lone_eels_spectrum_on_a_wide_screen_fills_the_window(qtbot, window, wait_idle, realdata):
    settle(qtbot, window, (1920, 1200))
    window.open_paths([realdata("EELS_STO.dm3")])
    wait_idle(window)
    qtbot.waitUntil(lambda: set(heights(window)) == {"eels"}, timeout=5000)
    assert shown_docks(window)["eels"].width() > 0.95 * 1920


def test_a_holder_log_opened_shows_the_hidden_timeline(
    qtbot, window, wait_idle, tmp_path, realdata
):
    """The Timeline tab, hidden with the empty NBD dock beside a spectrum image, comes back when
    the user opens a holder log."""
    settle(qtbot, window, (1920, 1200))
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.docks["timeline"].isHidden(), timeout=5000)
    window.open_paths([realdata("holder_logs/StubExperiment_Heat raw.csv")])
    wait_idle(window)
    qtbot.waitUntil(lambda: "timeline" in shown_docks(window), timeout=5000)


def test_on_a_laptop_a_movie_opened_beside_a_map_keeps_the_map_in_front(
    qtbot, window, wait_idle, tmp_path
):
    """The FFT and NBD tabs that come back beside the movie are empty: the EELS tab, which holds
    the map, stays the one in front (before, the NBD tab came back in front of it)."""
    settle(qtbot, window, (1280, 800))
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    qtbot.waitUntil(lambda: "eels" in shown_docks(window), timeout=5000)
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=30000)
    qtbot.waitUntil(lambda: in_view_menu(window, "NBD").isChecked(), timeout=5000)
    shown = shown_docks(window)
    assert {"movie", "eels"} <= set(shown) and not {"nbd", "hrtem"} & set(shown)


def test_on_a_laptop_a_movie_alone_opens_with_its_fft_in_front(qtbot, window, wait_idle, tmp_path):
    """The tab in front below a movie is the FFT of its frames, not the empty NBD tab (before:
    the empty EELS tab, then, with EELS hidden, the empty NBD one)."""
    settle(qtbot, window, (1280, 800))
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=30000)
    qtbot.waitUntil(lambda: "hrtem" in shown_docks(window), timeout=5000)
    assert not {"nbd", "eels"} & set(shown_docks(window))
