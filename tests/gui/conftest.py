"""What a user does with the mouse on the movie panel, shared by the GUI tests."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class OpenedSample:
    """A main window on the sample project, idle, and the worker process it had when opened."""

    window: object
    worker_at_open: int | None


@pytest.fixture(scope="module")
def opened_sample(qapp, request, tmp_path_factory):
    """One 1280×800 main window on the sample project, opened once per module and idle, for the
    tests that only read what it shows (a test that clicks, drags or edits opens its own)."""
    from PySide6.QtCore import QSettings
    from pytestqt.qtbot import QtBot

    from insitu_tem.gui.errors import RecordingReporter
    from insitu_tem.gui.main_window import MainWindow

    ini = tmp_path_factory.mktemp("opened_sample") / "settings.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    window = MainWindow(settings, RecordingReporter())
    window.resize(1280, 800)
    window.show()
    window.open_sample_project()
    worker = window.tasks.child.pid
    QtBot(request).waitUntil(window.tasks.is_idle, timeout=120000)
    yield OpenedSample(window, worker)
    window.tasks.cancel()
    window.tasks.wait_for_done(5000)
    window.close()
    window.deleteLater()


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
def front_movie(tmp_path):
    """10 frames of 32² px (1 nm/px, 0.5 s apart): a bright film growing from the left over a
    fixed texture (which holds the drift at zero)."""
    columns, rng = np.arange(32), np.random.default_rng(1)
    film = np.stack([np.where(columns < 8 + 2 * t, 400, 200) for t in range(10)])
    frames = film[:, None, :] + np.random.default_rng(5).integers(0, 800, (32, 32))
    path = tmp_path / "front.tif"
    metadata = {"axes": "TYX", "unit": "nm", "finterval": 0.5}
    movie = rng.poisson(frames).astype(np.uint16)
    tifffile.imwrite(path, movie, imagej=True, resolution=(1.0, 1.0), metadata=metadata)
    return path


def shown_panel(qtbot, reporter, panel_class, size: tuple[int, int], *, stop_ms: int = 5000):
    """A panel of ``panel_class`` on its own session and task runner, resized to ``size`` (width,
    height) and shown; its tasks stopped after (a generator for a fixture to yield from)."""
    from PySide6.QtGui import QUndoStack

    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.gui.tasks import TaskRunner

    tasks = TaskRunner(reporter)
    widget = panel_class(SessionBridge(), tasks, QUndoStack())
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    yield widget
    tasks.cancel()
    tasks.wait_for_done(stop_ms)


@pytest.fixture
def tomo_panel(qtbot, reporter):
    """A Tomography panel on its own, wide enough for its controls; its tasks stopped after."""
    from insitu_tem.gui.panels.tomo.panel import TomoPanel

    yield from shown_panel(qtbot, reporter, TomoPanel, (1600, 700))


@pytest.fixture
def nbd_panel(qtbot, reporter):
    """An NBD panel on its own at 1280×800, shown; its tasks stopped after."""
    from insitu_tem.gui.panels.nbd.panel import NbdPanel

    yield from shown_panel(qtbot, reporter, NbdPanel, (1280, 800), stop_ms=10000)


@pytest.fixture
def fft_panel(qtbot, reporter):
    """An FFT panel on its own at 1280×800, shown; its tasks stopped after."""
    from insitu_tem.gui.panels.fft.panel import FftPanel

    yield from shown_panel(qtbot, reporter, FftPanel, (1280, 800))
