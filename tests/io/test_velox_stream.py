"""A lazy read of a small Velox spectrum stream decodes it into memory instead of through
rosettasciio's sparse stream reader (first call ~13 s of compiling, every sum densifying:
``info --lazy`` on velox_EELS_EDS.zip's .emd took 25 s); a large one keeps the lazy reader."""

import zipfile

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.load import read_signals
from insitu_tem.io.readers import budget
from insitu_tem.io.readers.velox_stream import decoded_bytes


class SparseReaderCalled(Exception):
    pass


@pytest.fixture
def velox(realdata, tmp_path, monkeypatch):
    from rsciio.emd import _emd_velox

    def refuse(*args, **kwargs):
        raise SparseReaderCalled("the lazy sparse stream reader")

    monkeypatch.setattr(_emd_velox.FeiSpectrumStream, "stream_to_sparse_array", refuse)
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.glob("*.emd")
    return path


def test_the_decoded_size_counts_the_stream_as_its_spectrum_image(velox, tmp_path):
    cube = 128 * 128 * 4096 * 2
    assert cube < decoded_bytes(velox) < cube + velox.stat().st_size * 4
    plain = tmp_path / "plain.emd"
    import h5py

    with h5py.File(plain, "w") as handle:
        handle["Data/Image/x/Data"] = np.zeros((4, 4, 1))
    assert decoded_bytes(plain) is None


def test_a_small_stream_read_lazily_is_decoded_in_memory_with_every_count(velox):
    signals, _ = read_signals(velox, lazy=True)
    cube = signals[17].array
    assert isinstance(cube, np.ndarray) and cube.shape == (128, 128, 4096)
    assert (
        int(cube.sum(dtype=np.int64))
        == 11093
        == sum(int(np.sum(s.array, dtype=np.int64)) for s in signals[:6])
    )


def test_a_stream_beyond_the_in_memory_size_keeps_the_lazy_reader(velox, monkeypatch):
    monkeypatch.setattr(budget, "LAZY_BYTES", 2**20)
    with pytest.raises(DataError, match="SparseReaderCalled"):
        read_signals(velox, lazy=True)


def test_the_memory_plan_counts_the_decoded_spectrum_image(velox, monkeypatch):
    from pathlib import Path

    size = budget.decoded_size(Path(velox))
    assert size.total == 128 * 128 * 4096 * 2 and size.stored == size.total
    monkeypatch.setattr(budget, "memory_budget", lambda: 64 * 2**20)
    with pytest.raises(
        DataError, match="decodes to 134.2 MB, more than the 67.1 MB memory budget; open it lazily"
    ):
        budget.plan_load(size, lazy=False, disk_bytes=velox.stat().st_size)
    assert budget.plan_load(size, lazy=None, disk_bytes=velox.stat().st_size) is False
