"""A holder log in the Timeline panel without a movie, or before one: its channels on its own
clock, its reader's warnings, legends that hide none of its data."""

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from insitu_tem.gui.controllers.timeline import TimelineController
from insitu_tem.gui.panels.timeline.panel import CHARGE, TimelinePanel
from insitu_tem.gui.tasks import TaskRunner

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
FRAME_TIMES = np.array(json.loads((SAMPLES / "holder_log.truth.json").read_text())["frame_times_s"])


def test_a_log_opened_before_any_movie_is_named_and_waits_for_one(qtbot, reporter):
    """protochips_electrical.csv opened alone: the panel names the log it holds and says what it
    waits for (before: "Open a movie: …", as if nothing had been opened)."""
    panel, controller = alone(qtbot, reporter, lambda: None)
    controller.open_log(SAMPLES / "holder_log.csv")
    assert panel.status.text().startswith("holder_log.csv is open: open a movie")


def alone(qtbot, reporter, frame_times):
    """A timeline panel whose movie's frame times are ``frame_times()`` (None: no movie)."""
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    controller = TimelineController(
        panel,
        TaskRunner(reporter),
        QUndoStack(),
        frame_times=frame_times,
        set_frame=lambda _frame: None,
    )
    return panel, controller


def test_a_log_opened_alone_plots_on_its_own_clock_until_a_movie_opens(qtbot, reporter):
    """Before: a log opened without a movie showed no channel and no trace (the plot said "Open a
    holder log … and a movie" with the log open)."""
    movie = {"times": None}
    panel, controller = alone(qtbot, reporter, lambda: movie["times"])
    controller.open_log(SAMPLES / "holder_log.csv")
    qtbot.waitUntil(lambda: bool(panel.plots.plot_items), timeout=20000)
    assert panel.checked_channels() == ["Channel A Current", "Channel A Voltage"]
    assert panel.plots.plot_items[-1].getAxis("bottom").labelText == "log time"
    assert panel.plots.cursors == [] and not panel.plots.hint.isVisible()
    shown = panel.plots.plot_items[0].listDataItems()[0].getData()[0]
    np.testing.assert_array_equal(shown, panel.log.time_s)
    assert panel.status.text().startswith("holder_log.csv is open: open a movie")
    movie["times"] = FRAME_TIMES
    controller.recompute()
    qtbot.waitUntil(lambda: panel.timeline is not None, timeout=20000)
    assert panel.checked_channels() == [CHARGE, "Channel A Current", "Channel A Voltage"]
    assert panel.plots.plot_items[-1].getAxis("bottom").labelText == "movie time"
    assert len(panel.plots.cursors) == 3 and "frame 1, " in panel.status.text()


def test_a_heating_log_opens_with_its_first_channel_ticked(qtbot, reporter, realdata):
    """DENSsolutions Impulse: no current, no voltage; the temperature is plotted, not nothing."""
    panel, controller = alone(qtbot, reporter, lambda: None)
    controller.open_log(realdata("holder_logs/StubExperiment_Synchronized data.csv"))
    qtbot.waitUntil(lambda: bool(panel.plots.plot_items), timeout=20000)
    assert panel.checked_channels() == ["Temperature Measured"]


@pytest.mark.parametrize("movie", [FRAME_TIMES, None], ids=["with-movie", "alone"])
def test_a_log_cut_in_its_last_row_says_so_under_the_movie_and_alone(
    qtbot, reporter, tmp_path, movie
):
    """fixes37's reader leaves a cut last row out with a warning; before, the panel did not show
    it (the CLI did), with a movie or without."""
    from tests.io.test_holder_log_cut import cut_in_last_number

    panel, controller = alone(qtbot, reporter, lambda: movie)
    controller.open_log(cut_in_last_number(SAMPLES / "holder_log.csv", tmp_path / "cut.csv"))
    qtbot.waitUntil(lambda: panel.log is not None, timeout=20000)
    assert "cut.csv ends without a line break" in panel.status.text()
    assert panel.log.warnings[0] in panel.status.text()
    if movie is not None:
        panel.set_frame(24)
        assert panel.status.text().startswith("frame 25, ")
        assert "cut.csv ends without a line break" in panel.status.text()


def test_the_legends_of_a_cycling_log_hide_none_of_its_data(qtbot, reporter, tmp_path):
    """A bias cycled 15 times (as protochips_electrical.csv) leaves no corner of its plots empty:
    before, each channel's legend sat on its trace at 1280×800; now it is beside the data area,
    whose x axes stay aligned."""
    time = np.arange(0.0, 15.0, 0.01)
    bias = np.where(np.sin(2 * np.pi * time) > 0, 40.0, 0.0)
    rows = "\n".join(f"{t:.2f},{v * 4e-4:.3e},{v:.1f}" for t, v in zip(time, bias))
    path = tmp_path / "cycling.csv"
    path.write_text("time (s),I (A),V (V)\n" + rows + "\n")
    panel, controller = alone(qtbot, reporter, lambda: None)
    panel.resize(1280, 330)
    controller.open_log(path)
    qtbot.waitUntil(lambda: len(panel.plots.plot_items) == 2, timeout=20000)
    qtbot.waitExposed(panel)
    qtbot.wait(50)
    data_areas = [plot.vb.sceneBoundingRect() for plot in panel.plots.plot_items]
    for plot, area in zip(panel.plots.plot_items, data_areas):
        legend = plot.legend.sceneBoundingRect()
        assert legend.left() >= area.right() - 1  # the grid's half-pixel seam
        assert legend.right() <= panel.plots.sceneRect().right() + 1
        assert plot.legend.items[0][1].text in ("I", "V")
    assert len({(round(area.left()), round(area.right())) for area in data_areas}) == 1
