"""File ▸ Export Figure ▸ "tomo" in the main window renders what the Tomography panel shows,
like the panel's own Export Figure…, and says what to do before a volume exists."""

import json

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom
from tests.gui.user_actions import file_action


def test_file_menu_exports_the_tomography_view(qtbot, window, tmp_path, monkeypatch, reporter):
    sample.write(
        tmp_path, Phantom(size=32, tilts_deg=tuple(np.arange(-60.0, 60.1, 15.0)), counts=100.0)
    )
    out = tmp_path / "tomo.png"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("tomo", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    file_action(window, "&Export Figure…").trigger()
    qtbot.waitUntil(lambda: bool(reporter.reports), timeout=5000)
    assert "reconstruct a volume in the Tomography panel first" in reporter.reports[-1].message
    assert not out.exists()
    reporter.reports.clear()
    panel = window.panels["tomo"]
    with qtbot.waitSignal(panel.controller.seriesLoaded, timeout=60000):
        panel.open_path(tmp_path / sample.HAADF_NAME)
    panel.align_method.setCurrentText("none")
    with qtbot.waitSignal(panel.controller.aligned, timeout=60000):
        qtbot.mouseClick(panel.align_button, Qt.MouseButton.LeftButton)
    panel.method.setCurrentText("wbp")
    with qtbot.waitSignal(panel.controller.reconstructed, timeout=60000):
        qtbot.mouseClick(panel.reconstruct_button, Qt.MouseButton.LeftButton)
    file_action(window, "&Export Figure…").trigger()
    record = json.loads(Image.open(out).text["insitu-tem"])
    assert record["parameters"]["channel"] == "HAADF" and record["parameters"]["units"] == "nm"
    alignment = panel.controller.alignment
    assert record["parameters"]["tilt_axis_angle_deg"] == alignment.axis_angle_deg
    assert record["parameters"]["tilt_axis_method"] == alignment.axis_method
    assert record["sources"] == [str(tmp_path / sample.HAADF_NAME)]
    assert str(out) in window.statusBar().currentMessage()
    assert not reporter.reports
