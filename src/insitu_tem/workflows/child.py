"""One worker process for a job's heavy computation, so it runs on another core than a process
that holds the GIL (the GUI).

The worker is forked by a :class:`~insitu_tem.workflows.forker.Forker` (a fresh interpreter that
imports the workers' modules once; never a fork of the parent, which may hold Qt or other
threads), or started as a fresh interpreter where forking is not available
(:func:`~insitu_tem.workflows.forker.spawner`), when :meth:`ChildProcess.start` first needs it,
and reused. Requests and answers travel as length-prefixed pickles over the worker's standard
input and a private duplicate of its standard output (its own ``print`` goes to standard
error). The worker exits as soon as its standard input reaches end-of-file, which happens when
the parent closes it or dies in any way (SIGKILL included), even in the middle of a
computation: no worker outlives its parent, and no helper process other than the forker (such
as multiprocessing's resource tracker) is involved.

Jobs run one at a time; a job whose ``should_stop`` turns true kills the worker (the next job
starts another) and raises :class:`~insitu_tem.workflows.jobs.Cancelled`. An exception raised in
the worker is raised again in the caller, with the worker's traceback as a note.

:meth:`ChildProcess.ahead` lets the worker compute calls before jobs ask for them (the scan of
a project that is still opening; the drift and front tracking its across-the-front chain asks
for in turn): each answer is kept for the first request of the same function with equal
arguments (:func:`digest`), which gets it at once; any other request drops them all and gets its
own computation, so the numbers never depend on whether the guess was right.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import queue
import struct
import sys
import threading
import traceback
from typing import IO, Any, Callable

import numpy as np

from insitu_tem.io.readers.memory import memory_budget
from insitu_tem.workflows.forker import Forker, FreshInterpreters
from insitu_tem.workflows.forker import spawner as _platform_spawner
from insitu_tem.workflows.jobs import Cancelled, Steps

_HEADER = struct.Struct("<Q")
_NOT_KEPT = object()


def fits_a_worker(array) -> bool:
    """Whether ``array`` can be handed to a worker process: in memory (a numpy array) and three
    copies of it (ours, the pickled message, the worker's) within the memory budget
    (:func:`~insitu_tem.io.readers.memory.memory_budget`)."""
    return type(array) is np.ndarray and 3 * array.nbytes <= memory_budget()


class WorkerEnded(RuntimeError):
    """The worker process ended before it answered (crashed or was killed)."""


def _write(stream: IO[bytes], message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> bytes | None:
    """One message's bytes, or None at end-of-file."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    data = stream.read(_HEADER.unpack(header)[0])
    return data if len(data) == _HEADER.unpack(header)[0] else None


class ChildProcess:
    """A worker process started on demand and reused (see the module docstring).

    Parameters
    ----------
    poll_s : float
        How often, s, a waiting caller checks ``should_stop``.
    spawner : Forker or FreshInterpreters, optional
        Where the worker comes from (a forker is shared by the workers of one application, so
        each module is imported once); None: this platform's :func:`spawner` of its own, ended
        with :meth:`close`.
    """

    def __init__(
        self, *, poll_s: float = 0.05, spawner: Forker | FreshInterpreters | None = None
    ) -> None:
        self._poll_s = poll_s
        self._one_job = threading.Lock()
        self._swap = threading.Lock()
        self._worker: _Worker | None = None
        self._spawner = spawner if spawner is not None else _platform_spawner()
        self._own_spawner = spawner is None

    @property
    def pid(self) -> int | None:
        """The running worker's process id (None when none runs; waits until it is forked)."""
        worker = self._worker
        return None if worker is None else worker.process.pid

    def start(self, *modules: str) -> _Worker:
        """Start the worker unless it runs, importing ``modules`` in it first (so a job that
        needs them starts computing at once); returns without waiting."""
        with self._swap:
            if self._worker is None or self._worker.ended.is_set():
                self._worker = _Worker(self._spawner, modules)
            return self._worker

    def ahead(self, module: str, name: str, *args) -> None:
        """Have the worker compute calls before they are requested; returns at once.

        In the worker (started unless it runs, importing ``module``), ``module.name(keeper,
        *args)`` runs the jobs expected to ask for it with ``keeper`` (a :class:`Keeper`) as
        their worker process: each call they hand it is computed there and its answer kept for
        the first :meth:`run` of the same ``fn`` with equal arguments. Requests sent meanwhile
        wait until it is done.
        """
        self.start(module).send(("ahead", module, name, args))

    def run(self, fn: Callable[..., Any], steps: Steps, *args, **kwargs) -> Any:
        """``fn(*args, progress=..., **kwargs)`` in the worker; its progress goes to ``steps``.

        ``fn`` must be importable by name and its arguments and result picklable. Raises
        :class:`Cancelled` (after ending the worker) once ``steps`` says to stop, and
        :class:`WorkerEnded` when the worker dies before it answers.
        """
        while not self._one_job.acquire(timeout=self._poll_s):
            steps.check()
        try:
            worker = self.start()
            worker.send(("call", fn, args, kwargs))
            return self._answer(worker, steps)
        finally:
            self._one_job.release()

    def _answer(self, worker: _Worker, steps: Steps) -> Any:
        while True:
            try:
                kind, *payload = worker.inbox.get(timeout=self._poll_s)
            except queue.Empty:
                self._check(worker, steps)
                continue
            if kind == "progress":
                steps.progress(*payload)
            elif kind == "result":
                return payload[0]
            elif kind == "error":
                raise payload[0]
            else:
                self._end(worker)
                self._check(worker, steps)
                raise WorkerEnded(f"the worker process ended with exit status {payload[0]}")

    def _check(self, worker: _Worker, steps: Steps) -> None:
        try:
            steps.check()
        except Cancelled:
            self._end(worker)
            raise

    def close(self, timeout_s: float = 5.0) -> None:
        """End the worker (a running job's caller sees it end) and wait for it, and its spawner
        when it is this one's own; idempotent."""
        self._end(self._worker, timeout_s)
        if self._own_spawner:
            self._spawner.close(timeout_s)

    def _end(self, worker: _Worker | None, timeout_s: float = 5.0) -> None:
        with self._swap:
            if worker is None or worker is not self._worker:
                return
            self._worker = None
        worker.end(timeout_s)


class _Worker:
    """The parent's side of one worker process: its pipes and a thread reading its answers."""

    def __init__(self, spawner: Forker | FreshInterpreters, modules: tuple[str, ...]) -> None:
        self.process = spawner.spawn(__name__, modules)
        self.inbox: queue.Queue = queue.Queue()
        self.ended = threading.Event()
        self._sending = threading.Lock()
        threading.Thread(target=self._listen, daemon=True, name="worker answers").start()

    def send(self, message: tuple) -> None:
        try:
            with self._sending:
                _write(self.process.stdin, message)
        except (BrokenPipeError, OSError, ValueError):
            pass  # the worker ended: the listener reports it

    def _listen(self) -> None:
        with self.process.stdout as answers:
            while (data := _read(answers)) is not None:
                try:
                    self.inbox.put(pickle.loads(data))
                except Exception as error:  # noqa: BLE001 - handed to the caller, raised there
                    self.inbox.put(("error", RuntimeError(f"the worker's answer: {error!r}")))
        self.ended.set()
        self.inbox.put(("ended", self.process.end()))

    def end(self, timeout_s: float) -> None:
        """Kill the worker and wait for it (its answers' pipe is closed by the listener)."""
        self.process.end(timeout_s)
        try:
            self.process.stdin.close()
        except OSError:
            pass


def _listen_to_parent(requests: IO[bytes], inbox: queue.Queue) -> None:
    """Pass the parent's requests on; end this process when the parent is gone."""
    while (data := _read(requests)) is not None:
        inbox.put(data)
    os._exit(0)


def digest(fn: Callable, args: tuple, kwargs: dict) -> bytes:
    """SHA-256 of a call: the function's name and its arguments' types and values (arrays by
    dtype, shape and bytes), equal for equal calls."""
    hashed = hashlib.sha256(f"{fn.__module__}.{fn.__qualname__}".encode())
    _feed(hashed, (args, kwargs))
    return hashed.digest()


def _feed(hashed, value: Any) -> None:
    hashed.update(type(value).__qualname__.encode() + b"\0")
    if isinstance(value, np.ndarray):
        hashed.update(f"{value.dtype.str}{value.shape}".encode())
        hashed.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (tuple, list)):
        hashed.update(str(len(value)).encode())
        for item in value:
            _feed(hashed, item)
    elif isinstance(value, dict):
        hashed.update(str(len(value)).encode())
        for key in sorted(value, key=repr):
            _feed(hashed, key)
            _feed(hashed, value[key])
    elif value is None or isinstance(value, (bool, int, float, str, bytes)):
        hashed.update(repr(value).encode() + b"\0")
    else:
        hashed.update(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _quiet(fraction: float, message: str = "") -> None:
    """Progress of a call computed ahead: nobody waits for it yet."""


class Keeper:
    """The worker process as the jobs run ahead in it see it (:meth:`ChildProcess.ahead`): runs
    each call here, as :meth:`ChildProcess.run` would, and keeps its answer by :func:`digest`
    for the requests that follow."""

    def __init__(self, kept: dict) -> None:
        self._kept = kept

    def run(self, fn: Callable[..., Any], steps: Steps, *args, **kwargs) -> Any:
        """``fn(*args, **kwargs)`` here (nobody waits for its progress yet), kept."""
        value = fn(*args, progress=_quiet, **kwargs)
        self._kept[digest(fn, args, kwargs)] = value
        return value


def _compute_ahead(module: str, name: str, args: tuple, kept: dict) -> None:
    """Run ``module.name(keeper, *args)``, keeping the answer of every call it hands the
    :class:`Keeper` (a failure drops them all)."""
    kept.clear()
    try:
        getattr(importlib.import_module(module), name)(Keeper(kept), *args)
    except Exception:  # noqa: BLE001 - only a guess: the request it expects computes and reports
        kept.clear()


def _serve(answers: IO[bytes], inbox: queue.Queue) -> None:
    def report(fraction: float, message: str = "") -> None:
        _write(answers, ("progress", float(fraction), message))

    kept: dict[bytes, Any] = {}
    while True:
        try:
            request = pickle.loads(inbox.get())
            if request[0] == "ahead":
                _compute_ahead(*request[1:], kept)
                continue
            _, fn, args, kwargs = request
            value = kept.pop(digest(fn, args, kwargs), _NOT_KEPT) if kept else _NOT_KEPT
            if value is _NOT_KEPT:
                kept.clear()
                value = fn(*args, progress=report, **kwargs)
            answer = ("result", value)
        except Exception as error:  # noqa: BLE001 - handed to the caller, raised there
            error.add_note(f"in the worker process:\n{traceback.format_exc()}")
            answer = ("error", error)
        try:
            _write(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            _write(answers, ("error", RuntimeError(f"the worker's answer: {error}")))


def main(modules: list[str]) -> None:
    """The worker: import ``modules``, then answer requests until the parent closes the pipe."""
    requests, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_listen_to_parent, args=(requests, inbox), daemon=True).start()
    for module in modules:
        importlib.import_module(module)
    _serve(answers, inbox)


if __name__ == "__main__":
    main(sys.argv[1:])
