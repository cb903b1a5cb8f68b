"""Blocks of frames read from an in-memory, memory-mapped or lazy (dask) stack with bounded memory.

A pass over a memory-mapped file would otherwise keep every page it touched in
the process's resident set; here the pages of a read-only map are handed back
(``madvise(MADV_DONTNEED)``) after each block: they stay in the page cache,
so re-reading is cheap, but the resident set stays at about one block.
"""

from __future__ import annotations

import mmap
from typing import Iterator

import numpy as np


def read_only_mapping(array) -> mmap.mmap | None:
    """The memory map under a read-only numpy array (a ``numpy.memmap`` or a view of one), if
    any."""
    if not isinstance(array, np.ndarray) or array.flags.writeable:
        return None
    while isinstance(array, np.ndarray):
        found = getattr(array, "_mmap", None)
        if isinstance(found, mmap.mmap):
            return found
        array = array.base
    return array if isinstance(array, mmap.mmap) else None


def iter_blocks(stack, *, chunk: int) -> Iterator[tuple[int, np.ndarray]]:
    """``(start, block)`` pairs covering ``stack`` along its first axis, ``chunk`` items at a time.

    Parameters
    ----------
    stack : array_like
        numpy array, ``numpy.memmap`` or dask array, first axis the frame index.
    chunk : int
        Frames per block (>= 1).

    Yields
    ------
    tuple
        (index of the block's first frame, numpy block). A block of a memory map
        is a view that is valid until the next block is requested.
    """
    mapping = read_only_mapping(stack)
    step = max(1, int(chunk))
    for start in range(0, stack.shape[0], step):
        yield start, np.asarray(stack[start : start + step])
        if mapping is not None and not mapping.closed:
            mapping.madvise(mmap.MADV_DONTNEED)
