"""Frame numbers read the same everywhere in the GUI, counted from 1 as Fiji's slice numbers
(the CSV files keep the CLI's 0-based frame index): the frame spin box, the label beside it,
the time line under the movie, the frames-played range, the undo history and the timeline."""

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers import front_view
from insitu_tem.gui.frame_numbers import numbers_text
from tests.gui.movie_panel_support import click_movie, shown_panel


@pytest.fixture
def panel(qtbot):
    """A movie panel on an uncalibrated 6-frame movie (no times: frames are numbered)."""
    frames = np.random.default_rng(0).integers(0, 1000, size=(6, 32, 32)).astype(np.float32)
    movie = Dataset("movie", frames, (Axis("t", 6), Axis("y", 32), Axis("x", 32)), source="")
    yield from shown_panel(qtbot, (movie, None))


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def test_the_spin_box_the_label_and_the_time_line_agree(qtbot, panel):
    slider = panel.navigator.slider
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert panel.navigator.spin.text() == "1" and _numbers(panel.time_label.text()) == [1]
    for _ in range(3):
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert panel.state.frame == 3
    assert panel.navigator.spin.text() == "4"
    assert panel.navigator.value_label.text() == "of 6"
    assert _numbers(panel.time_label.text()) == [4]
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert panel.navigator.spin.text() == "6" and _numbers(panel.time_label.text()) == [6]


def test_typing_a_frame_number_shows_that_frame(qtbot, panel):
    spin = panel.navigator.spin
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert panel.state.frame == 1 and _numbers(panel.time_label.text()) == [2]


def test_the_frames_played_range_counts_from_one(qtbot, panel):
    first, last = panel.processing.first, panel.processing.last
    assert (first.text(), last.text()) == ("from 1", "to 6")
    last.setFocus()
    qtbot.keyClick(last, Qt.Key.Key_Down)
    assert last.text() == "to 5"
    assert panel.processing.options(None).time_range == (0, 4)


def test_the_undo_history_names_the_frame_shown(qtbot, panel):
    panel.navigator.spin.setValue(3)
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[2], Qt.MouseButton.LeftButton)
    click_movie(qtbot, panel, 10, 10)
    assert panel.front.annotations.keyframes and panel.state.frame == 2
    assert panel.undo_stack.undoText() == "Mark front on frame 3"


def test_the_velocity_of_a_movie_without_times_names_the_frame_number():
    fit = {"ok": True}
    track = {"fit": fit, "velocity": [1.0, 2.0, 3.0], "units": "nm"}
    text = front_view.velocity_text(track, 1, np.arange(3.0), "frame")
    assert text.startswith("velocity at frame 2: 2 nm/frame")
    timed = front_view.velocity_text(track, 1, np.array([0.0, 0.5, 1.0]), "s")
    assert timed.startswith("velocity at t = 0.5 s: 2 nm/s")


def test_a_long_list_of_frames_shows_the_first_ten_numbers_and_how_many():
    assert numbers_text([7, 12]) == "8, 13"
    assert numbers_text(range(14)) == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (14 frames)"
