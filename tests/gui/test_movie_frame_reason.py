"""Stepping through a tracked movie, the frame the tracker did not measure says why under the
kinetics plot; measured frames say nothing of the kind."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.gui.controllers import front_view
from tests.gui.movie_panel_support import ROW, draw_line, sample_dataset, shown_panel


@pytest.fixture(scope="module")
def sample():
    return sample_dataset()


@pytest.fixture
def panel(qtbot, sample):
    yield from shown_panel(qtbot, sample)


def _step_to(qtbot, panel, frame: int) -> None:
    slider = panel.navigator.slider
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    for _ in range(frame):
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert panel.front.frame == frame


def test_a_frame_without_position_shows_its_reason_while_stepping(qtbot, panel):
    draw_line(qtbot, panel, (ROW, 0), (ROW, 150))
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=90000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    value = panel.state.session.result("front").value
    present = np.asarray(value["present"], bool)
    declined = np.flatnonzero(~present)
    assert declined.size > 0 and declined[0] > 0
    frame = int(declined[0])
    label = panel.front.kinetics.velocity_label
    _step_to(qtbot, panel, frame)
    reason = value["frame_reason"][frame]
    assert reason and label.isVisible()
    assert f"Not measured: {reason}" in label.text()
    qtbot.keyClick(panel.navigator.slider, Qt.Key.Key_Left)
    assert panel.front.frame == frame - 1 and present[frame - 1]
    assert "No front position" not in label.text() and "velocity at t" in label.text()


def test_no_frame_note_when_the_whole_track_declined_or_has_no_frame_reasons():
    declined = {"present": [False, False], "frame_reason": ["no step", "no step"]}
    older = {"present": [True, False]}
    assert front_view.frame_text(declined, 1) == "" and front_view.frame_text(older, 1) == ""
    some = {"present": [True, False], "frame_reason": ["", "off the line"]}
    assert front_view.frame_text(some, 1).endswith(": off the line")
