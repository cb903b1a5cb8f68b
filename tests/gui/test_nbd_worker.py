"""The NBD scan is analysed in a worker process that starts only when a scan is opened, and the
status bar's Cancel or closing the window ends that very process."""

import pytest
from PySide6.QtCore import Qt

from insitu_tem.gui.controllers.nbd_analysis import SCAN_KEY
from tests.workflows.test_nbd_child import alive


@pytest.fixture
def scan_file(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated")
    return path


def open_scan(qtbot, window, path) -> int:
    """Open the scan; the worker's process id once the analysis is running in it."""
    assert window.tasks.child.pid is None
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.tasks.is_running(SCAN_KEY), timeout=30000)
    qtbot.waitUntil(lambda: window.tasks.child.pid is not None, timeout=30000)
    return window.tasks.child.pid


def test_cancel_in_the_status_bar_ends_the_worker(qtbot, window, wait_idle, scan_file):
    worker = open_scan(qtbot, window, scan_file)
    assert alive(worker)
    qtbot.waitUntil(window.status.cancel_button.isVisible, timeout=10000)
    qtbot.mouseClick(window.status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not alive(worker), timeout=5000)
    wait_idle(window)
    assert window.tasks.child.pid is None
    assert window.state.session.result("nbd") is None
    assert window.reporter.reports == []


def test_closing_the_window_ends_the_worker(qtbot, window, scan_file):
    worker = open_scan(qtbot, window, scan_file)
    window.close()
    assert not alive(worker) and window.tasks.child.pid is None


def test_a_project_with_a_scan_starts_the_worker_while_the_scan_loads(qtbot, window):
    window.open_sample_project()
    worker = window.tasks.child.pid
    assert window.state.dataset("nbd") is None and alive(worker)
    window.close()
    assert not alive(worker)


def test_a_project_without_a_scan_starts_no_worker(qtbot, window, wait_idle, movie_file, tmp_path):
    window.open_paths([movie_file])
    wait_idle(window)
    project = tmp_path / "movie.itproj"
    window.project.save(project)
    window.open_paths([project])
    wait_idle(window)
    assert window.state.dataset("movie") is not None and window.tasks.child.pid is None
