"""ROI and line moves are undoable, driven with real mouse drags."""

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def mouse(widget, kind, pos: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
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
    tifffile.imwrite(path, texture, imagej=True, resolution=(1.0, 1.0), metadata={"axes": "TYX", "unit": "nm"})
    return path


def test_fft_roi_drag_is_undoable(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    panel = window.panels["hrtem"]
    window.docks["hrtem"].raise_()
    before = panel.roi_bounds()
    r0, c0, side = before
    centre = panel.image_view.index_to_data(r0 + side / 2, c0 + side / 2)
    drag(qtbot, panel.image_view, centre, centre + QPointF(-20.0, -20.0))
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
