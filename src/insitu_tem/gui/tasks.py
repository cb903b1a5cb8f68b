"""The one task runner: work off the GUI thread with progress, cancel and
"latest request wins" for interactive recomputation.

``TaskRunner.submit(fn, key=..., on_result=...)`` runs ``fn`` in a thread pool.
When ``fn`` accepts a ``control`` argument it receives a :class:`TaskControl`
whose ``progress(fraction, message)`` reports and whose ``should_stop()`` tells
a long core function to stop. Results and errors come back on the GUI thread;
a result whose request was superseded (same ``key``, newer id) or cancelled is
dropped, so the state stays as it was before the task.
"""

from __future__ import annotations

import inspect
import itertools
import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QElapsedTimer, QObject, QRunnable, QThreadPool, Signal, Slot

from insitu_tem.gui.errors import ErrorReporter
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.forker import spawner


class TaskCancelled(Exception):
    """Raised by :meth:`TaskControl.check` when the task was cancelled."""


class TaskControl:
    """Handed to task functions: progress reporting and cancellation checks."""

    def __init__(self, task_id: int, emit_progress: Callable[[int, float, str], None]) -> None:
        self.task_id = task_id
        self._emit = emit_progress
        self._stop = threading.Event()

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress in [0, 1] with an optional message."""
        self._emit(self.task_id, float(fraction), message)

    def should_stop(self) -> bool:
        """True once the task was cancelled or superseded."""
        return self._stop.is_set()

    def check(self) -> None:
        """Raise TaskCancelled when the task should stop."""
        if self._stop.is_set():
            raise TaskCancelled()

    def cancel(self) -> None:
        self._stop.set()


@dataclass
class _Pending:
    key: str | None
    description: str
    control: TaskControl
    on_result: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class _Bridge(QObject):
    done = Signal(int, object, object)
    progress = Signal(int, float, str)


class _Job(QRunnable):
    def __init__(self, task_id: int, call: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._call, self._bridge = task_id, call, bridge

    def run(self) -> None:
        try:
            result = self._call()
        except BaseException as error:  # noqa: BLE001 - delivered to the reporter
            self._bridge.done.emit(self._id, None, error)
            return
        self._bridge.done.emit(self._id, result, None)


def _accepts_control(fn: Callable) -> bool:
    try:
        return "control" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskRunner(QObject):
    """Runs callables in a thread pool and delivers results on the GUI thread.

    Signals
    -------
    started(int, str) : task id and description
    progress(int, float, str) : task id, fraction in [0, 1], message
    finished(int) : task id (result delivered, dropped or failed)
    busy_changed(bool) : True while any task runs
    idle() : emitted when the last running task ends

    Attributes
    ----------
    child : ChildProcess
        The worker process for jobs that hand their heavy part to another core (started when
        a job needs it; cancelling a job that uses it or every task ends it): the NBD scan.
    movie_child : ChildProcess
        A second one, for the front tracking, so it runs beside the scan analysis.
    eels_child : ChildProcess
        A third one, for the EELS analysis. All are forked from one
        :class:`~insitu_tem.workflows.forker.Forker` where the platform allows
        (:func:`~insitu_tem.workflows.forker.spawner`), so the modules they share are imported
        once.
    """

    started = Signal(int, str)
    progress = Signal(int, float, str)
    finished = Signal(int)
    busy_changed = Signal(bool)
    idle = Signal()

    def __init__(
        self, reporter: ErrorReporter, *, max_threads: int = 2, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._reporter = reporter
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, max_threads))
        self._waiting = QThreadPool(self)
        self._waiting.setMaxThreadCount(3)
        self._first = QThreadPool(self)
        self._first.setMaxThreadCount(1)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._latest: dict[str, int] = {}
        self._bridge = _Bridge()
        self._bridge.done.connect(self._on_done)
        self._bridge.progress.connect(self.progress)
        self._spawner = spawner()
        self.child = ChildProcess(spawner=self._spawner)
        self.movie_child = ChildProcess(spawner=self._spawner)
        self.eels_child = ChildProcess(spawner=self._spawner)

    def submit(
        self,
        fn: Callable[..., Any],
        *,
        key: str | None = None,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        description: str = "",
        in_worker: bool = False,
        first: bool = False,
    ) -> int:
        """Run ``fn`` off the GUI thread; return the task id.

        A newer submission with the same ``key`` cancels the older one and its
        result is dropped. Errors go to ``on_error`` when given, else to the
        error reporter. ``in_worker``: ``fn`` hands its work to a worker process (:attr:`child`,
        :attr:`movie_child` or :attr:`eels_child`) and waits; it runs at once on a thread of its
        own instead of taking one of the ``max_threads`` (it uses no CPU here), so another core
        starts on it while those threads are busy. ``first``: ``fn`` is on the path that ends
        last (the drift before the front tracking), so it runs at once on a thread kept for such
        tasks (one at a time) instead of waiting behind the tasks that hold or wait for the other
        threads.
        """
        task_id = next(self._ids)
        control = TaskControl(task_id, self._bridge.progress.emit)
        if key is not None and key in self._latest and self._latest[key] in self._pending:
            self._pending[self._latest[key]].control.cancel()
        if key is not None:
            self._latest[key] = task_id
        self._pending[task_id] = _Pending(key, description, control, on_result, on_error)
        call = (lambda: fn(control=control)) if _accepts_control(fn) else fn
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.started.emit(task_id, description)
        pool = self._waiting if in_worker else (self._first if first else self._pool)
        pool.start(_Job(task_id, call, self._bridge))
        return task_id

    def submit_job(
        self,
        session,
        job,
        *,
        key: str,
        description: str,
        on_stored: Callable[[Any], None] | None = None,
        in_worker: bool = False,
        first: bool = False,
    ) -> int:
        """Run a prepared workflow ``job`` off the GUI thread with progress and cancel, then
        store its result in ``session`` (on the GUI thread) and call ``on_stored(result)``;
        ``in_worker`` and ``first`` as in :meth:`submit`."""

        def store(result) -> None:
            session.store_result(job.name, result)
            if on_stored is not None:
                on_stored(result)

        return self.submit(
            lambda control: job.run(should_stop=control.should_stop, progress=control.progress),
            key=key,
            on_result=store,
            description=description,
            in_worker=in_worker,
            first=first,
        )

    def cancel(self, task_id: int | None = None) -> None:
        """Cancel one task, or all tasks and the worker processes (and their forker) when
        ``task_id`` is None."""
        targets = list(self._pending) if task_id is None else [task_id]
        for tid in targets:
            if tid in self._pending:
                self._pending[tid].control.cancel()
        if task_id is None:
            self.child.close()
            self.movie_child.close()
            self.eels_child.close()
            self._spawner.close()

    def report(self, error: BaseException, *, context: str = "") -> None:
        """Send ``error`` to the error reporter: for an ``on_error`` that also shows the failure
        where the result would have been."""
        self._reporter.report_exception(error, context=context)

    def cancel_keys(self, keys) -> None:
        """Cancel the latest task of each key in ``keys``; their results are dropped."""
        for key in keys:
            task_id = self._latest.get(key)
            if task_id in self._pending:
                self._pending[task_id].control.cancel()

    def is_idle(self) -> bool:
        return not self._pending

    def is_running(self, key: str) -> bool:
        """Whether the latest task submitted with ``key`` has not finished yet."""
        return self._latest.get(key) in self._pending

    def will_deliver(self, key: str) -> bool:
        """Whether the latest task submitted with ``key`` is running and not cancelled (its
        result will be delivered)."""
        pending = self._pending.get(self._latest.get(key))
        return pending is not None and not pending.control.should_stop()

    def wait_for_done(self, timeout_ms: int = 30000) -> bool:
        """Block until no task runs (for shutdown and headless runs)."""
        timer = QElapsedTimer()
        timer.start()
        return all(
            pool.waitForDone(max(0, timeout_ms - int(timer.elapsed())))
            for pool in (self._waiting, self._first, self._pool)
        )

    @Slot(int, object, object)
    def _on_done(self, task_id: int, result: Any, error: BaseException | None) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is None:
            return
        stale = pending.control.should_stop() or (
            pending.key is not None and self._latest.get(pending.key) != task_id
        )
        try:
            if stale or isinstance(error, TaskCancelled):
                return
            if error is not None:
                if pending.on_error is not None:
                    pending.on_error(error)
                else:
                    self._reporter.report_exception(error, context=pending.description)
            elif pending.on_result is not None:
                pending.on_result(result)
        finally:
            self.finished.emit(task_id)
            if not self._pending:
                self.busy_changed.emit(False)
                self.idle.emit()
