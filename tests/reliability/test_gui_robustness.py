"""The GUI survives what users do: closing mid-task, opening during a task, odd files,
re-docking."""

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PySide6.QtCore import Qt

BIN = Path(sys.executable).parent / "insitu-tem"


@pytest.fixture
def movie_file(tmp_path):
    path = tmp_path / "movie.tif"
    tifffile.imwrite(
        path,
        np.random.default_rng(0).integers(0, 500, (4, 64, 64), dtype=np.uint16),
        imagej=True,
        resolution=(1.0, 1.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 1.0},
    )
    return path


def test_closing_the_window_while_a_task_runs(qtbot, window):
    started = threading.Event()

    def long_task(control):
        started.set()
        while not control.should_stop():
            threading.Event().wait(0.01)

    window.tasks.submit(long_task, description="long")
    assert started.wait(5)
    window.close()
    assert window.tasks.wait_for_done(1000), "the task must stop within a second of closing"


def test_opening_a_second_file_while_a_task_runs(qtbot, window, wait_idle, movie_file, realdata):
    gate = threading.Event()
    window.tasks.submit(lambda control: gate.wait(5), description="tracking")
    window.open_paths([movie_file, realdata("EELS_STO.dm3")])
    qtbot.waitUntil(lambda: window.state.dataset("eels") is not None, timeout=10000)
    gate.set()
    wait_idle(window)
    assert window.state.dataset("movie").shape == (4, 64, 64)
    assert window.reporter.reports == []


@pytest.mark.parametrize(
    "content, name",
    [
        (b"", "empty.dm4"),
        (b"\x00" * 100, "zeros.emd"),
        (np.random.default_rng(1).bytes(2000), "noise.ser"),
    ],
)
def test_bad_files_report_and_keep_the_window_usable(
    qtbot, window, wait_idle, tmp_path, movie_file, content, name
):
    (tmp_path / name).write_bytes(content)
    window.open_paths([tmp_path / name])
    wait_idle(window)
    qtbot.waitUntil(lambda: len(window.reporter.reports) == 1)
    assert window.reporter.reports[0].message.startswith(name)
    window.open_paths([movie_file])
    wait_idle(window)
    assert window.panels["movie"].dataset is not None


def test_one_frame_movie_and_nan_image(qtbot, window, wait_idle, tmp_path):
    tifffile.imwrite(
        tmp_path / "one.tif", np.ones((1, 16, 16), np.uint16), imagej=True, metadata={"axes": "TYX"}
    )
    nan_image = np.random.default_rng(0).random((16, 16)).astype(np.float32)
    nan_image[3:5] = np.nan
    np.save(tmp_path / "nan.npy", nan_image)
    window.open_paths([tmp_path / "one.tif"])
    wait_idle(window)
    window.panels["movie"].play_button.click()
    qtbot.wait(50)
    window.panels["movie"].play_button.click()
    window.open_paths([tmp_path / "nan.npy"])
    wait_idle(window)
    assert window.reporter.reports == []
    assert np.isfinite(window.panels["movie"].view.image_item.levels).all()


def test_redocking_and_resizing(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    dock = window.docks["movie"]
    dock.setFloating(True)
    dock.resize(300, 200)
    dock.setFloating(False)
    window.removeDockWidget(dock)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.show()
    window.resize(700, 500)
    window.resize(1600, 1000)
    assert window.panels["movie"].view.frame.shape == (64, 64)


def test_fft_roi_dragged_outside_the_image_is_clipped(qtbot, window, wait_idle, movie_file):
    window.open_paths([movie_file])
    wait_idle(window)
    panel = window.panels["hrtem"]
    panel.roi.setPos([500.0, -300.0])
    wait_idle(window)
    r0, c0, side = panel.roi_bounds()
    assert 0 <= r0 <= 64 - side and 0 <= c0 <= 64 - side
    assert window.reporter.reports == []


def digest(folder: Path) -> dict:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_a_full_session_never_writes_raw_files(realdata, tmp_path):
    folder = realdata("README.md").parent
    before = digest(folder)
    files = [
        folder / n for n in ("16_STOimage.emi", "test1.blo", "EELS_STO.dm3", "FFTComplexEven.emd")
    ]
    result = subprocess.run(
        [str(BIN), "--screenshot", str(tmp_path / "s.png"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("info",):
        subprocess.run([str(BIN), name, str(files[0]), "--json"], capture_output=True, timeout=120)
    assert digest(folder) == before


@pytest.mark.qt_no_exception_capture
def test_saving_front_marks_over_the_open_movie_is_refused(
    qtbot, window, wait_idle, movie_file, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    window.open_paths([movie_file])
    wait_idle(window)
    before = movie_file.read_bytes()
    chosen = [str(movie_file)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (chosen[0], "CSV (*.csv)"))
    window.reporter.install_hooks()
    try:
        qtbot.mouseClick(window.panels["movie"].front.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(window.reporter.reports) == 1)
        chosen[0] = str(tmp_path / "front.csv")
        qtbot.mouseClick(window.panels["movie"].front.export_button, Qt.MouseButton.LeftButton)
    finally:
        window.reporter.uninstall_hooks()
    message = window.reporter.reports[0].message
    assert message.startswith("movie.tif: ") and "never overwritten" in message
    assert movie_file.read_bytes() == before
    assert (tmp_path / "front.csv").read_text().startswith("frame,time_s")
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
