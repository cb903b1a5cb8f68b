"""Application start-up: QApplication, settings, the error reporter, the main window,
and the headless ``--screenshot`` mode."""

from __future__ import annotations

import gc
import sys
import warnings
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSettings, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from insitu_tem.gui.asker import Asker, DialogAsker, HeadlessAsker
from insitu_tem.gui.errors import DialogReporter, ErrorReporter, StderrReporter
from insitu_tem.gui.main_window import MainWindow

LIBRARIES_QUIETED = ("hyperspy", "exspy", "rsciio", "pyqtgraph", "dask", "distributed", "numba")
"""Libraries whose own warnings (deprecations of their internals, mostly) stay off the terminal
the workbench was started from, unless ``--debug``; what they say about a file the readers turn
into the file's notes on the status bar."""

SCREENSHOT_SIZE = (1920, 1200)
SCREENSHOT_TIMEOUT_MS = 300_000


def make_settings() -> QSettings:
    """The user's persistent settings (recent files, window layout)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "insitu-tem", "insitu-tem"
    )


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("insitu-tem")
    app.setOrganizationName("insitu-tem")
    return app


def build_window(
    settings: QSettings,
    reporter: ErrorReporter,
    asker: Asker,
    *,
    size: tuple[int, int] | None = SCREENSHOT_SIZE,
) -> MainWindow:
    """The main window at ``size`` (width, height) px; None: the last size, else fit the screen."""
    window = MainWindow(settings, reporter, asker=asker)
    if isinstance(reporter, DialogReporter):
        reporter.set_parent_widget(window)
    if isinstance(asker, DialogAsker):
        asker.parent = window
    if size is not None:
        window.resize(*size)
    elif not window.restoreGeometry(settings.value("geometry", b"") or b""):
        screen = window.screen().availableSize()
        window.resize(
            min(SCREENSHOT_SIZE[0], screen.width()), min(SCREENSHOT_SIZE[1], screen.height())
        )
    return window


def wait_until_idle(
    app: QApplication, window: MainWindow, timeout_ms: int = SCREENSHOT_TIMEOUT_MS
) -> bool:
    """Process events until no task runs (twice in a row), or time out."""
    timer = QElapsedTimer()
    timer.start()
    quiet_rounds = 0
    while timer.elapsed() < timeout_ms:
        app.processEvents()
        quiet_rounds = quiet_rounds + 1 if window.tasks.is_idle() else 0
        if quiet_rounds > 20:
            return True
        window.tasks.wait_for_done(20)
    return False


def take_screenshot(app: QApplication, window: MainWindow, path: str) -> int:
    """Render the whole window to ``path`` (PNG) once idle; return the exit code."""
    if not wait_until_idle(app, window):
        sys.stderr.write("insitu-tem: error: screenshot: loading did not finish in time\n")
        return 2
    image = window.grab()
    if not image.save(path):
        sys.stderr.write(
            f"insitu-tem: error: {Path(path).name}: cannot write the PNG; check the folder\n"
        )
        return 2
    return 0


def freeze_start_up(window: MainWindow) -> None:
    """Build the panels (after the background imports) and take every object alive then — the
    modules, the window and its panels, which live until exit — out of the garbage collector's
    walk (``gc.freeze``): with the sample project open a full collection, a pause on the GUI
    thread, walks ~10 k objects instead of ~140 k (0.09-0.11 -> 0.003-0.007 s,
    benchmarks/bench_gc_pauses.py). What is made later (projects, files, results) is collected
    as before."""
    window.workbench()
    gc.freeze()


def quiet_library_warnings() -> None:
    """Ignore warnings raised inside :data:`LIBRARIES_QUIETED` (e.g. HyperSpy's "Importing
    `LazySignal1D` … is deprecated" on opening a .bcf), on every thread."""
    for library in LIBRARIES_QUIETED:
        warnings.filterwarnings("ignore", module=rf"{library}(\.|$)")


def refuse_dialogs() -> None:
    """Headless runs never block on a modal dialog: questions answer No, file dialogs
    return nothing, any other dialog is rejected at once."""
    QMessageBox.question = staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.No)
    for name, nothing in (
        ("getOpenFileName", ("", "")),
        ("getSaveFileName", ("", "")),
        ("getOpenFileNames", ([], "")),
        ("getExistingDirectory", ""),
    ):
        setattr(QFileDialog, name, staticmethod(lambda *args, _nothing=nothing, **kwargs: _nothing))
    QDialog.exec = QMessageBox.exec = lambda self, *args: QDialog.DialogCode.Rejected
    qInstallMessageHandler(lambda *args: None)


def main(
    *,
    files=(),
    screenshot: str | None = None,
    size: tuple[int, int] | None = None,
    signal: int | None = None,
    debug: bool = False,
) -> int:
    """Open the workbench on ``files`` (the sample project when empty); return the exit code.

    The window paints first; the panels are built and the files opened right after.
    """
    app = application()
    if not debug:
        quiet_library_warnings()
    if screenshot:
        refuse_dialogs()
    reporter: ErrorReporter = StderrReporter() if screenshot else DialogReporter()
    reporter.install_hooks()
    errors: list[object] = []
    reporter.reported.connect(errors.append)
    window = build_window(
        make_settings(),
        reporter,
        HeadlessAsker() if screenshot else DialogAsker(),
        size=size or (SCREENSHOT_SIZE if screenshot else None),
    )
    window.show()
    app.processEvents()
    freeze_start_up(window)
    from pyqtgraph.util.garbage_collector import GarbageCollector

    # Qt objects must only be collected on this thread: keep the collector alive until exit.
    collector = GarbageCollector(interval=1.0)  # noqa: F841
    if files:
        window.open_paths(files, signal=signal)
    elif screenshot or not window.project.offer_recovery():
        window.open_sample_project()
    try:
        if screenshot:
            code = take_screenshot(app, window, screenshot)
            return 2 if errors and code == 0 else code
        return app.exec()
    finally:
        window.close()
        window.tasks.wait_for_done(5000)
        reporter.uninstall_hooks()
