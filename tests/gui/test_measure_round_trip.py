"""The measuring tools are part of the session (issue 13): a ruler and a region dragged on the movie
like a user are undo steps, survive save → close → reopen with the same handles and the same
numbers, and the movie export draws them with their readout."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QFileDialog

from tests.gui.user_actions import drag_on_view, float_movie_panel

HAND_PX = 0.45
"""How far a dragged handle may land from its target, image px (a screen pixel is ~0.3 image px)."""


def open_measure_tab(qtbot, window, wait_idle, sample_data):
    """The sample movie alone (the tools measure the movie; the project's other analyses are not
    needed) with the Measure tab shown."""
    window.open_paths([sample_data / "lithiation_movie.tif"])
    wait_idle(window, timeout=120000)
    panel = float_movie_panel(qtbot, window)
    panel.side_tabs.setCurrentWidget(panel.measure)
    panel.view.view.autoRange(items=[panel.view.image_item], padding=0)
    return panel.measure


def drag_ruler(qtbot, tools, start_rc, end_rc) -> None:
    roi = tools.items["Ruler"][0]
    for k, target in enumerate((start_rc, end_rc)):
        handle = roi.getHandles()[k]
        drag_on_view(tools.view, roi.mapToParent(handle.pos()), tools.view.index_to_data(*target))
    assert np.ravel(tools.line_rc("Ruler")) == pytest.approx(
        np.ravel([start_rc, end_rc]), abs=HAND_PX
    )


def drag_region(tools, corner_rc, far_rc) -> None:
    roi = tools.items["Region"][0]
    inside = roi.mapToParent(QPointF(roi.size().x() * 0.4, roi.size().y() * 0.4))
    drag_on_view(tools.view, inside, inside + (tools.view.index_to_data(*corner_rc) - roi.pos()))
    handle = roi.getHandles()[0]
    drag_on_view(tools.view, roi.mapToParent(handle.pos()), tools.view.index_to_data(*far_rc))


def on_screen(tools) -> dict:
    return {"geometry": tools.geometry(), "readout": tools.result.text()}


def test_ruler_and_region_are_undoable_saved_reopened_and_exported(
    qtbot, window, wait_idle, tmp_path, monkeypatch, settings, reporter, sample_data
):
    from insitu_tem.figures.overlay_colours import MEASURE_TOOLS
    from insitu_tem.figures.views import view_panels
    from insitu_tem.gui.main_window import MainWindow

    tools = open_measure_tab(qtbot, window, wait_idle, sample_data)
    session = window.state.session
    qtbot.mouseClick(tools.buttons["Ruler"], Qt.MouseButton.LeftButton)
    drag_ruler(qtbot, tools, (40, 30), (40, 130))
    qtbot.mouseClick(tools.buttons["Region"], Qt.MouseButton.LeftButton)
    drag_region(tools, (59.5, 19.5), (99.5, 69.5))
    assert tools.region_bounds() == (60, 20, 100, 70)
    before = on_screen(tools)
    assert "ruler:" in before["readout"] and "region (intensity): mean" in before["readout"]
    stored = session.measurements("movie")
    assert stored["view"] == "frame" and stored["readout"] == before["readout"]
    assert stored["tools"]["Ruler"] == before["geometry"]["tools"]["Ruler"]

    undo = window.undo_stack
    assert undo.undoText() == "Move region"
    while undo.undoText() == "Move region":
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert undo.undoText() == "Open region"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Region" not in tools.items and "region" not in tools.result.text()
    assert list(session.measurements("movie")["tools"]) == ["Ruler"]
    while undo.canRedo():
        qtbot.keyClick(
            window,
            Qt.Key.Key_Z,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert tools.region_bounds() == (60, 20, 100, 70) and tools.result.text() == before["readout"]

    (panel,) = view_panels(window.session(), "movie")
    ruler = next(line for line, colour in panel.lines_rc if colour == MEASURE_TOOLS["Ruler"])
    assert np.ravel(ruler) == pytest.approx(np.ravel([(40, 30), (40, 130)]), abs=HAND_PX)
    assert any(colour == MEASURE_TOOLS["Region"] for _, colour in panel.lines_rc)
    assert panel.note == before["readout"]

    project_path = tmp_path / "measured.itproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_path), ""))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.close() and window.asker.questions == []

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.resize(1280, 800)
    reopened.show()
    with qtbot.waitSignal(reopened.project.restored, timeout=120000):
        reopened.open_paths([project_path])
    wait_idle(reopened, timeout=120000)
    again = reopened.panels["movie"].measure
    assert again.buttons["Ruler"].isChecked() and again.buttons["Region"].isChecked()
    assert on_screen(again) == before
    assert not reopened.project.dirty and reporter.reports == []
    reopened.tasks.wait_for_done(5000)
