"""What a user does with the mouse on the movie panel, shared by the GUI tests."""

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import Qt


class MovieUser:
    """Clicks on a movie panel's image in raw (row, col) px, and draws the analysis line."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot

    def click(self, panel, row: float, col: float) -> None:
        view = panel.view
        scene_point = view.view.mapViewToScene(view.index_to_data(row, col))
        self.qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene_point)
        )

    def draw_line(self, panel, start_rc, end_rc) -> None:
        """Line tool, two clicks; returns once the kymograph along the new line is shown."""
        self.qtbot.mouseClick(panel.front.tool_buttons.buttons()[1], Qt.MouseButton.LeftButton)
        with self.qtbot.waitSignal(panel.front.kymograph_ready, timeout=20000):
            self.click(panel, *start_rc)
            self.click(panel, *end_rc)


@pytest.fixture(autouse=True)
def scripted_drags_move_like_a_hand(every_mouse_move_counts):
    """Every GUI test: a scripted drag's moves arrive microseconds apart, and pyqtgraph would
    drop all but the first (its rate limit), so whether a drag started depended on load."""


@pytest.fixture
def movie_user(qtbot):
    return MovieUser(qtbot)


@pytest.fixture
def movie_file(tmp_path):
    """A small calibrated TIFF movie: 6 frames of 32² px, 1 nm/px, 0.5 s apart."""
    path = tmp_path / "movie.tif"
    movie = np.random.default_rng(0).integers(0, 1000, size=(6, 32, 32), dtype=np.uint16)
    tifffile.imwrite(
        path,
        movie,
        imagej=True,
        resolution=(1.0, 1.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
    )
    return path


@pytest.fixture
def tomo_panel(qtbot, reporter):
    """A Tomography panel on its own, wide enough for its controls; its tasks stopped after."""
    from PySide6.QtGui import QUndoStack

    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.gui.panels.tomo.panel import TomoPanel
    from insitu_tem.gui.tasks import TaskRunner

    state, tasks, undo = SessionBridge(), TaskRunner(reporter), QUndoStack()
    widget = TomoPanel(state, tasks, undo)
    qtbot.addWidget(widget)
    widget.resize(1600, 700)
    widget.show()
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)
