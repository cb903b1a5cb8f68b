"""Export Movie options and the Measure tab as a user meets them: the frame rate defaults to
the playback rate, size, crop to the visible area and a frame range reach the exported file;
the ruler and region statistics read the movie in its calibration."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from insitu_tem.figures.movie_export import export_movie
from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.movie.panel import MoviePanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.gui.widgets.movie_export_dialog import MovieExportDialog
from insitu_tem.io.load import load


@pytest.fixture
def panel(qtbot, reporter, movie_file):
    state, tasks = SessionBridge(), TaskRunner(reporter)
    widget = MoviePanel(state, tasks, QUndoStack())
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    dataset = load(movie_file)
    state.set_dataset("movie", dataset)
    widget.set_dataset(dataset)
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)


def test_dialog_defaults_to_the_playback_rate_and_exports_the_chosen_part(qtbot, panel, tmp_path):
    panel.playback.fps.setValue(25)
    panel.view.view.setRange(
        xRange=panel.view.index_to_data(0, 4).x() + np.array([0, 16]),
        yRange=panel.view.index_to_data(8, 0).y() + np.array([0, 12]),
        padding=0,
    )
    choices = panel.export_choices()
    r0, c0, r1, c1 = choices["crops"]["Visible area"]
    dialog = MovieExportDialog(
        n_frames=6, fps=choices["fps"], crops=choices["crops"], frame_range=(0, 5)
    )
    qtbot.addWidget(dialog)
    assert dialog.fps.value() == 25.0
    dialog.crop.setCurrentText("Visible area")
    dialog.zoom.setValue(2.0)
    assert (dialog.first.text(), dialog.last.text()) == ("1", "6")
    dialog.first.setValue(2)
    dialog.last.setValue(5)
    options = dialog.options()
    assert options == {
        "fps": 25.0,
        "zoom": 2.0,
        "crop": (r0, c0, r1, c1),
        "start": 1,
        "stop": 5,
        "step": 1,
    }
    path = export_movie(panel.dataset, tmp_path / "part.gif", **options)
    gif = Image.open(path)
    assert gif.n_frames == 4 and gif.info["duration"] == 40
    whole = Image.open(export_movie(panel.dataset, tmp_path / "whole.gif", zoom=2.0))
    assert gif.size[0] < whole.size[0] and gif.size[1] < whole.size[1]
    assert (r1 - r0, c1 - c0) != (32, 32)


def test_a_crop_outside_the_movie_is_refused(panel, tmp_path):
    with pytest.raises(ValueError, match="fewer than 2 × 2 pixels"):
        export_movie(panel.dataset, tmp_path / "x.gif", crop=(40, 40, 50, 50))


def test_the_movie_panel_measures_in_its_calibration(qtbot, panel):
    tabs = panel.side_tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("Measure"))
    panel.measure.set_line("Ruler", (2, 2), (2, 12))
    assert "ruler: 10 nm" in panel.measure.result.text()
    panel.state.set_frame(3)
    qtbot.mouseClick(panel.measure.buttons["Region"], Qt.MouseButton.LeftButton)
    frame = np.asarray(panel.dataset.frame(3), float)
    r0, c0, r1, c1 = panel.measure.region_bounds()
    assert panel.measure.statistics.mean == pytest.approx(frame[r0:r1, c0:c1].mean())
