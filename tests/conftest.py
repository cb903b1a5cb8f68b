"""Shared fixtures: the real-data folder beside the checkout, sample data, Qt offscreen."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture(scope="session", autouse=True)
def isolated_user_folders(tmp_path_factory):
    """Settings, caches and the crash-recovery file of every window and subprocess the tests
    start live in a folder of this test process, not in the user's home: tests never touch
    a real user's settings, and parallel test processes never share a recovery file."""
    user = tmp_path_factory.mktemp("user")
    patch = pytest.MonkeyPatch()
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        patch.setenv(name, str(user / name.lower()))
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def collect_garbage_on_the_main_thread():
    """Python's cyclic GC may otherwise run in a task-runner thread and destroy Qt widgets
    there, deadlocking against the GUI thread; the app does the same (pyqtgraph's
    GarbageCollector)."""
    gc.disable()
    yield
    gc.unfreeze()
    gc.enable()


@pytest.fixture(scope="module", autouse=True)
def freeze_what_outlives_each_module():
    """A full collection walks every tracked object: 0.2-0.3 s of CPU once Qt, hyperspy and
    abTEM are imported, after each of ~1500 tests. What is alive when a module starts (imported
    code, session fixtures; the previous module's garbage is collected first) is frozen, so the
    collections after its tests walk only what they made. Frozen objects freed by reference
    count are still freed."""
    delete_later_now()
    gc.collect()
    gc.freeze()


def delete_later_now():
    """Qt objects a test scheduled for deletion (qtbot closes its widgets with deleteLater)
    still hold their Python wrappers through their signal connections: delete them first."""
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def collect_after_each_test():
    """Collect between tests on the main thread; automatic collection stays off during each test
    even if a library switched it back on (a cyclic collection during a paint, with a task
    thread running, crashed a test process once)."""
    gc.disable()
    yield
    gc.collect()


@pytest.fixture
def every_mouse_move_counts():
    """pyqtgraph drops mouse moves closer than 1/rate s apart; a scripted drag sends them at
    once."""
    import pyqtgraph as pg

    saved = pg.getConfigOption("mouseRateLimit")
    pg.setConfigOption("mouseRateLimit", -1)
    yield
    pg.setConfigOption("mouseRateLimit", saved)


@pytest.fixture
def realdata():
    """Return a function giving the path of a real file, skipping when it is absent."""

    def path(name: str) -> Path:
        candidate = REALDATA / name
        if not candidate.exists():
            pytest.skip(
                f"real data {name} not found at {REALDATA} (shared/ is not beside the checkout)"
            )
        return candidate

    return path


@pytest.fixture(scope="session")
def generated_sample_movie():
    """The generated sample movie, rendered once per test process: (read-only uint16 frames
    (t, y, x), its MovieTruth)."""
    from insitu_tem.samples import movie as sample_movie

    frames, truth = sample_movie.generate()
    frames.flags.writeable = False
    return frames, truth


@pytest.fixture
def sample_data() -> Path:
    """The committed sample_data folder."""
    return SAMPLE_DATA


@pytest.fixture
def sample_project(sample_data) -> Path:
    """The generated sample project (``make sample``); the test is skipped without it."""
    project = sample_data / "sample.itproj"
    if not project.exists():
        pytest.skip("sample_data/sample.itproj not generated")
    return project


@pytest.fixture
def reporter():
    """A recording error reporter (GUI tests inspect ``reporter.reports``)."""
    from insitu_tem.gui.errors import RecordingReporter

    return RecordingReporter()


@pytest.fixture
def settings(tmp_path):
    """Throwaway QSettings in an ini file."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, reporter):
    from insitu_tem.gui.main_window import MainWindow

    main_window = MainWindow(settings, reporter)
    qtbot.addWidget(main_window)
    main_window.resize(1280, 800)
    main_window.show()
    yield main_window
    main_window.tasks.cancel()
    main_window.tasks.wait_for_done(5000)


@pytest.fixture
def wait_idle(qtbot):
    """Return a function waiting until a window's task runner has delivered every result."""

    def wait(window, timeout=30000):
        qtbot.waitUntil(window.tasks.is_idle, timeout=timeout)

    return wait


def pytest_collection_modifyitems(items):
    """Files marked slow are handed out first (``make test`` runs ``--dist loadfile
    --no-loadscope-reorder``), so the two workers end together instead of one running a long
    file alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)
