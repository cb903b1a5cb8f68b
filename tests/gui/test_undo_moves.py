"""ROI and line moves are undoable, driven with real mouse drags."""

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def mouse(widget, kind, pos: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def drag(qtbot, view, start_data: QPointF, end_data: QPointF, steps: int = 8) -> None:
    """Press, move in steps and release the left button, in the view's data coordinates."""
    viewport = view.viewport()
    to_widget = lambda p: view.mapFromScene(view.view.mapViewToScene(p))  # noqa: E731
    start, end = to_widget(start_data), to_widget(end_data)
    mouse(viewport, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for i in range(1, steps + 1):
        point = start + (end - start) * i / steps
        mouse(viewport, QEvent.Type.MouseMove, point, Qt.MouseButton.LeftButton)
        qtbot.wait(5)
    mouse(viewport, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


@pytest.fixture
def movie_file(tmp_path):
    texture = np.random.default_rng(0).integers(0, 1000, size=(4, 128, 128), dtype=np.uint16)
    path = tmp_path / "movie.tif"
    tifffile.imwrite(
        path, texture, imagej=True, resolution=(1.0, 1.0), metadata={"axes": "TYX", "unit": "nm"}
    )
    return path


def test_fft_roi_drag_is_undoable(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    panel = window.panels["hrtem"]
    window.docks["hrtem"].raise_()
    panel.set_roi_px(16, 16, 16)  # the 32-px movie's ROI is the whole frame: room to move it
    wait_idle(window)
    before = panel.roi_bounds()
    r0, c0, side = before
    centre = panel.image_view.index_to_data(r0 + side / 2, c0 + side / 2)
    drag(qtbot, panel.image_view, centre, centre + QPointF(-10.0, -10.0))
    wait_idle(window)
    moved = panel.roi_bounds()
    assert moved != before and window.undo_stack.undoText() == "Move FFT ROI"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.roi_bounds() == before
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert panel.roi_bounds() == moved


def test_drawing_the_analysis_line_is_undoable(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    workbench = window.panels["movie"].front
    workbench.set_tool("line")
    view = window.panels["movie"].view
    for row, col in [(64.0, 10.0), (64.0, 110.0)]:
        scene = view.view.mapViewToScene(view.index_to_data(row, col))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene))
    assert workbench.line_rc is not None and window.undo_stack.undoText() == "Draw line"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert workbench.line_rc is None and workbench.roi is None
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_allclose(workbench.line_rc, [[64, 10], [64, 110]], atol=1.0)


def test_parameter_edits_by_the_user_are_undoable_and_programmatic_ones_are_not(
    qtbot, window, wait_idle, movie_file
):
    window.open_paths([movie_file])
    wait_idle(window)
    assert len(window.workbench().parameter_widgets()) == 16
    steps_after_opening = window.undo_stack.count()
    snr = window.panels["hrtem"].controls.snr
    start = snr.value()
    snr.setFocus()
    qtbot.keyClick(snr, Qt.Key.Key_Up)
    qtbot.keyClick(snr, Qt.Key.Key_Up)
    assert snr.value() == pytest.approx(start + 2.0)
    assert window.undo_stack.count() == steps_after_opening + 1, (
        "holding the arrow merges into one step"
    )
    assert window.undo_stack.undoText() == "Change spot SNR"
    snr.setValue(start + 10)
    assert window.undo_stack.count() == steps_after_opening + 1, (
        "programmatic changes are not steps"
    )
    colormap = window.panels["movie"].contrast.colormap
    before_map = colormap.currentIndex()
    colormap.setFocus()
    qtbot.keyClick(colormap, Qt.Key.Key_Down)
    window.panels["movie"].view.setFocus()
    assert (
        colormap.currentIndex() == before_map + 1
        and window.undo_stack.undoText() == "Change colour map"
    )
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert colormap.currentIndex() == before_map
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snr.value() == pytest.approx(start)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert snr.value() == pytest.approx(start + 2.0)
    colormap.setCurrentIndex(before_map + 2)
    assert window.undo_stack.undoText() != "Change colour map", (
        "a programmatic combo change is not a step"
    )
