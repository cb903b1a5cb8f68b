"""Track d(t) in the FFT panel is disabled, its tooltip saying why, where d(t) cannot run: frames
too small for an FFT (3 × 3 px) and a single image; a movie the panel can measure enables it."""

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from tests.gui.test_fft_panel import panel  # noqa: F401 - the panel fixture


def _movie(frames: int, rows: int, cols: int) -> Dataset:
    data = np.random.default_rng(0).integers(0, 1000, size=(frames, rows, cols))
    axes = (Axis("t", frames, 0.5, 0.0, "s"), Axis("y", rows), Axis("x", cols))
    return Dataset("movie", data.astype(np.float32), axes, source="")


def _shown(qtbot, panel, dataset):  # noqa: F811
    panel.state.set_dataset("hrtem", dataset)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    return panel.controls.track_button


def test_three_by_three_frames_cannot_be_tracked(qtbot, panel):  # noqa: F811
    button = _shown(qtbot, panel, _movie(10, 3, 3))
    assert not button.isEnabled()
    assert "the image is 3 × 3 px" in button.toolTip()
    assert button.toolTip().startswith("Follow the picked spots")
    assert not panel.controls.crystallinity_button.isEnabled()


def test_a_single_image_cannot_be_tracked(qtbot, panel):  # noqa: F811
    button = _shown(qtbot, panel, _movie(1, 64, 64))
    assert not button.isEnabled() and "A single image" in button.toolTip()


def test_a_movie_of_measurable_frames_can_be_tracked(qtbot, panel):  # noqa: F811
    button = _shown(qtbot, panel, _movie(4, 64, 64))
    assert button.isEnabled() and "Not available" not in button.toolTip()
