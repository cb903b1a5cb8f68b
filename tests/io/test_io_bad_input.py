"""Bad input raises DataError saying what is wrong and what to do."""

import os
import shutil

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.core.model import DataError


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "absent.dm3")


def test_empty_file(tmp_path):
    (tmp_path / "empty.dm4").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        load(tmp_path / "empty.dm4")


def test_folder_without_frames(tmp_path):
    with pytest.raises(DataError, match="folder"):
        load(tmp_path)


def test_unsupported_extension(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match="unsupported file type"):
        load(tmp_path / "notes.docx")


@pytest.mark.parametrize(
    "suffix",
    [
        ".dm3",
        ".dm4",
        ".emd",
        ".ser",
        ".emi",
        ".tif",
        ".mrc",
        ".hspy",
        ".msa",
        ".blo",
        ".mp4",
        ".npy",
    ],
)
def test_random_bytes_behind_a_known_extension(tmp_path, suffix):
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(DataError, match="cannot be read|no data|holds"):
        load(path)


@pytest.mark.parametrize(
    "name", ["EELS_STO.dm3", "16_STOimage_1.ser", "Acquisition_18.emd", "test1.blo"]
)
def test_truncated_real_files(realdata, tmp_path, name):
    source = realdata(name)
    target = tmp_path / name
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    try:
        dataset = load(target)
    except DataError as error:
        assert "cannot be read" in str(error) or "re-export" in str(error)
    else:
        assert dataset.array is not None


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path, realdata):
    target = tmp_path / "locked.dm3"
    shutil.copy(realdata("EELS_STO.dm3"), target)
    target.chmod(0)
    with pytest.raises(DataError, match="permission"):
        load(target)


def test_bad_signal_index_lists_the_signals(realdata):
    with pytest.raises(DataError, match="0: Half FFT, 1: HAADF"):
        load(realdata("FFTComplexEven.emd"), signal=5)


def test_raw_files_are_not_modified_by_loading(realdata):
    path = realdata("EELS_STO.dm3")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load(path)
    load(path, lazy=True)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
