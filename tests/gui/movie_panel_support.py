"""The sample movie, a shown MoviePanel on it, and the user's clicks on the movie, shared by the
movie panel tests (each module wraps them in its own fixtures)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.errors import RecordingReporter
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.samples import EXPERIMENT
from insitu_tem.samples import movie as sample_movie

ROW = EXPERIMENT.scan.start_rc[0]


def sample_dataset():
    """The sample movie as a Dataset (60 frames of 256², 2 nm/px, 0.5 s) and its truth."""
    frames, truth = sample_movie.generate()
    axes = (
        Axis("t", 60, 0.5, 0.0, "s"),
        Axis("y", 256, 2.0, 0.0, "nm"),
        Axis("x", 256, 2.0, 0.0, "nm"),
    )
    return Dataset("movie", frames, axes, source=""), truth


def shown_panel(qtbot, sample):
    """A MoviePanel showing ``sample``, 1400×800; after the test, no error was reported."""
    state, reporter = SessionBridge(), RecordingReporter()
    tasks = TaskRunner(reporter)
    widget = MoviePanel(state, tasks, QUndoStack())
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    dataset, _ = sample
    state.set_dataset("movie", dataset)
    widget.set_dataset(dataset)
    qtbot.waitExposed(widget)
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)
    assert reporter.reports == []


def click_movie(qtbot, panel, row, col):
    view = panel.view
    scene_point = view.view.mapViewToScene(view.index_to_data(row, col))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene_point))


def draw_line(qtbot, panel, start_rc, end_rc):
    qtbot.mouseClick(panel.front.tool_buttons.buttons()[1], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.front.kymograph_ready, timeout=20000):
        click_movie(qtbot, panel, *start_rc)
        click_movie(qtbot, panel, *end_rc)
