"""Frames of a movie for display, read ahead in a background thread for lazy movies.

In-memory (numpy) movies are indexed directly. Lazy (dask, memory-mapped)
movies keep a small cache; :meth:`FrameSource.prefetch` schedules the next
frames in the play direction on one reader thread, so playback reads frames
while the GUI thread paints. The reader never touches widgets.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np


class FrameSource:
    """Random access to frames ``i`` of a (t, y, x) array with read-ahead.

    Parameters
    ----------
    array : numpy.ndarray or dask.array.Array
        The movie; never modified.
    capacity : int
        Frames kept in the cache (lazy movies).
    ahead : int
        Frames read ahead by :meth:`prefetch`.
    """

    def __init__(self, array, *, capacity: int = 48, ahead: int = 12) -> None:
        self.array = array
        self.lazy = not isinstance(array, np.ndarray)
        self.n_frames = int(array.shape[0])
        self.capacity, self.ahead = int(capacity), int(ahead)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._pending: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._reader = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="frame-reader")
            if self.lazy
            else None
        )

    def get(self, index: int) -> np.ndarray:
        """Frame ``index`` (2-D array); from the cache when read ahead."""
        index = int(index) % self.n_frames
        if not self.lazy:
            return self.array[index]
        with self._lock:
            frame = self._cache.get(index)
            if frame is not None:
                self._cache.move_to_end(index)
                return frame
            future = self._pending.get(index)
        if future is not None:
            return future.result()
        frame = np.asarray(self.array[index])
        self._store(index, frame)
        return frame

    def prefetch(self, index: int, *, step: int = 1) -> None:
        """Schedule frames after ``index`` (in the direction of ``step``) for reading."""
        if self._reader is None:
            return
        for k in range(1, self.ahead + 1):
            target = (int(index) + k * step) % self.n_frames
            with self._lock:
                if target in self._cache or target in self._pending:
                    continue
                self._pending[target] = self._reader.submit(self._read, target)

    def cached(self, index: int) -> bool:
        """True when frame ``index`` is ready without reading."""
        with self._lock:
            return not self.lazy or index in self._cache

    def _read(self, index: int) -> np.ndarray:
        frame = np.asarray(self.array[index])
        self._store(index, frame)
        return frame

    def _store(self, index: int, frame: np.ndarray) -> None:
        with self._lock:
            self._pending.pop(index, None)
            self._cache[index] = frame
            self._cache.move_to_end(index)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)

    def close(self) -> None:
        """Stop the reader thread (pending reads are dropped)."""
        if self._reader is not None:
            self._reader.shutdown(wait=False, cancel_futures=True)
            self._reader = None
