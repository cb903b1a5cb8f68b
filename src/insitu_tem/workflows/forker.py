"""The parent of the worker processes: one fresh interpreter that imports the workers' modules
once and forks every worker from itself.

A worker started as a fresh interpreter imports numpy, scipy and its analysis again (about 1 CPU
s each); two workers paid that twice. :class:`Forker` starts one interpreter (``python -m
insitu_tem.workflows.forker``, never a fork of the caller, which may hold Qt or other threads)
when the first worker is asked for. For each worker it imports the modules asked for (what an
earlier worker imported is already there) and forks; it runs no thread of its own, so the fork is
safe. The forked worker gets the caller's two pipes as its standard input and output and runs
the ``main(modules)`` of the module the caller names (:func:`insitu_tem.workflows.child.main`),
talking to the caller directly from then on.

Requests and replies travel as pickles over a Unix socket pair (one message each, the worker's
pipes passed with ``SCM_RIGHTS``). The forker ends when the caller closes it or dies in any way
(end-of-file on the socket), after killing and reaping its workers, so neither it nor a worker
outlives the caller; a worker it has forked is reaped when the caller ends it.

Forking needs POSIX ``fork`` and descriptor passing over ``SOCK_SEQPACKET``, which only Linux
offers (macOS lacks sequenced-packet Unix sockets and Windows both): elsewhere :func:`spawner`
gives :class:`FreshInterpreters`, which starts each worker as a fresh ``python -m`` interpreter
with the same pipes and protocol.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import IO

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_MESSAGE_BYTES = 1 << 16


def forks_workers() -> bool:
    """Whether this platform can fork workers from a :class:`Forker` (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def spawner() -> Forker | FreshInterpreters:
    """Where this platform's workers come from: a :class:`Forker` where :func:`forks_workers`,
    else :class:`FreshInterpreters`."""
    return Forker() if forks_workers() else FreshInterpreters()


def _worker_environment() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *filter(None, [path])])}


class FreshInterpreters:
    """Starts each worker as a fresh interpreter, ``python -m entry *modules`` with its request
    and answer pipes as standard input and output (``entry`` runs ``main(modules)`` when run as
    ``__main__``): the portable way, each worker importing its modules itself."""

    def spawn(self, entry: str, modules: tuple[str, ...]) -> Started:
        """A worker running ``entry.main(list(modules))``; returns at once."""
        process = subprocess.Popen(
            [sys.executable, "-m", entry, *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_worker_environment(),
        )
        return Started(process)

    def close(self, timeout_s: float = 5.0) -> None:
        """Nothing to end: each worker is ended by its caller."""


class Started:
    """The caller's side of one worker started as a fresh interpreter: its pipes, process id
    and end (as :class:`Forked`)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._process = process
        self.stdin, self.stdout, self.pid = process.stdin, process.stdout, process.pid

    def end(self, timeout_s: float | None = None) -> int | None:
        """Kill the worker unless it has ended and reap it; its exit status (None when it did
        not end in ``timeout_s``)."""
        self._process.kill()
        try:
            return self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None


class Forker:
    """Starts worker processes by forking them from one pre-importing interpreter (see the module
    docstring); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._process: subprocess.Popen | None = None
        self._socket: socket.socket | None = None
        self._replies: deque[Future] = deque()
        self._forks = 0

    def spawn(self, entry: str, modules: tuple[str, ...]) -> Forked:
        """A worker running ``entry.main(list(modules))`` (``entry`` a module name), forked once
        ``entry`` and ``modules`` are imported; returns at once, with the worker's request and
        answer pipes."""
        requests, answers = os.pipe(), os.pipe()
        try:
            with self._lock:
                message = ("fork", (entry, tuple(modules)))
                reply = self._send(message, fds=(requests[0], answers[1]))
                index, self._forks = (self._socket, self._forks), self._forks + 1
        finally:
            os.close(requests[0])
            os.close(answers[1])
        return Forked(self, index, reply, os.fdopen(requests[1], "wb"), os.fdopen(answers[0], "rb"))

    def end(self, index: tuple, timeout_s: float | None = None) -> int | None:
        """Kill the worker ``index`` (as :meth:`spawn` numbered it) unless it has ended, reap it
        and return its exit status (None when its forker is gone or did not answer in
        ``timeout_s``)."""
        link, number = index
        try:
            return self._send(("end", number), on=link).result(timeout_s)
        except TimeoutError:
            return None

    def close(self, timeout_s: float = 5.0) -> None:
        """End the forker and its workers and wait for it; idempotent. A forker that does not end
        within ``timeout_s`` (busy importing a worker's modules, it reads the socket's end only
        afterwards) is killed: its workers, already ended by their callers or reading the end of
        their pipes, end by themselves."""
        with self._lock:
            process, link = self._process, self._socket
            self._process = self._socket = None
        if process is not None:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the forker has ended already
            link.close()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _send(
        self, message: tuple, *, fds: tuple[int, ...] = (), on: socket.socket | None = None
    ) -> Future:
        """Send ``message`` to the forker (started unless it runs), or with ``on``, only to the
        forker of that socket when it still runs; the future of its reply (None when not
        sent)."""
        reply: Future = Future()
        with self._lock:
            link = self._start() if on is None else on
            if link is self._socket and self._process.poll() is None:
                self._replies.append(reply)
                try:
                    socket.send_fds(link, [pickle.dumps(message)], list(fds))
                    return reply
                except OSError:
                    self._replies.pop()
        reply.set_result(None)
        return reply

    def _start(self) -> socket.socket:
        if self._process is not None and self._process.poll() is None:
            return self._socket
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "insitu_tem.workflows.forker"],
                stdin=theirs,
                env=_worker_environment(),
            )
        self._socket, self._replies, self._forks = mine, deque(), 0
        threading.Thread(
            target=self._listen, args=(mine, self._replies), daemon=True, name="forker replies"
        ).start()
        return mine

    @staticmethod
    def _listen(link: socket.socket, replies: deque) -> None:
        while True:
            try:
                data = link.recv(_MESSAGE_BYTES)
            except OSError:
                data = b""
            if not data:
                break
            replies.popleft().set_result(pickle.loads(data))
        while replies:
            replies.popleft().set_result(None)


