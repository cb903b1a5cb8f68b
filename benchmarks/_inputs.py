"""Inputs the whole-process benchmarks share, generated once per run into a temporary folder.

Nothing here is committed: every file is written at bench time and deleted at exit.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import tifffile

BIG_FRAMES, BIG_SIZE = 256, 2048


@cache
def folder() -> Path:
    """A temporary folder for this benchmark run (removed at exit)."""
    path = Path(tempfile.mkdtemp(prefix="insitu-tem-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def write_movie(path: Path, frames, *, shape: tuple[int, int, int], dtype=np.uint16) -> Path:
    """An ImageJ TIFF movie (TYX, 1 nm/px, 25 fps) from an iterable of frames."""
    tifffile.imwrite(
        path,
        frames,
        shape=shape,
        dtype=dtype,
        imagej=True,
        resolution=(1.0, 1.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.04},
    )
    return path


@cache
def big_movie() -> Path:
    """A 2 GiB uint16 movie (256 × 2048²): one random texture rolled one px per frame."""
    frame = np.random.default_rng(0).integers(0, 60000, size=(BIG_SIZE, BIG_SIZE), dtype=np.uint16)
    frames = (np.roll(frame, i, axis=1) for i in range(BIG_FRAMES))
    return write_movie(folder() / "movie_2GiB.tif", frames, shape=(BIG_FRAMES, BIG_SIZE, BIG_SIZE))
