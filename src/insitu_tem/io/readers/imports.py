"""One lock for every library a reader imports lazily.

Two worker threads importing dask (or a rosettasciio plugin) for the first time at once
can see a partially initialised module and fail with an ImportError that would look like
a broken file. Every lazy reader import goes through :func:`locked_import`, and
:func:`prepare` imports the libraries every file type needs at start-up; dask (about 1 s of
CPU) is imported, under the lock, only when a file is first read lazily.
"""

from __future__ import annotations

import threading
from importlib import import_module
from types import ModuleType

_LOCK = threading.RLock()
COMMON = ("tifffile", "h5py")


def locked_import(name: str) -> ModuleType:
    """Import ``name`` while holding the readers' import lock."""
    with _LOCK:
        return import_module(name)


def prepare(names: tuple[str, ...] = COMMON) -> None:
    """Import the readers' libraries now (call on the main thread before worker threads load
    files)."""
    for name in names:
        locked_import(name)
