"""A movie frame with NaN pixels in the FFT region: what the user reads names that frame — in
the panel when scrubbing to it, and in the error when d(t) reaches it."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from insitu_tem.io.load import load
from insitu_tem.samples import hrtem
from tests.gui.test_fft_panel import panel  # noqa: F401 - the panel fixture

BAD = 17


@pytest.fixture(scope="module")
def holed_movie(tmp_path_factory):
    """The HRTEM sample movie with a NaN patch inside the default ROI of frame 17."""
    movie_path, truth_path = hrtem.write(tmp_path_factory.mktemp("fft_nan"))
    dataset = load(movie_path)
    array = np.array(dataset.array, dtype=np.float32)
    rows, cols = array.shape[-2:]
    array[BAD, rows // 2 : rows // 2 + 4, cols // 2 : cols // 2 + 4] = np.nan
    return replace(dataset, array=array), json.loads(truth_path.read_text())


def test_the_frame_with_nan_pixels_is_named_on_screen_and_in_the_d_of_t_error(
    qtbot,
    panel,  # noqa: F811
    holed_movie,
    reporter,
):
    dataset, _ = holed_movie
    with qtbot.waitSignal(panel.measurement_shown, timeout=30000):
        panel.state.set_dataset("hrtem", dataset)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    time_s = dataset.axes[0].to_value(BAD)
    panel.navigator.set_index(BAD)
    assert f"frame {BAD + 1} (t = {time_s:.4g} s)" in panel.warning_label.text()
    assert "NaN or infinite pixels" in panel.warning_label.text()
    panel.navigator.set_index(0)
    qtbot.waitUntil(panel.tasks.is_idle, timeout=30000)
    assert "infinite" not in panel.warning_label.text()
    qtbot.mouseClick(panel.controls.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(reporter.reports) == 1, timeout=30000)
    message = reporter.reports[0].message
    assert f"frame {BAD + 1} has NaN or infinite pixels" in message
    assert "hrtem_movie" in message and panel.series is None
