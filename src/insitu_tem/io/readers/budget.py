"""Memory budget and the decoded size of a file, read from its header before any data.

A small file can decode into a huge array (a deflate-compressed TIFF, an HDF5 dataset
that was never written, an MRC whose header lies). :func:`decoded_size` reads only the
header (TIFF IFDs, HDF5 metadata, the MRC, blockfile and .npy headers); :func:`plan_load` turns
it into a decision: read into memory, read lazily, or refuse with the sizes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.memory import human, memory_budget
from insitu_tem.io.readers.npy_reader import npy_header
from insitu_tem.io.readers.velox_stream import spectrum_image_bytes

LAZY_BYTES = 512 * 2**20
MAX_EXPANSION = 100
MAX_DECODED_BYTES = 2**40
_MRC_ITEMSIZE = {0: 1, 1: 2, 2: 4, 3: 4, 4: 8, 6: 2, 12: 2, 16: 3, 101: 0.5}


@dataclass(frozen=True)
class DecodedSize:
    """What a file holds once decoded, from its header.

    Attributes
    ----------
    total : int
        Bytes of the largest array, decoded.
    frame : int
        Bytes of its smallest independently readable piece (one frame/page/chunk).
    stored : int
        Bytes on disk (the file's size, or the stored size of the array).
    compressed : bool
        Whether the array is stored compressed (decoded size differs from stored).
    warnings : tuple of str
        Things the user should know (e.g. an HDF5 link followed inside the folder).
    """

    total: int
    frame: int
    stored: int
    compressed: bool = False
    warnings: tuple[str, ...] = field(default=())


def _tiff_size(path: Path) -> DecodedSize:
    import tifffile

    from insitu_tem.io.readers.raw import CapturedLog

    with CapturedLog("tifffile"), tifffile.TiffFile(str(path)) as tif:
        series = tif.series[0]
        page = series.keyframe
        total = int(np.prod(series.shape, dtype=np.float64)) * series.dtype.itemsize
        frame = int(np.prod(page.shape, dtype=np.float64)) * series.dtype.itemsize
        return DecodedSize(total, frame, path.stat().st_size, page.compression != 1)


def _folder_size(path: Path) -> DecodedSize | None:
    """A folder of numbered frames, from the first frame's header (the reader checks that the
    others match it)."""
    from insitu_tem.io.readers.tiff_reader import numbered_frames

    frames = numbered_frames(path)
    if not frames:
        return None
    first = _tiff_size(frames[0])
    stored = sum(frame.stat().st_size for frame in frames)
    return DecodedSize(first.total * len(frames), first.frame, stored, first.compressed)


def _npy_size(path: Path) -> DecodedSize:
    shape, _, dtype, _ = npy_header(path)
    itemsize = dtype.itemsize
    total = int(np.prod(shape, dtype=np.float64)) * itemsize
    frame = int(np.prod(shape[-2:], dtype=np.float64)) * itemsize if shape else itemsize
    return DecodedSize(total, frame, path.stat().st_size)


def _mrc_size(path: Path) -> DecodedSize:
    with open(path, "rb") as stream:
        header = stream.read(1024)
    if len(header) < 1024:
        raise DataError(
            "cannot be read as an MRC file: it is shorter than the 1024-byte header; the file is "
            "truncated"
        )
    best = None
    for order in "<>":
        nx, ny, nz, mode = struct.unpack(order + "4i", header[:16])
        extended = struct.unpack(order + "i", header[92:96])[0]
        if mode in _MRC_ITEMSIZE and min(nx, ny, nz) > 0 and extended >= 0:
            best = (nx, ny, nz, mode, extended)
            break
    if best is None:
        raise DataError(
            "cannot be read as an MRC file: its header has impossible dimensions or mode; the file "
            "is damaged"
        )
    nx, ny, nz, mode, extended = best
    frame = int(nx * ny * _MRC_ITEMSIZE[mode])
    total = frame * nz
    stored = path.stat().st_size
    if 1024 + extended + total > stored:
        raise DataError(
            f"its header says {nz} × {ny} × {nx} values ({human(total)}) but the file holds "
            f"{human(stored)}; it is truncated or damaged — copy or export it again"
        )
    return DecodedSize(total, frame, stored)


def _blockfile_size(path: Path) -> DecodedSize:
    """A NanoMegas blockfile: scan and pattern sizes from the header; every pattern is stored
    after a 6-byte marker from the second data offset on."""
    with open(path, "rb") as stream:
        header = stream.read(28)
    if len(header) < 28:
        raise DataError(
            "cannot be read as a NanoMegas blockfile: it is shorter than its header; the file is "
            "truncated"
        )
    offset = struct.unpack("<I", header[12:16])[0]
    side, nx, ny = struct.unpack("<H", header[20:22])[0], *struct.unpack("<2H", header[24:28])
    frame = side * side
    stored = path.stat().st_size
    if offset + nx * ny * (frame + 6) > stored:
        raise DataError(
            f"its header says {ny} × {nx} patterns of {side} × {side} px "
            f"({human(nx * ny * frame)}) but the file holds {human(stored)}; it is truncated or "
            "damaged — re-export or copy it again"
        )
    return DecodedSize(nx * ny * frame, frame, stored)


def _bcf_size(path: Path) -> DecodedSize | None:
    """A Bruker .bcf: its spectrum image from the header (:func:`~insitu_tem.io.readers.
    bcf_check.bcf_spectrum_image_bytes`), one pixel's spectrum its smallest piece; the photon
    list's expansion is the data's sparsity, not a decompression bomb."""
    from insitu_tem.io.readers.bcf_check import bcf_spectrum_image_bytes

    total = bcf_spectrum_image_bytes(path)
    return None if total is None else DecodedSize(total, 0, total, True)


def decoded_size(path: Path) -> DecodedSize | None:
    """Decoded size of the data in ``path`` from its header; None when the format has no
    cheap header check here (the reader then decides)."""
    suffix = path.suffix.lower()
    if path.is_dir():
        return _folder_size(path)
    if suffix in (".tif", ".tiff"):
        return _tiff_size(path)
    if suffix == ".npy":
        return _npy_size(path)
    if suffix in (".mrc", ".mrcs", ".ali", ".st", ".rec"):
        return _mrc_size(path)
    if suffix == ".blo":
        return _blockfile_size(path)
    if suffix == ".bcf":
        return _bcf_size(path)
    if suffix in (".hspy", ".hdf5", ".emd"):
        from insitu_tem.io.readers.hdf5_sandbox import inspect_hdf5

        total, frame, compressed, warnings = inspect_hdf5(path)
        stored = path.stat().st_size
        cube = spectrum_image_bytes(path) if suffix == ".emd" else None
        if cube is not None and cube > total:
            # an event stream's expansion is the data's sparsity, not a decompression bomb
            total, stored, compressed = cube, cube, True
        return DecodedSize(total, frame, stored, compressed, warnings)
    return None


def plan_load(size: DecodedSize | None, *, lazy: bool | None, disk_bytes: int) -> bool:
    """Decide lazy (True) or in memory (False); raise DataError when the data cannot be
    read within the memory budget at all."""
    budget = memory_budget()
    if size is None:
        return bool(lazy) if lazy is not None else disk_bytes > LAZY_BYTES
    if size.total > MAX_DECODED_BYTES:
        raise DataError(
            f"decodes to {human(size.total)}, beyond what insitu-tem reads (1 TB); the header is "
            "probably damaged"
        )
    if size.frame > budget // 4:
        raise DataError(
            f"one frame decodes to {human(size.frame)}, more than a quarter of the {human(budget)} "
            "memory budget; crop or bin it in the acquisition software"
        )
    if size.total > budget and size.total > MAX_EXPANSION * max(size.stored, 1):
        raise DataError(
            f"decodes to {human(size.total)} from {human(size.stored)} on disk (over "
            f"{MAX_EXPANSION}× expansion, more than the {human(budget)} memory budget); refusing "
            "it as a decompression "
            "bomb — re-export the data uncompressed if it is genuine"
        )
    if lazy is False and size.total > budget:
        raise DataError(
            f"decodes to {human(size.total)}, more than the {human(budget)} memory budget; open it "
            "lazily (--lazy)"
        )
    return bool(lazy) if lazy is not None else size.total > LAZY_BYTES


def check_in_memory(path: Path, *, copies: float = 1.0) -> None:
    """Raise DataError unless the data of ``path`` (from its header) can be held in memory
    ``copies`` times within the budget; formats without a header check here pass."""
    size = decoded_size(path)
    plan_load(size, lazy=None, disk_bytes=path.stat().st_size)
    if size is not None and size.total * copies > memory_budget():
        raise DataError(
            f"decodes to {human(size.total)}; this needs about {human(size.total * copies)} of "
            f"memory, more than the {human(memory_budget())} budget — crop or bin the data"
        )


def plan_spectrum_image(size: DecodedSize | None, *, disk_bytes: int, in_pieces: bool) -> bool:
    """Decide how an EDS spectrum image is read for its analysis, which takes it in channel
    slices: in memory (False) within the memory budget; beyond it lazily (True) when the format
    reads in pieces (``in_pieces``: chunked HDF5), else DataError with the sizes — never a
    read that the system kills for memory. The checks of :func:`plan_load` come first."""
    plan_load(size, lazy=None, disk_bytes=disk_bytes)
    budget = memory_budget()
    if size is None or size.total <= budget:
        return False
    if in_pieces:
        return True
    raise DataError(
        f"its spectrum image decodes to {human(size.total)}, more than the {human(budget)} "
        "memory budget, and this format cannot be read in pieces; export a binned or cropped "
        "spectrum image from the acquisition software and open that"
    )
