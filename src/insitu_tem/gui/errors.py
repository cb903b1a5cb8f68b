"""The one error reporter: a short message for the user, the traceback under "details".

Installed as ``sys.excepthook`` and ``threading.excepthook``; errors raised in
worker threads reach the GUI thread through a queued signal. Tests inject a
:class:`RecordingReporter` instead of showing dialogs.
"""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from insitu_tem.gui.frame_numbers import frame_number


@dataclass(frozen=True)
class ErrorReport:
    """One reported error: a one-line message and the technical details."""

    message: str
    details: str = ""


def describe(error: BaseException) -> ErrorReport:
    """Short message and formatted traceback for an exception; the message starts with the
    name of the file the error concerns when the exception carries one, and names a frame by
    the number the GUI shows (:mod:`insitu_tem.gui.frame_numbers`)."""
    text = " ".join(_said(error).split()) or type(error).__name__
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = error.strerror
    filename = getattr(error, "filename", None)
    if filename and Path(str(filename)).name not in text:
        text = f"{Path(str(filename)).name}: {text}"
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return ErrorReport(text, details)


def _said(error: BaseException) -> str:
    """The exception's message; an analysis error naming a frame by its index is worded anew
    (its module is looked up, not imported: an error of it exists only once it is loaded)."""
    series = sys.modules.get("insitu_tem.analysis.hrtem.lattice_series")
    if series is not None and isinstance(error, series.NonFiniteFrame):
        return f"frame {frame_number(error.frame)} {error.advice()}"
    return str(error)


class ErrorReporter(QObject):
    """Base reporter: thread-safe ``report``; subclasses decide how to show it."""

    reported = Signal(object)
    _from_thread = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._from_thread.connect(self._deliver)
        self._saved_hooks: tuple | None = None

    def report(self, message: str, details: str = "") -> None:
        """Report an error from any thread."""
        self._from_thread.emit(ErrorReport(message, details))

    def report_exception(self, error: BaseException, *, context: str = "") -> None:
        """Report an exception, prefixing ``context`` (e.g. the file name)."""
        report = describe(error)
        message = f"{context}: {report.message}" if context else report.message
        self._from_thread.emit(ErrorReport(message, report.details))

    @Slot(object)
    def _deliver(self, report: ErrorReport) -> None:
        self.show(report)
        self.reported.emit(report)

    def show(self, report: ErrorReport) -> None:
        """Present a report to the user (GUI thread)."""

    def install_hooks(self) -> None:
        """Route uncaught exceptions of every thread to this reporter."""
        self._saved_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = lambda kind, error, tb: self.report_exception(error.with_traceback(tb))
        threading.excepthook = lambda args: self.report_exception(args.exc_value)

    def uninstall_hooks(self) -> None:
        """Restore the hooks that were there before :meth:`install_hooks`."""
        if self._saved_hooks is not None:
            sys.excepthook, threading.excepthook = self._saved_hooks
            self._saved_hooks = None


class DialogReporter(ErrorReporter):
    """Shows each error in a non-blocking message box with a "Show Details" section."""

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._boxes: list[QMessageBox] = []

    def set_parent_widget(self, widget: QWidget) -> None:
        self._parent_widget = widget

    def show(self, report: ErrorReport) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "insitu-tem",
            report.message,
            QMessageBox.StandardButton.Ok,
            self._parent_widget,
        )
        if report.details:
            box.setDetailedText(report.details)
        box.finished.connect(lambda _=0, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.open()


class RecordingReporter(ErrorReporter):
    """Keeps reports in ``self.reports`` (for tests and headless runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.reports: list[ErrorReport] = []

    def show(self, report: ErrorReport) -> None:
        self.reports.append(report)


class StderrReporter(ErrorReporter):
    """Writes ``insitu-tem: error: ...`` lines on stderr (screenshot mode)."""

    def show(self, report: ErrorReport) -> None:
        sys.stderr.write(f"insitu-tem: error: {report.message}\n")
