"""Rigid drift of a movie: sub-pixel shifts per frame and a corrected view.

``measure_drift(movie)`` returns a :class:`DriftResult` whose
``shifts_px[i] = (dy, dx)`` is the displacement of frame ``i``'s content
relative to frame 0, in px. Three reference modes:

``"first"``
    every frame against frame 0 (no accumulated error; fails if the field
    changes too much);
``"previous"``
    every frame against the one before, shifts chained (follows slow
    changes; errors add up as a random walk);
``"running"``
    every frame against the mean of the last ``window`` frames, each
    re-aligned to frame 0 in Fourier space.

Each shift carries a covariance: the sandwich covariance of its correlation peak
(:mod:`~insitu_tem.analysis.movie.drift_registration`); chained shifts (``"previous"``) add the
covariances of their links, and a ``"running"`` shift adds the mean covariance of the frames its
reference averages (their errors move the reference).

A mask or ROI restricts the correlation to what is static (the substrate, a
support film) so a moving reaction front does not drag the estimate.
Lazy (dask) and memory-mapped movies are read in blocks of whole frames (at most 32 MiB
unless ``chunk`` says otherwise) with bounded memory
(:func:`insitu_tem.core.blocks.iter_blocks`). The raw data are never changed:
:func:`corrected_movie` is a lazy view.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from insitu_tem.core.blocks import iter_blocks
from insitu_tem.core.model import Axis
from insitu_tem.analysis.movie.drift_registration import WORKERS, PhaseCorrelator, one_blas_thread
from insitu_tem.analysis.movie.drift_tracking import track

REFERENCES = ("first", "previous", "running")
BLOCK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class DriftResult:
    """Per-frame rigid drift.

    Attributes
    ----------
    shifts_px : numpy.ndarray
        (n_frames, 2) displacement (dy, dx) of each frame's content relative to
        frame 0, px. Frames not reached (stopped early) are NaN.
    peak : numpy.ndarray
        Normalised correlation peak per frame (0-1; frame 0 is 1).
    reference : str
        Reference mode used.
    ok : bool
        False when stopped early or when a correlation peak was too weak.
    reason : str
        Why ``ok`` is False ("" otherwise).
    covariance_px2 : numpy.ndarray or None
        (n_frames, 2, 2) covariance of ``shifts_px``, px², where the method states one
        (frame 0's error included, as every shift is relative to it).
    weak_frames : tuple of int
        Indices (0-based) of the frames whose correlation peak was too weak, in order.
    stopped_at : int or None
        Index (0-based) of the first frame not measured when stopped early (None otherwise).

    ``reason`` names frames by their 0-based index (the CLI's words); a front end that numbers
    frames otherwise words its own message from ``weak_frames`` and ``stopped_at``.
    """

    shifts_px: np.ndarray
    peak: np.ndarray
    reference: str
    ok: bool = True
    reason: str = ""
    covariance_px2: np.ndarray | None = None
    weak_frames: tuple[int, ...] = ()
    stopped_at: int | None = None

    def shifts(self, row: Axis, col: Axis) -> np.ndarray:
        """Shifts in calibrated units: (dy * row.scale, dx * col.scale)."""
        return self.shifts_px * np.array([row.scale, col.scale])

    @property
    def sigma_px(self) -> np.ndarray | None:
        """(n_frames, 2) 1σ of (dy, dx), px (None when the method states no covariance)."""
        if self.covariance_px2 is None:
            return None
        return np.sqrt(np.diagonal(self.covariance_px2, axis1=1, axis2=2))


def _roi_slices(roi, shape: tuple[int, int]) -> tuple[slice, slice]:
    if roi is None:
        return slice(0, shape[0]), slice(0, shape[1])
    r0, r1, c0, c1 = (int(v) for v in roi)
    if not (0 <= r0 < r1 <= shape[0] and 0 <= c0 < c1 <= shape[1]):
        raise ValueError(
            f"roi {tuple(roi)} must be (row0, row1, col0, col1) inside a {shape} frame"
        )
    return slice(r0, r1), slice(c0, c1)


def iter_frames(movie, *, chunk: int = 16) -> Iterator[np.ndarray]:
    """Frames of a numpy, memory-mapped or dask (t, y, x) array, reading ``chunk`` frames at a
    time."""
    for _, block in iter_blocks(movie, chunk=chunk):
        yield from block


def _frame_copies(movie, rows: slice, cols: slice, chunk: int | None) -> Iterator[np.ndarray]:
    """Copies of every frame's ``(rows, cols)`` region, in order; each block of ``chunk`` frames
    (default: as many as fit in ``BLOCK_BYTES``) is let go before the next one is read, so the
    frames in flight on other threads never keep two blocks in memory."""
    if chunk is None:
        frame_bytes = int(np.prod(movie.shape[1:])) * np.dtype(movie.dtype).itemsize
        chunk = max(1, BLOCK_BYTES // frame_bytes)
    for _, block in iter_blocks(movie, chunk=chunk):
        last = len(block) - 1
        for j in range(last + 1):
            frame = np.array(block[j, rows, cols])
            if j == last:
                del block
            yield frame


def measure_drift(
    movie,
    *,
    reference: str = "first",
    roi: tuple[int, int, int, int] | None = None,
    mask=None,
    window: int = 5,
    upsample: int = 20,
    min_peak: float = 0.02,
    chunk: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DriftResult:
    """Measure the rigid drift of every frame relative to frame 0.

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array, any real dtype.
    reference : {"first", "previous", "running"}
        Reference mode (see the module docstring).
    roi : tuple of int, optional
        (row0, row1, col0, col1) half-open rectangle, px, to correlate on.
    mask : array_like of bool, optional
        Static pixels to correlate on, frame shape (or ROI shape with ``roi``).
    window : int
        Frames averaged by the ``"running"`` reference.
    upsample : int
        Sub-pixel resolution is 1/upsample px.
    min_peak : float
        Correlation peak below which a frame is flagged (``ok=False``).
    chunk : int, optional
        Frames read at once from a lazy or memory-mapped movie (bounds memory); default: as
        many whole frames as fit in 32 MiB, at least one. A lazy movie's block is held twice
        while it is assembled, so its size adds twice to the peak memory.
    progress, should_stop : callable, optional
        ``progress(fraction, message)``; ``should_stop()`` ends the run early.

    Returns
    -------
    DriftResult
    """
    if reference not in REFERENCES:
        raise ValueError(f"reference {reference!r} is not one of {REFERENCES}")
    if getattr(movie, "ndim", 0) != 3 or movie.shape[0] < 1:
        raise ValueError("drift needs a (t, y, x) movie with at least one frame")
    rows, cols = _roi_slices(roi, movie.shape[1:])
    height, width = rows.stop - rows.start, cols.stop - cols.start
    n = movie.shape[0]
    threads = max(1, min(WORKERS, n - 1))
    correlator = PhaseCorrelator(
        (height, width), mask=mask, upsample=upsample, workers=WORKERS if threads == 1 else 1
    )
    shifts = np.full((n, 2), np.nan)
    peaks = np.full(n, np.nan)
    covariance = np.full((n, 2, 2), np.nan)
    frames = _frame_copies(movie, rows, cols, chunk)
    pool = ThreadPoolExecutor(threads, thread_name_prefix="drift")
    try:
        with one_blas_thread():
            steps = track(
                pool,
                correlator,
                frames,
                reference=reference,
                window=max(1, int(window)),
                ahead=threads,
            )
            for i in range(n):
                if should_stop is not None and should_stop():
                    why = f"stopped at frame {i} of {n}"
                    return DriftResult(
                        shifts, peaks, reference, False, why, covariance, stopped_at=i
                    )
                shifts[i], peaks[i], covariance[i] = next(steps)
                if progress is not None:
                    progress((i + 1) / n, f"drift: frame {i + 1}/{n}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    weak = weak_frames(peaks, min_peak)
    reason = f"{weak_reason(weak)}; use a ROI on static texture" if weak else ""
    return DriftResult(shifts, peaks, reference, not weak, reason, covariance, weak)


def weak_frames(peaks: np.ndarray, min_peak: float) -> tuple[int, ...]:
    """Indices (0-based) of the frames whose correlation ``peaks`` lie below ``min_peak``."""
    return tuple(int(i) for i in np.flatnonzero(peaks < min_peak))


def weak_reason(weak: tuple[int, ...]) -> str:
    """The words "weak correlation at frames [i, ...]" with the first ten indices of ``weak``."""
    return f"weak correlation at frames {list(weak[:10])}"


def corrected_frame(frame, shift_px, *, order: int = 1) -> np.ndarray:
    """One frame moved back by ``shift_px`` (dy, dx) px; float32, edges filled by the nearest
    pixel."""
    from scipy import ndimage

    data = np.asarray(frame, dtype=np.float32)
    return ndimage.shift(data, -np.asarray(shift_px, dtype=float), order=order, mode="nearest")


def corrected_movie(movie, shifts_px, *, order: int = 1):
    """A lazy drift-corrected view of ``movie`` (a dask array, float32, one frame per chunk).

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array; never modified.
    shifts_px : array_like
        (t, 2) shifts from :func:`measure_drift`, px.
    order : int
        Spline order of the interpolation (1 = bilinear).
    """
    import dask.array as da

    shifts = np.asarray(shifts_px, dtype=float)
    if shifts.shape != (movie.shape[0], 2) or not np.isfinite(shifts).all():
        raise ValueError(
            f"shifts must be a finite ({movie.shape[0]}, 2) array; rerun measure_drift to the end"
        )
    source = (
        movie
        if isinstance(movie, da.Array)
        else da.from_array(movie, chunks=(1,) + movie.shape[1:])
    )
    source = source.rechunk((1,) + movie.shape[1:])

    def shift_block(block, block_info=None):
        start = block_info[0]["array-location"][0][0]
        return np.stack(
            [corrected_frame(f, shifts[start + j], order=order) for j, f in enumerate(block)]
        )

    return source.map_blocks(shift_block, dtype=np.float32)
