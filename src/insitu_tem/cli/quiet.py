"""Keep library chatter off the user's terminal: warnings, log records and what C
libraries or child processes (ffmpeg) write to file descriptor 2 are collected, and
shown only with ``--debug``."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings
from contextlib import contextmanager
from typing import Iterator


class _Collector(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < 1000:
            self.lines.append(f"{record.name}: {record.getMessage()}")


@contextmanager
def library_messages() -> Iterator[list[str]]:
    """Collect warnings and log records (of every logger that propagates to the root)."""
    lines: list[str] = []
    root = logging.getLogger()
    handler = _Collector(lines)
    saved = (list(root.handlers), root.level, logging.lastResort)
    for existing in saved[0]:
        root.removeHandler(existing)
    root.addHandler(handler)
    logging.lastResort = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            yield lines
        finally:
            lines.extend(f"{w.category.__name__}: {w.message}" for w in caught[:1000])
            root.removeHandler(handler)
            for existing in saved[0]:
                root.addHandler(existing)
            logging.lastResort = saved[2]


@contextmanager
def native_stderr_collected(*, replay: bool = False) -> Iterator[None]:
    """Send file descriptor 2 (C libraries, child processes) to a temporary file while
    Python's ``sys.stderr`` keeps writing to the terminal; with ``replay`` (``--debug``)
    the last 64 KiB collected are written to the terminal at the end, indented."""
    try:
        sys.stderr.flush()
        if sys.stderr.fileno() != 2:
            raise OSError
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved_fd = os.dup(2)
    saved_stream = sys.stderr
    sink = tempfile.TemporaryFile()
    os.dup2(sink.fileno(), 2)
    sys.stderr = os.fdopen(
        os.dup(saved_fd),
        "w",
        buffering=1,
        encoding=saved_stream.encoding,
        errors="backslashreplace",
    )
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = saved_stream
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        if replay:
            _replay(sink)
        sink.close()


def _replay(sink, limit: int = 65536) -> None:
    size = sink.seek(0, os.SEEK_END)
    sink.seek(max(size - limit, 0))
    text = sink.read().decode("utf-8", errors="backslashreplace")
    if text.strip():
        sys.stderr.write("native stderr (C libraries, child processes):\n")
        sys.stderr.write("".join(f"  {line}\n" for line in text.splitlines()))
        sys.stderr.flush()