class Forked:
    """The caller's side of one forked worker: its pipes, process id and end."""

    def __init__(
        self, forker: Forker, index: tuple, reply: Future, stdin: IO[bytes], stdout: IO[bytes]
    ) -> None:
        self._forker, self._index, self._reply = forker, index, reply
        self.stdin, self.stdout = stdin, stdout

    @property
    def pid(self) -> int | None:
        """The worker's process id once it is forked (waits for it; None when it was not)."""
        return self._reply.result()

    def end(self, timeout_s: float | None = None) -> int | None:
        """Kill the worker unless it has ended and reap it; its exit status."""
        return self._forker.end(self._index, timeout_s)


def _end(pid: int) -> int:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _fork(entry: str, modules: tuple[str, ...], fds: list[int], link: socket.socket) -> int:
    """Import ``entry`` and ``modules`` (a failure is raised again in the worker, which reports
    it) and fork a worker running ``entry.main`` on ``fds`` (its request and answer pipes)."""
    for module in (entry, *modules):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the worker imports it again and the caller sees why
            pass
    pid = os.fork()
    if pid == 0:
        try:
            link.close()
            os.dup2(fds[0], 0)
            os.dup2(fds[1], 1)
            for fd in fds:
                os.close(fd)
            importlib.import_module(entry).main(list(modules))
        except BaseException:  # noqa: BLE001 - printed; this process must not return to the loop
            traceback.print_exc()
        finally:
            os._exit(1)
    for fd in fds:
        os.close(fd)
    return pid


def serve(link: socket.socket) -> None:
    """Fork and end workers as the caller asks until the socket reaches end-of-file; then end
    the workers still running."""
    workers: dict[int, int] = {}
    ended: dict[int, int] = {}
    try:
        while True:
            data, fds, _flags, _address = socket.recv_fds(link, _MESSAGE_BYTES, 2)
            if not data:
                break
            kind, argument = pickle.loads(data)
            if kind == "fork":
                answer = workers[len(workers) + len(ended)] = _fork(*argument, fds, link)
            else:
                if argument in workers:
                    ended[argument] = _end(workers.pop(argument))
                answer = ended.get(argument)
            link.send(pickle.dumps(answer))
    except OSError:
        pass  # the caller is gone: end the workers
    for pid in workers.values():
        _end(pid)


if __name__ == "__main__":
    caller = socket.socket(fileno=os.dup(0))
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    serve(caller)
