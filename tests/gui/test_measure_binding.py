"""The measuring tools bound to the session, on a panel with two images (an HRTEM frame and its
FFT) like the FFT panel: what the user picks and opens is recorded with the image it measures,
every edit is one undo step, and a session that is shown again puts the tools back."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from insitu_tem.core.model import Axis
from insitu_tem.core.session import Session
from insitu_tem.gui.controllers.measurements import MeasurementBinding
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.widgets.image_view import CalibratedImageView
from insitu_tem.gui.widgets.measure_tools import MeasureTools


def image_view(scale: float, units: str) -> CalibratedImageView:
    view = CalibratedImageView()
    view.set_frame(
        np.random.default_rng(0).random((40, 50)),
        axes=(Axis("y", 40, scale, 0.0, units), Axis("x", 50, scale, 0.0, units)),
        auto_range=True,
    )
    return view


@pytest.fixture
def bound(qtbot):
    views = {"HRTEM image": image_view(0.1, "nm"), "FFT": image_view(0.05, "1/nm")}
    tools = MeasureTools(views)
    for widget in (tools, *views.values()):
        qtbot.addWidget(widget)
        widget.show()
    state, undo = SessionBridge(Session()), QUndoStack()
    MeasurementBinding(tools, state, undo, "hrtem", parent=tools)
    return tools, state, undo


def test_tools_on_the_fft_are_recorded_with_their_image_and_each_edit_is_undone(qtbot, bound):
    tools, state, undo = bound
    tools.target.setCurrentText("FFT")
    qtbot.mouseClick(tools.buttons["Angle"], Qt.MouseButton.LeftButton)
    entry = state.session.measurements("hrtem")
    assert entry["view"] == "FFT" and len(entry["tools"]["Angle"]) == 4
    assert entry["readout"].startswith("angle between lines:") and undo.undoText() == "Open angle"
    qtbot.mouseClick(tools.buttons["Profile"], Qt.MouseButton.LeftButton)
    tools.width_px.setFocus()
    tools.width_px.selectAll()
    qtbot.keyClicks(tools.width_px, "7")
    assert undo.undoText() == "Change profile width"
    assert state.session.measurements("hrtem")["width_px"] == 7
    assert "width 7 px" in state.session.measurements("hrtem")["readout"]
    undo.undo()
    assert tools.width_px.value() == 1 and "width 1 px" in tools.result.text()
    undo.undo()
    assert "Profile" not in tools.items and list(state.session.measurements("hrtem")["tools"]) == [
        "Angle"
    ]
    undo.undo()
    assert tools.items == {} and state.session.measurement_panels == []


def test_a_session_shown_again_puts_back_the_tools_on_their_image(qtbot, bound):
    tools, state, undo = bound
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    tools.set_line("Ruler", (5, 5), (25, 35))
    kept = state.session.snapshot()
    assert kept.measurements("hrtem")["view"] == "frame"
    state.replace_session(Session())
    assert tools.items == {} and not tools.buttons["Ruler"].isChecked()
    saved = Session()
    saved.set_measurements("hrtem", {**kept.measurements("hrtem"), "view": "FFT"})
    state.replace_session(saved)
    assert tools.target.currentText() == "FFT" and tools.view is tools.views["FFT"]
    assert np.ravel(tools.line_rc("Ruler")) == pytest.approx(
        np.ravel([(10, 10), (50, 70)]), abs=1e-9
    )
    assert tools.result.text().startswith("ruler: ") and "1/nm" in tools.result.text()
