"""rosettasciio's lazy chunks are read with pread: same values as the file, and a file cut
short after opening gives an error naming it instead of SIGBUS."""

import os
import struct
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.io.readers.rsciio_reader import read

SHAPE = (5, 48, 40)


def _write_mrc(path: Path) -> np.ndarray:
    nz, ny, nx = SHAPE
    header = bytearray(1024)
    struct.pack_into("<4i", header, 0, nx, ny, nz, 1)
    struct.pack_into("<3i", header, 28, nx, ny, nz)
    struct.pack_into("<6f", header, 40, nx, ny, nz, 90, 90, 90)
    struct.pack_into("<3i", header, 64, 1, 2, 3)
    header[208:216] = b"MAP \x44\x44\x00\x00"
    data = np.random.default_rng(3).integers(-3000, 3000, SHAPE).astype("<i2")
    path.write_bytes(bytes(header) + data.tobytes())
    return data


@pytest.mark.parametrize("chunks", [(5, 48, 40), (2, 17, 23), (1, 48, 7)])
def test_every_chunk_layout_reads_the_stored_values(tmp_path, chunks):
    import rsciio.mrc

    stored = _write_mrc(tmp_path / "m.mrc")
    read(tmp_path / "m.mrc", lazy=True)
    lazy = rsciio.mrc.file_reader(str(tmp_path / "m.mrc"), lazy=True, chunks=chunks)[0]["data"]
    assert np.array_equal(np.asarray(lazy), stored)
    assert np.array_equal(np.asarray(lazy[1:4, 5:40, 3:9]), stored[1:4, 5:40, 3:9])


def test_a_file_cut_short_after_opening_names_itself(tmp_path):
    path = tmp_path / "series.mrc"
    _write_mrc(path)
    lazy = read(path, lazy=True)[0].array
    os.truncate(path, 1024 + 48 * 40 * 2 * 2)
    with pytest.raises(OSError, match="series.mrc is shorter than its header says"):
        np.asarray(lazy[4])


def test_a_digitalmicrograph_file_reads_the_same_lazily(realdata):
    path = realdata("bismuth.dm3")
    assert np.array_equal(
        np.asarray(read(path, lazy=True)[0].array), read(path, lazy=False)[0].array
    )
