"""GUI fixtures: a main window with a recording error reporter and throwaway settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from insitu_tem.gui.errors import RecordingReporter


@pytest.fixture
def reporter():
    return RecordingReporter()


@pytest.fixture
def settings(tmp_path):
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
