"""What a user does in the window, shared by the session GUI tests (round trip, lifecycle)."""

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def track_front_on_the_sample(qtbot, window, wait_idle, movie_user):
    """Open the sample project, draw the analysis line across the front and track it, as a user
    does (the movie dock floated large enough to click on); returns the movie panel."""
    from insitu_tem.samples.experiment import EXPERIMENT

    row = EXPERIMENT.scan.start_rc[0]
    window.open_sample_project()
    wait_idle(window, timeout=120000)
    panel = float_movie_panel(qtbot, window)
    movie_user.draw_line(panel, (row, 10), (row, 240))
    with qtbot.waitSignal(panel.front.tracking_ready, timeout=60000):
        qtbot.mouseClick(panel.front.track_button, Qt.MouseButton.LeftButton)
    return panel


def float_movie_panel(qtbot, window, size=(1400, 800)):
    """Float the movie dock at ``size`` so its widgets can be clicked; returns the movie panel."""
    panel = window.panels["movie"]
    window.docks["movie"].setFloating(True)
    window.docks["movie"].resize(*size)
    qtbot.waitExposed(panel)
    return panel


def file_action(window, text):
    """The File menu's action called ``text``."""
    return next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == text)


def _send_mouse(viewport, kind, point: QPointF, button, buttons) -> None:
    event = QMouseEvent(
        kind, point, viewport.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(viewport, event)


def drag_on_view(view, start: QPointF, end: QPointF, steps: int = 8) -> None:
    """Press the left button at ``start``, move with it held, release at ``end`` (both in the view
    coordinates of a CalibratedImageView): a real drag on the view's viewport."""
    viewport = view.viewport()

    def on_screen(point: QPointF) -> QPointF:
        return QPointF(view.mapFromScene(view.view.mapViewToScene(point)))

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _send_mouse(viewport, QEvent.Type.MouseButtonPress, on_screen(start), left, left)
    for fraction in np.linspace(0.0, 1.0, steps + 1)[1:]:
        point = on_screen(start + (end - start) * float(fraction))
        _send_mouse(viewport, QEvent.Type.MouseMove, point, none, left)
    _send_mouse(viewport, QEvent.Type.MouseButtonRelease, on_screen(end), left, none)


def hover(view, point: QPointF) -> None:
    """Move the mouse, no button held, to ``point`` (view coordinates of an image view)."""
    screen = QPointF(view.mapFromScene(view.view.mapViewToScene(point)))
    none = Qt.MouseButton.NoButton
    _send_mouse(view.viewport(), QEvent.Type.MouseMove, screen, none, none)


def curve(item) -> list:
    """A plot item's (x, y) data as nested lists, [] when it has none."""
    x, y = item.getData()
    return [] if x is None else np.stack([x, y]).tolist()


def save_with_ctrl_s(qtbot, window, monkeypatch, path) -> None:
    """Ctrl+S with the save dialog answering ``path``."""
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def reopen(qtbot, settings, reporter, path, wait_idle, *, timeout=120000):
    """A new 1280×800 main window that opens the project at ``path``; returned once idle."""
    from insitu_tem.gui.main_window import MainWindow

    reopened = MainWindow(settings, reporter)
    qtbot.addWidget(reopened)
    reopened.resize(1280, 800)
    reopened.show()
    with qtbot.waitSignal(reopened.project.restored, timeout=timeout):
        reopened.open_paths([path])
    wait_idle(reopened, timeout=timeout)
    return reopened


def open_nbd(qtbot, panel, dataset, *, timeout: int = 120000) -> None:
    """Open ``dataset`` as the session's NBD data (what File ▸ Open does) and wait for its
    analysis."""
    panel.state.set_dataset("nbd", dataset)
    with qtbot.waitSignal(panel.analysis_finished, timeout=timeout):
        panel.set_dataset(panel.state.dataset("nbd"))
    qtbot.waitUntil(panel.tasks.is_idle, timeout=timeout)
