"""What the GUI imports before the sample project can open: the workbench (every panel built)
needs neither matplotlib (figure export only) nor dask (lazy reads only)."""

import os
import subprocess
import sys

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
print(len(window.panels), [m for m in ("matplotlib", "dask") if m in sys.modules])
window.close()
"""


def test_building_every_panel_imports_neither_matplotlib_nor_dask(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    found = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    panels, loaded = found.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(panels) >= 6 and loaded == "[]"
