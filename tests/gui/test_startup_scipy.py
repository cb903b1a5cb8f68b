"""The GUI's start (the window and every panel built) imports no scipy.stats, scipy.signal or
scipy.interpolate (about 1 CPU s together): the analyses that use them import them when they
run."""

import os
import subprocess
import sys

HEAVY = ("scipy.stats", "scipy.signal", "scipy.interpolate")

CODE = """
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from insitu_tem.gui.asker import HeadlessAsker
from insitu_tem.gui.errors import RecordingReporter
from insitu_tem.gui.main_window import MainWindow
app = QApplication([])
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
window = MainWindow(settings, RecordingReporter(), asker=HeadlessAsker())
window.workbench()
print(len(window.panels), ",".join(m for m in sys.argv[2:] if m in sys.modules))
window.close()
"""


def test_building_every_panel_imports_no_scipy_stats_signal_or_interpolate(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    found = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path / "settings.ini"), *HEAVY],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    panels, *loaded = found.stdout.strip().splitlines()[-1].split(" ")
    assert int(panels) >= 6 and loaded == []
