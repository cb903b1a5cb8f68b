"""Plain numpy ``.npy`` arrays: no calibration; lazy arrays read frame by frame with ``pread``
(never memory-mapped, so a file truncated while it is read raises instead of SIGBUS)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.contiguous import ContiguousFrames
from insitu_tem.io.readers.imports import locked_import
from insitu_tem.io.readers.memory import human
from insitu_tem.io.readers.raw import RawAxis, RawSignal

_NAMES = {1: ("E",), 2: ("y", "x"), 3: ("t", "y", "x"), 4: ("scan_y", "scan_x", "ky", "kx")}
_THIN_AXIS = 4
_LONG_AXIS = 100
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def npy_header(path: Path) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and data offset (bytes) of a .npy file, from its header.

    Raises
    ------
    DataError
        When the format version is not numpy's 1.0/2.0, or the file holds fewer bytes than its
        header promises (a cut copy, or a damaged header).
    """
    with open(path, "rb") as stream:
        version = np.lib.format.read_magic(stream)
        if version not in _HEADER_READERS:
            raise DataError(
                f"is a .npy file of format version {version}; save it with numpy's default format"
            )
        shape, fortran, dtype = _HEADER_READERS[version](stream)
        offset = stream.tell()
    promised = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    held = path.stat().st_size - offset
    if not dtype.hasobject and promised > held:
        raise DataError(
            f"is cut short: its header describes {' x '.join(map(str, shape))} {dtype} values "
            f"({human(promised)}) but the file holds {human(max(held, 0))} — copy it again"
        )
    return tuple(shape), bool(fortran), dtype, offset


def _lazy(path: Path, shape: tuple[int, ...], dtype: np.dtype, offset: int):
    da = locked_import("dask.array")
    frames = (int(np.prod(shape[:-2])),) + shape[-2:]
    stack = da.from_array(
        ContiguousFrames(str(path), offset, frames, dtype), chunks=(1,) + shape[-2:], asarray=False
    )
    return stack.reshape(shape)


def _check_frame_shape(shape: tuple[int, ...]) -> None:
    """Refuse arrays whose last two axes are a few rows of a long table, not an image."""
    if len(shape) < 2:
        return
    short, long = sorted(shape[-2:])
    if short <= _THIN_AXIS and long >= _LONG_AXIS:
        raise DataError(
            f"holds a {' x '.join(map(str, shape))} array: {short} series of {long} values (a "
            "profile or table such as x and intensity), not an image or a stack of images; "
            "insitu-tem opens .npy images, movies, 4D-STEM scans and 1-D spectra — open the "
            "image or pattern it was computed from"
        )


def read(path: Path, *, lazy: bool) -> list[RawSignal]:
    """Read a .npy array; axes are uncalibrated (give --scale/--units).

    1-D arrays read as spectra, 2-D as images, 3-D as movies, 4-D as 4D-STEM. Pickled
    (object) arrays are refused, and so are arrays whose last two axes cannot be an image (at
    most 4 along one, at least 100 along the other: a profile or a table of columns).
    """
    shape, fortran, dtype, offset = npy_header(path)
    if len(shape) not in _NAMES:
        raise DataError(f"array has {len(shape)} dimensions; insitu-tem reads 1-D to 4-D arrays")
    _check_frame_shape(shape)
    if dtype.hasobject:
        raise DataError(
            "holds Python objects (a pickled array); insitu-tem never unpickles files — save "
            "numbers"
        )
    if lazy and len(shape) >= 3 and not fortran:
        array = _lazy(path, shape, dtype, offset)
    else:
        array = np.load(str(path), allow_pickle=False)
    n_signal = 1 if len(shape) == 1 else 2
    axes = tuple(
        RawAxis(name, size, navigate=i < len(shape) - n_signal)
        for i, (name, size) in enumerate(zip(_NAMES[len(shape)], shape))
    )
    return [RawSignal(array, axes, path.stem, "", {"title": path.stem})]
