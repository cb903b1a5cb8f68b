"""read_spectrum_image(signal=N) takes the file's signal N (the index ``insitu-tem info`` lists)
when it is an EDS spectrum image and names the ones that are otherwise (for ``eds --signal``)."""

import zipfile

import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.spectrum_image import read_spectrum_image


@pytest.fixture(scope="module")
def velox(tmp_path_factory):
    from tests.conftest import REALDATA

    archive_path = REALDATA / "velox_EELS_EDS.zip"
    if not archive_path.exists():
        pytest.skip("real data velox_EELS_EDS.zip not found")
    folder = tmp_path_factory.mktemp("velox")
    with zipfile.ZipFile(archive_path) as archive:
        archive.extractall(folder)
    (path,) = folder.glob("*.emd")
    from rsciio import emd

    return path, emd.file_reader(str(path))


@pytest.fixture
def cached(velox, monkeypatch):
    from rsciio import emd

    path, signals = velox
    monkeypatch.setattr(emd, "file_reader", lambda *args, **kwargs: signals)
    return path


def test_the_chosen_signal_is_read_when_it_is_a_spectrum_image(cached):
    image = read_spectrum_image(cached, signal=17)
    assert image.cube.shape == (128, 128, 4096) and int(image.cube.sum()) == 11093


@pytest.mark.parametrize(
    "signal, message",
    [
        (
            3,
            r"signal 3 \(EDS\) is not an EDS spectrum image; the EDS spectrum images are signal 17",
        ),
        (99, r"has no signal 99 \(it holds 18\); the EDS spectrum images are signal 17"),
    ],
)
def test_another_signal_is_refused_naming_the_spectrum_images(cached, signal, message):
    with pytest.raises(DataError, match=message):
        read_spectrum_image(cached, signal=signal)
