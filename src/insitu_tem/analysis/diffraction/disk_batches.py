"""Disk-model fits of several patterns as few batches (:func:`fit_problems`).

:func:`~.disk_model_fit.fit_models` takes the disks of a batch as stacked array operations, each
disk fitted as if alone; a pattern holds a few tens of disks, so fitted pattern by pattern the
steps spend most of their time on the overhead of many small array operations. The windows of
several patterns' problems with the same free parameters and polynomial order are fitted as one
batch, or split over threads in parts whose array operations are long enough to run outside
the GIL. Only the padding of each window to the longest of its batch changes, which moves a
fitted centre by rounding (1e-14 px for a disk fit; a spot located from it by 1e-12 px at
most on the validation scans).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.diffraction.disk_model_fit import Windows, fit_models

PART_WINDOWS = 256
"""Most windows fitted at once when a batch is split over threads (a part's arrays of some ten
thousand values keep the array operations long and the memory low)."""


@dataclass(frozen=True)
class FitProblem:
    """Disks of one pattern to fit: the windows (rows, cols, values, weight, polynomial
    terms), their starts (m, 2) px and radii (m,) px, the edge blur (1σ px), whether radius and
    blur are free, and the leash (px; see :func:`~.disk_model_fit.fit_models`); with every
    start (n, 2) px, its window's pixel count (n,) and, in ``fitted``, the indices of the starts
    whose windows are fitted (the others are cut off)."""

    windows: list
    starts: np.ndarray
    radius: np.ndarray
    blur: float
    free_shape: bool
    leash: float
    every_start: np.ndarray
    n_pixels: np.ndarray
    fitted: np.ndarray


def fit_problems(problems, *, threads: int = 1) -> list[list]:
    """:func:`~.disk_model_fit.fit_models` of each problem's windows (see the module).

    Parameters
    ----------
    problems : sequence of FitProblem
    threads : int
        Parts each batch is split into, fitted on as many threads, the windows ordered by
        length (1: one batch in the problems' order, the same numbers as fitting a single
        problem alone).

    Returns
    -------
    list of list
        Per problem, ``fit_models``' answer for each of its windows.
    """
    groups: dict[tuple, list[int]] = {}
    for i, problem in enumerate(problems):
        if problem.windows:
            groups.setdefault((problem.free_shape, problem.windows[0][4].shape[1]), []).append(i)
    out: list[list] = [[] for _ in problems]
    for (free_shape, _), members in groups.items():
        batch = [problems[i] for i in members]
        found = _fitted(batch, free_shape, threads)
        for i, problem in zip(members, batch):
            out[i], found = found[: len(problem.windows)], found[len(problem.windows) :]
    return out


def _fitted(batch: list[FitProblem], free_shape: bool, threads: int) -> list:
    windows = [w for p in batch for w in p.windows]

    def joined(values) -> np.ndarray:
        return np.concatenate(
            [np.broadcast_to(v, (len(p.windows),) + np.shape(v)[1:]) for v, p in zip(values, batch)]
        )

    starts, radius = joined([p.starts for p in batch]), joined([p.radius for p in batch])
    blur, leash = joined([p.blur for p in batch]), joined([p.leash for p in batch])

    def fit(part: np.ndarray) -> list:
        return fit_models(
            Windows.stack([windows[i] for i in part]),
            starts[part],
            radius=radius[part],
            blur=blur[part],
            free_shape=free_shape,
            leash=leash[part],
        )

    if threads == 1:
        return fit(np.arange(len(windows)))
    by_length = np.argsort([len(w[0]) for w in windows], kind="stable")
    pieces = max(threads, -(-len(windows) // PART_WINDOWS))
    parts = [part for part in np.array_split(by_length, pieces) if part.size]
    found: list = [None] * len(windows)
    with ThreadPoolExecutor(min(threads, len(parts)), thread_name_prefix="disk fits") as pool:
        for part, fits in zip(parts, pool.map(fit, parts)):
            for i, one in zip(part, fits):
                found[i] = one
    return found
