"""Plain numpy ``.npy`` arrays: no calibration, memory-mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.raw import RawAxis, RawSignal

_NAMES = {1: ("E",), 2: ("y", "x"), 3: ("t", "y", "x"), 4: ("scan_y", "scan_x", "ky", "kx")}


def read(path: Path, *, lazy: bool) -> list[RawSignal]:
    """Memory-map a .npy array; axes are uncalibrated (give --scale/--units).

    1-D arrays read as spectra, 2-D as images, 3-D as movies, 4-D as 4D-STEM.
    """
    array = np.load(str(path), mmap_mode="r", allow_pickle=False)
    if array.ndim not in _NAMES:
        raise DataError(f"array has {array.ndim} dimensions; insitu-tem reads 1-D to 4-D arrays")
    n_signal = 1 if array.ndim == 1 else 2
    axes = tuple(
        RawAxis(name, size, navigate=i < array.ndim - n_signal)
        for i, (name, size) in enumerate(zip(_NAMES[array.ndim], array.shape))
    )
    if lazy:
        import dask.array as da

        array = da.from_array(array, chunks="auto")
    return [RawSignal(array, axes, path.stem, "", {"title": path.stem})]
