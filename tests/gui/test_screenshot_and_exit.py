"""Whole-program checks in a subprocess: --screenshot, and a clean exit code."""

import os
import subprocess
import sys
from pathlib import Path


BIN = Path(sys.executable).parent / "insitu-tem"
IMAGEVIEW_SCRIPT = """
import numpy as np, pyqtgraph as pg
from PySide6.QtWidgets import QApplication
app = QApplication([])
view = pg.ImageView()
view.setImage(np.random.default_rng(0).random((4, 64, 64)).astype("float32"))
view.show()
app.processEvents()
"""


def test_imageview_script_exits_cleanly():
    """PySide6 6.12 + pyqtgraph 0.14 abort at exit (exit 134) once an ImageView showed an image."""
    result = subprocess.run(
        [sys.executable, "-c", IMAGEVIEW_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-1000:]


def test_screenshot_of_real_files(tmp_path, realdata):
    from PySide6.QtGui import QImage

    out = tmp_path / "window.png"
    result = subprocess.run(
        [
            str(BIN),
            "--screenshot",
            str(out),
            str(realdata("16_STOimage.emi")),
            str(realdata("EELS_STO.dm3")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800


def test_screenshot_with_a_bad_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.ser"
    bad.write_bytes(b"not a ser file" * 10)
    result = subprocess.run(
        [str(BIN), "--screenshot", str(tmp_path / "x.png"), str(bad)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("insitu-tem: error:")]
    assert len(errors) == 1 and errors[0].startswith("insitu-tem: error: bad.ser: cannot be read")
    assert "Traceback" not in result.stderr


def test_an_eds_spectrum_image_opens_without_library_warnings_on_the_terminal(tmp_path):
    """Identifying its lines imports exspy, whose HyperSpy imports warn of deprecations; the
    workbench keeps them off the terminal it was started from (``--debug`` shows them)."""
    from tests.cli.test_eds_bad_input import eds_cube

    cube = eds_cube(tmp_path / "e.hspy")
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    command = [sys.executable, "-m", "insitu_tem", "--size", "800x600", "--screenshot"]
    result = subprocess.run(
        [*command, str(tmp_path / "w.png"), str(cube)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Warning" not in result.stderr, result.stderr[-2000:]
