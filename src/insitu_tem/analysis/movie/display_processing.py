"""Non-destructive display processing of movie frames: crop, time range, running
average, binning, Gaussian/median filters, drift correction, contrast tables.

Everything here makes a new array for display; the movie itself is never
changed. With default options :func:`display_frame` returns the raw frame
itself (no copy), which keeps playback at display speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage

from insitu_tem.core.model import Axis
from insitu_tem.analysis.movie.drift import corrected_frame

FILTERS = ("none", "gaussian", "median")


@dataclass(frozen=True)
class DisplayOptions:
    """How frames are shown.

    Attributes
    ----------
    crop : tuple of int or None
        (row0, row1, col0, col1) half-open region, px.
    time_range : tuple of int or None
        (first, last) frames played, inclusive.
    average : int
        Running average over this many frames (ending at the current one).
    binning : int
        Sum-free binning factor (block mean), 1 = none.
    filter : str
        "none", "gaussian" (sigma = ``filter_size`` px) or "median" (size px).
    filter_size : float
        Gaussian sigma or median window, px.
    drift_correct : bool
        Shift frames back by the measured drift.
    """

    crop: tuple[int, int, int, int] | None = None
    time_range: tuple[int, int] | None = None
    average: int = 1
    binning: int = 1
    filter: str = "none"
    filter_size: float = 1.0
    drift_correct: bool = False

    def __post_init__(self) -> None:
        if self.filter not in FILTERS:
            raise ValueError(f"filter {self.filter!r} is not one of {FILTERS}")
        if self.average < 1 or self.binning < 1 or self.filter_size <= 0:
            raise ValueError("average and binning must be >= 1 and filter_size > 0")

    @property
    def is_raw(self) -> bool:
        """True when frames are shown exactly as stored."""
        return self == DisplayOptions(time_range=self.time_range)


def frame_range(n_frames: int, options: DisplayOptions) -> tuple[int, int]:
    """(first, last) frame played, clipped to the movie."""
    if options.time_range is None:
        return 0, n_frames - 1
    first, last = sorted(int(v) for v in options.time_range)
    return max(0, first), min(n_frames - 1, last)


def bin_frame(frame: np.ndarray, factor: int) -> np.ndarray:
    """Block mean over ``factor`` x ``factor`` px (edges that do not fill a block are dropped)."""
    if factor == 1:
        return frame
    rows, cols = (frame.shape[0] // factor) * factor, (frame.shape[1] // factor) * factor
    blocks = frame[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def display_frame(
    get_frame: Callable[[int], np.ndarray], index: int, options: DisplayOptions, *, shifts_px=None
) -> np.ndarray:
    """The frame ``index`` as displayed.

    Parameters
    ----------
    get_frame : callable
        Returns raw frame ``i`` as a 2-D array.
    index : int
        Current frame.
    options : DisplayOptions
        Display processing.
    shifts_px : array_like, optional
        (t, 2) drift, used when ``options.drift_correct``.
    """
    if options.is_raw:
        return get_frame(index)
    start = max(0, index - options.average + 1)
    use_drift = options.drift_correct and shifts_px is not None
    frames = [
        corrected_frame(get_frame(i), shifts_px[i]) if use_drift else get_frame(i)
        for i in range(start, index + 1)
    ]
    frame = frames[0] if len(frames) == 1 else np.mean(frames, axis=0, dtype=np.float32)
    if options.crop is not None:
        r0, r1, c0, c1 = options.crop
        frame = frame[r0:r1, c0:c1]
    frame = bin_frame(np.asarray(frame), options.binning)
    if options.filter == "gaussian":
        frame = ndimage.gaussian_filter(frame.astype(np.float32), options.filter_size)
    elif options.filter == "median":
        frame = ndimage.median_filter(frame, size=max(1, int(round(options.filter_size))))
    return frame


def display_axes(row: Axis, col: Axis, options: DisplayOptions) -> tuple[Axis, Axis]:
    """Calibration of displayed frames after crop and binning (offsets keep positions true)."""
    r0, c0 = (options.crop[0], options.crop[2]) if options.crop is not None else (0, 0)
    rows = (options.crop[1] - r0) if options.crop is not None else row.size
    cols = (options.crop[3] - c0) if options.crop is not None else col.size
    b = options.binning
    shift = (b - 1) / 2.0
    return (
        Axis(row.name, rows // b, row.scale * b, row.to_value(r0 + shift), row.units),
        Axis(col.name, cols // b, col.scale * b, col.to_value(c0 + shift), col.units),
    )


def movie_levels(
    movie, *, low: float = 0.5, high: float = 99.5, n_samples: int = 5
) -> tuple[float, float]:
    """Display levels from percentiles of a few frames spread through the movie (sub-sampled)."""
    n = movie.shape[0]
    picks = np.unique(np.linspace(0, n - 1, min(n, n_samples)).astype(int))
    step = max(1, int(np.sqrt(movie.shape[1] * movie.shape[2] / 65536)))
    sample = np.concatenate(
        [np.asarray(movie[i][::step, ::step], dtype=np.float32).ravel() for i in picks]
    )
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return 0.0, 1.0
    black, white = (float(v) for v in np.percentile(sample, [low, high]))
    return (black, white) if white > black else (black, black + 1.0)


def gamma_lut(colors: np.ndarray | None, gamma: float) -> np.ndarray:
    """A 256-entry RGB lookup table: ``colors`` (256 x 3 uint8, None = grey) read through a gamma
    curve."""
    if gamma <= 0:
        raise ValueError(f"gamma must be > 0, got {gamma}")
    ramp = np.linspace(0.0, 1.0, 256) ** gamma
    index = np.clip(np.round(ramp * 255), 0, 255).astype(int)
    base = (
        np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
        if colors is None
        else np.asarray(colors)
    )
    return base[index].astype(np.uint8)
