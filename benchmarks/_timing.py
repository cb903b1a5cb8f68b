"""Timing helper shared by the benchmark modules."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

import numpy as np

T = TypeVar("T")


def best_time(fn: Callable[[], T], *, repeats: int) -> tuple[float, T]:
    """Call ``fn`` ``repeats`` times; return the shortest wall time and the last result.

    Parameters
    ----------
    fn : callable
        Function of no arguments to time.
    repeats : int
        Number of calls (>= 1).

    Returns
    -------
    tuple
        (best wall-clock time in s, return value of the last call).
    """
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result
