"""Tomography panel driven like a user: open the phantom series, align, reconstruct, cancel, segment."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from insitu_tem.gui.controllers.session_bridge import SessionBridge
from insitu_tem.gui.panels.tomo.panel import TomoPanel
from insitu_tem.gui.tasks import TaskRunner
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom


@pytest.fixture(scope="module")
def series_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tomo")
    sample.write(
        folder, Phantom(size=40, tilts_deg=tuple(np.arange(-60.0, 60.1, 10.0)), counts=100.0)
    )
    return folder / sample.HAADF_NAME


@pytest.fixture
def panel(qtbot, reporter):
    state, tasks, undo = SessionBridge(), TaskRunner(reporter), QUndoStack()
    widget = TomoPanel(state, tasks, undo)
    qtbot.addWidget(widget)
    widget.resize(1400, 600)
    widget.show()
    yield widget
    tasks.cancel()
    tasks.wait_for_done(5000)


def test_open_align_reconstruct_segment(qtbot, panel, series_path, reporter):
    assert not panel.align_button.isEnabled()
    with qtbot.waitSignal(panel.seriesLoaded, timeout=60000):
        panel.open_path(series_path)
    assert "13 tilts" in panel.info.text() and panel.tilt_label.text() == "+0.0°"
    panel.tilt_slider.setValue(0)
    assert panel.tilt_label.text() == "-60.0°"
    panel.align_method.setCurrentText("xcorr")
    with qtbot.waitSignal(panel.aligned, timeout=120000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    assert panel.show_aligned.isChecked() and "offset" in panel.info.text()
    panel.iterations.setValue(8)
    with qtbot.waitSignal(panel.reconstructed, timeout=120000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert panel.volume.shape == (40, 40, 40) and panel.progress.value() == 100
    planes = panel.slices.planes()
    assert planes["XZ"].shape == (40, 40) and planes["XY"].std() > 0
    panel.slices.set_cursor(5, 6, 7)
    assert panel.slices.cursor == [5, 6, 7]
    np.testing.assert_array_equal(panel.slices.planes()["YZ"], panel.volume[:, :, 7])
    with qtbot.waitSignal(panel.measured, timeout=120000):
        qtbot.mouseClick(panel.segment_button, Qt.MouseButton.LeftButton)
    names = [panel.table.item(i, 0).text() for i in range(panel.table.rowCount())]
    assert "shell thickness (median)" in names and not reporter.reports


def test_cancel_stops_a_reconstruction(qtbot, panel, series_path):
    with qtbot.waitSignal(panel.seriesLoaded, timeout=60000):
        panel.open_path(series_path)
    panel.iterations.setValue(500)
    qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=60000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.cancel_button.isEnabled(), timeout=60000)
    assert panel.volume is None and not panel.segment_button.isEnabled()
