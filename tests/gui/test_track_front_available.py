"""Track front and Film thickness are disabled, their tooltips saying why, for what their trackers
decline before they start: frames too small for a line of 8 samples (3 × 3 px; 24 for the film's
edges), a single image, no line or a line too short; each is enabled once a line it can track
along is drawn."""

import re

import numpy as np
import pytest

from insitu_tem.core.model import Axis, Dataset
from tests.gui.movie_panel_support import ROW, draw_line, sample_dataset, shown_panel


def _movie(frames: int, rows: int, cols: int) -> Dataset:
    data = np.random.default_rng(0).integers(0, 1000, size=(frames, rows, cols))
    axes = (Axis("t", frames, 0.5, 0.0, "s"), Axis("y", rows), Axis("x", cols))
    return Dataset("movie", data.astype(np.float32), axes, source="")


@pytest.fixture
def tiny(qtbot):
    yield from shown_panel(qtbot, (_movie(10, 3, 3), None))


@pytest.fixture
def single(qtbot):
    yield from shown_panel(qtbot, (_movie(1, 64, 64), None))


@pytest.fixture
def panel(qtbot):
    yield from shown_panel(qtbot, sample_dataset())


def test_three_by_three_frames_cannot_be_tracked(tiny):
    button = tiny.front.track_button
    assert not button.isEnabled()
    assert "Frames of 3 × 3 px are too small" in button.toolTip()
    assert button.toolTip().startswith("Track the reaction front")
    thickness = tiny.front.thickness_button
    assert not thickness.isEnabled() and "Frames of 3 × 3 px" in thickness.toolTip()


def test_a_single_image_cannot_be_tracked(single):
    button = single.front.track_button
    assert not button.isEnabled() and "A single image" in button.toolTip()


def test_track_front_waits_for_a_line_long_enough(qtbot, panel):
    button = panel.front.track_button
    assert not button.isEnabled() and "Draw a line across the front" in button.toolTip()
    draw_line(qtbot, panel, (ROW, 10), (ROW, 12))
    assert not button.isEnabled()
    assert re.search(r"The line is [23]\.\d px long: draw one 7 px or longer", button.toolTip())
    draw_line(qtbot, panel, (ROW + 30, 10), (ROW + 30, 240))
    assert button.isEnabled() and "Not available" not in button.toolTip()


def test_film_thickness_waits_for_a_line_of_23_px(qtbot, panel):
    button = panel.front.thickness_button
    assert not button.isEnabled() and "Draw a line across" in button.toolTip()
    draw_line(qtbot, panel, (ROW, 100), (ROW, 115))
    assert panel.front.track_button.isEnabled() and not button.isEnabled()
    assert re.search(r"The line is 1[456]\.\d px long: draw one 23 px or longer", button.toolTip())
    draw_line(qtbot, panel, (ROW + 30, 60), (ROW + 30, 200))
    assert button.isEnabled() and button.toolTip().startswith("Strain of the film")
