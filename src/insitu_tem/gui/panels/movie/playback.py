"""Measured playback speed, offscreen, including the paint.

``measure_playback`` plays generated uint16 frames through the real movie panel
(its timer tick handler, fixed levels, lookup table) and forces a synchronous
repaint of the view after every frame; ``mode="imageview"`` does the same with
``pyqtgraph.ImageView.setCurrentIndex`` for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

DISTINCT_FRAMES = 16
VIEW_SIZE = (1200, 800)


@dataclass(frozen=True)
class PlaybackTiming:
    """Frames shown per second.

    Attributes
    ----------
    fps : float
        Frames per second, paint included.
    seconds : float
        Wall time for all frames, s.
    frames : int
        Frames shown.
    size : int
        Frame edge, px.
    mode : str
        "panel" or "imageview".
    lazy : bool
        True when the movie was a dask array (read-ahead path).
    """

    fps: float
    seconds: float
    frames: int
    size: int
    mode: str
    lazy: bool


def generated_movie(size: int, n_frames: int, *, seed: int = 0) -> np.ndarray:
    """``min(n_frames, 16)`` random uint16 frames of ``size``² (shown in a loop)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4096, size=(min(n_frames, DISTINCT_FRAMES), size, size), dtype=np.uint16)


def measure_playback(
    size: int = 2048, frames: int = 100, *, mode: str = "panel", lazy: bool = False
) -> PlaybackTiming:
    """Play ``frames`` frames of ``size``² uint16 and time them (QApplication created if needed)."""
    if size < 16 or frames < 1:
        raise ValueError("give --size >= 16 px and --frames >= 1")
    if mode not in ("panel", "imageview"):
        raise ValueError(f"mode must be 'panel' or 'imageview', got {mode!r}")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    movie = generated_movie(size, frames)
    if mode == "imageview":
        seconds = _time_imageview(app, movie, frames)
    else:
        seconds = _time_panel(app, movie, frames, lazy=lazy)
    return PlaybackTiming(frames / seconds, seconds, frames, size, mode, lazy)


def _time_panel(app, movie: np.ndarray, frames: int, *, lazy: bool) -> float:
    from PySide6.QtGui import QUndoStack

    from insitu_tem.core.model import Axis, Dataset
    from insitu_tem.gui.errors import RecordingReporter
    from insitu_tem.gui.panels.movie.panel import MoviePanel
    from insitu_tem.gui.controllers.session_bridge import SessionBridge
    from insitu_tem.gui.tasks import TaskRunner

    state = SessionBridge()
    tasks = TaskRunner(RecordingReporter())
    panel = MoviePanel(state, tasks, QUndoStack())
    panel.resize(*VIEW_SIZE)
    panel.show()
    if lazy:
        import dask.array as da

        movie = da.from_array(movie, chunks=(1,) + movie.shape[1:])
    n, rows, cols = movie.shape
    axes = (
        Axis("t", n, 0.05, 0.0, "s"),
        Axis("y", rows, 0.1, 0.0, "nm"),
        Axis("x", cols, 0.1, 0.0, "nm"),
    )
    dataset = Dataset("movie", movie, axes)
    state.set_dataset("movie", dataset)
    panel.set_dataset(dataset)
    app.processEvents()
    panel.playback.play_button.setChecked(True)
    panel.playback.timer.stop()
    start = time.perf_counter()
    for _ in range(frames):
        panel.playback.tick.emit()
        panel.view.viewport().repaint()
    seconds = time.perf_counter() - start
    panel.playback.stop()
    panel.close()
    tasks.wait_for_done(5000)
    return seconds


def _time_imageview(app, movie: np.ndarray, frames: int) -> float:
    import pyqtgraph as pg

    view = pg.ImageView()
    view.resize(*VIEW_SIZE)
    view.show()
    view.setImage(movie, axes={"t": 0, "y": 1, "x": 2})
    app.processEvents()
    start = time.perf_counter()
    for i in range(frames):
        view.setCurrentIndex(i % movie.shape[0])
        view.ui.graphicsView.viewport().repaint()
    seconds = time.perf_counter() - start
    view.close()
    return seconds
