"""Frames of an uncompressed, contiguous file read with ``pread``: an array-like for dask.

Unlike a memory map, pages read this way are private buffers that are freed once a
chunk is processed, so a pass over a movie larger than memory keeps a bounded
resident set.
"""

from __future__ import annotations

import os

import numpy as np


class ContiguousFrames:
    """Read-only array-like over (frames, rows, cols) stored contiguously from ``offset``.

    Parameters
    ----------
    path : str
        File holding the data.
    offset : int
        Byte offset of the first frame.
    shape : tuple of int
        Array shape; the last two axes are one frame.
    dtype : numpy.dtype
        Element type, with the file's byte order.
    """

    def __init__(self, path: str, offset: int, shape: tuple[int, ...], dtype) -> None:
        self.path, self.offset, self.shape, self.dtype = (
            str(path),
            int(offset),
            tuple(shape),
            np.dtype(dtype),
        )
        self.ndim = len(self.shape)
        self._frame_shape = self.shape[-2:]
        self._frame_bytes = int(np.prod(self._frame_shape)) * self.dtype.itemsize

    def _frames(self, start: int, stop: int) -> np.ndarray:
        count = max(stop - start, 0)
        buffer = bytearray(count * self._frame_bytes)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            got = os.preadv(fd, [buffer], self.offset + start * self._frame_bytes)
        finally:
            os.close(fd)
        if got != len(buffer):
            raise OSError(
                f"{os.path.basename(self.path)} is shorter than its header says (truncated file)"
            )
        return np.frombuffer(buffer, dtype=self.dtype).reshape((count,) + self._frame_shape)

    def __getitem__(self, key) -> np.ndarray:
        key = key if isinstance(key, tuple) else (key,)
        flat_shape = (int(np.prod(self.shape[:-2])),) + self._frame_shape
        lead = key[0] if key else slice(None)
        if self.ndim != 3:
            return np.asarray(self._frames(0, flat_shape[0]).reshape(self.shape)[key])
        if isinstance(lead, (int, np.integer)):
            index = int(lead) % self.shape[0]
            return self._frames(index, index + 1)[0][key[1:]]
        start, stop, step = lead.indices(self.shape[0])
        block = self._frames(start, stop)[::step]
        return block[(slice(None),) + key[1:]]
