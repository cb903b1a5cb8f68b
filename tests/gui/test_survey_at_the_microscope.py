"""A Bruker EDS map (0.bcf: a 256² HAADF survey at 13.1 nm/px and the EDX cube) opened at the
microscope as a user sees it: the survey fills the image panel, its tools below it, on a 1920×1200
screen; the FFT panel says in plain words, with the numbers, that a survey sampled this coarsely
cannot resolve lattice fringes (no "amorphous", nothing in red, no crystallinity map) while an
HRTEM image is still measured as before; and a map opened with a movie already on screen shows
its survey (the session's survey role) in the FFT panel instead of leaving it out, the movie taking
its column's height from the empty NBD dock and the map two thirds of the other column's."""

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.panels.fft.region import (
    LARGEST_FRINGE_NM,
    fringes_unresolved,
    lattice_text,
)
from tests.gui.test_open_spectrum_image import map_file  # noqa: F401 - fixture
from insitu_tem.gui.dock_layout import MIN_DOCK_SIZE
from tests.gui.test_window_layout_and_keys import settle, shown_docks

# The element identification of a real .bcf's sum takes ~10 s alone (266 bounded fits), several
# times that on a loaded 2-core machine beside the other xdist worker.
IDENTIFY_MS = 180_000

pytestmark = pytest.mark.slow


def image_at(pixel_nm: float) -> Dataset:
    axes = (Axis("y", 64, pixel_nm, 0.0, "nm"), Axis("x", 64, pixel_nm, 0.0, "nm"))
    return Dataset("image", np.zeros((64, 64)), axes, {}, source="survey.tif")


def test_only_sampling_coarser_than_half_the_largest_fringe_is_unresolved():
    assert fringes_unresolved(image_at(0.9 * LARGEST_FRINGE_NM / 2)) == ""
    text = fringes_unresolved(image_at(13.08))
    assert lattice_text("lattice: d₁ = 456 nm", found=True, unresolved=text).endswith(text)
    assert lattice_text("lattice: no spot", found=False, unresolved=text) == text
    assert "13.1 nm/px" in text and "26.2 nm" in text and "survey.tif" in text
    uncalibrated = Dataset("image", np.zeros((64, 64)), (Axis("y", 64), Axis("x", 64)), {})
    assert fringes_unresolved(uncalibrated) == ""


@pytest.fixture
def bcf_window(qtbot, window, wait_idle, realdata):
    """The window at 1920×1200 with 0.bcf opened, idle."""
    path = realdata("edstomo_idp/0.bcf")
    settle(qtbot, window, (1920, 1200))
    qtbot.waitUntil(lambda: window.dock_layout.placed_compact is False, timeout=5000)
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=60000)
    wait_idle(window, timeout=IDENTIFY_MS)
    return window


def test_the_survey_gets_the_room_of_its_panel(qtbot, bcf_window):
    movie = bcf_window.panels["movie"]
    assert movie.single_image
    qtbot.waitUntil(lambda: movie.view.width() > 0.9 * movie.width())
    assert movie.view.height() > 1.5 * movie.side_tabs.height()
    assert movie.side_tabs.currentWidget() is movie.measure and movie.side_tabs.isVisible()


def test_the_fft_panel_says_the_survey_cannot_resolve_fringes(bcf_window):
    fft = bcf_window.panels["hrtem"]
    assert fft.dataset is bcf_window.state.dataset("movie")
    assert fft.jobs.shown is not None and not fft.jobs.shown.fit.ok
    said = fft.lattice_label.text()
    assert "13.1 nm/px" in said and "26.2 nm" in said and "says nothing about" in said
    labels = (fft.lattice_label, fft.warning_label, fft.readout, fft.candidates_label)
    assert not any("amorphous" in label.text() for label in labels)
    assert fft.warning_label.text() == ""
    assert not fft.controls.crystallinity_button.isEnabled() and fft.filtered_view.isHidden()


def test_an_hrtem_image_after_the_survey_is_measured_again(qtbot, window, wait_idle, realdata):
    window.open_paths([realdata("edstomo_idp/0.bcf")])
    qtbot.waitUntil(lambda: window.state.dataset("movie") is not None, timeout=60000)
    wait_idle(window, timeout=IDENTIFY_MS)
    window.asker.yes = True
    window.open_paths([realdata("soot_hrtem.tif")])
    fft = window.panels["hrtem"]
    qtbot.waitUntil(lambda: fft.dataset.source.endswith("soot_hrtem.tif"), timeout=60000)
    wait_idle(window, timeout=60000)
    assert fft.jobs.shown is not None
    assert fft.unresolved == "" and fft.controls.crystallinity_button.isEnabled()
    assert not fft.filtered_view.isHidden()
    assert fft.lattice_label.text().startswith("lattice:")


def test_a_map_opened_over_a_movie_shows_its_survey_in_the_fft_panel(
    qtbot,
    window,
    wait_idle,
    movie_file,
    map_file,  # noqa: F811 - fixture
):
    window.open_paths([movie_file])
    wait_idle(window)
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.state.dataset("survey") is not None, timeout=30000)
    wait_idle(window)
    assert window.state.dataset("movie").source == str(movie_file)
    survey = window.state.dataset("survey")
    assert survey.metadata["title"] == "HAADF"
    fft = window.panels["hrtem"]
    assert fft.dataset is survey and np.array_equal(fft.image_view.frame, survey.array)
    assert window.asker.questions == []


def test_over_a_movie_on_a_wide_screen_the_movie_and_the_map_get_the_room(
    qtbot,
    window,
    wait_idle,
    movie_file,
    map_file,  # noqa: F811 - fixture
):
    settle(qtbot, window, (1920, 1200))
    qtbot.waitUntil(lambda: window.dock_layout.placed_compact is False, timeout=5000)
    window.open_paths([movie_file])
    wait_idle(window)
    window.open_paths([map_file])
    qtbot.waitUntil(lambda: window.state.dataset("survey") is not None, timeout=30000)
    wait_idle(window)
    qtbot.waitUntil(lambda: shown_docks(window)["nbd"].height() <= MIN_DOCK_SIZE[1] + 10)
    docks = shown_docks(window)
    assert docks["movie"].height() > 3 * docks["nbd"].height()
    assert {"movie", "hrtem", "eels"} <= set(docks)
    assert docks["eels"].height() > 1.6 * docks["hrtem"].height()
