"""Chunks of rosettasciio's lazy MRC, DigitalMicrograph and blockfile data read with
``pread`` instead of a memory map.

rosettasciio maps the whole file for every chunk (``rsciio.utils._distributed.slice_memmap``);
a file truncated while a chunk is copied then kills the process with SIGBUS, and one
truncated before reads as "mmap length is greater than file size". :func:`install`
replaces that function with :func:`read_chunk`, which reads the bytes the chunk spans
with ``os.preadv`` and raises an ``OSError`` naming the file when they are missing. Cases
it does not cover (structured fields, scan positions, Fortran order) go to the original.
"""

from __future__ import annotations

import functools
import os
import threading

import numpy as np

_INSTALLED = threading.Lock()


def _bounds(slices, shape: tuple[int, ...]) -> tuple[list[int], list[int]]:
    rows = np.atleast_2d(np.squeeze(np.asarray(slices)))
    starts = [int(r[0]) for r in rows] + [0] * (len(shape) - len(rows))
    stops = [int(r[1]) for r in rows] + [int(n) for n in shape[len(rows) :]]
    return starts, stops


def _read_span(file: str, offset: int, dtype: np.dtype, first: int, count: int) -> np.ndarray:
    buffer = bytearray(count * dtype.itemsize)
    fd = os.open(file, os.O_RDONLY)
    try:
        got = os.preadv(fd, [buffer], offset + first * dtype.itemsize)
    finally:
        os.close(fd)
    if got != len(buffer):
        name = os.path.basename(file)
        raise OSError(f"{name} is shorter than its header says (truncated file)")
    return np.frombuffer(buffer, dtype=dtype)


def read_chunk(slices, file, dtypes, shape, key=None, positions=False, *, original, **kwargs):
    """Drop-in for ``slice_memmap``: the C-ordered block ``slices`` of the array ``shape``
    of ``dtypes`` stored from byte ``kwargs["offset"]`` of ``file``, as a new array."""
    if key is not None or positions or kwargs.get("order", "C") != "C":
        return original(slices, file, dtypes, shape, key=key, positions=positions, **kwargs)
    dtype, shape = np.dtype(dtypes), tuple(int(n) for n in shape)
    starts, stops = _bounds(slices, shape)
    extents = [max(stop - start, 0) for start, stop in zip(starts, stops)]
    if 0 in extents:
        return np.empty(extents, dtype=dtype)
    strides = np.cumprod((1,) + shape[:0:-1])[::-1]
    first = int(np.dot(starts, strides))
    count = int(np.dot(np.subtract(stops, 1), strides)) - first + 1
    flat = _read_span(str(file), int(kwargs.get("offset", 0)), dtype, first, count)
    block = np.lib.stride_tricks.as_strided(
        flat, shape=extents, strides=tuple(int(s) * dtype.itemsize for s in strides)
    )
    return np.array(block)


def install() -> None:
    """Route rosettasciio's memory-mapped chunk reads through :func:`read_chunk` (idempotent)."""
    from insitu_tem.io.readers.imports import locked_import

    distributed = locked_import("rsciio.utils._distributed")
    with _INSTALLED:
        current = distributed.slice_memmap
        if getattr(current, "func", None) is read_chunk:
            return
        distributed.slice_memmap = functools.partial(read_chunk, original=current)
