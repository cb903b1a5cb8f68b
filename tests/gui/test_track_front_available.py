"""Track front is disabled, its tooltip saying why, for what the tracker declines before it
starts: frames too small for a line of 8 samples (3 × 3 px), a single image, no line or a line
too short; it is enabled once a line it can track along is drawn."""

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
