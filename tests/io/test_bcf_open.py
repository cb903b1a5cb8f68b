"""A Bruker .bcf opened as data (not as a tilt series): its HAADF image and its EDS spectrum
image, and files other parts of insitu-tem read, named with what to do."""

import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.load import list_signals, load


def test_a_bruker_file_lists_and_opens_its_image_and_its_eds_spectrum_image(realdata):
    path = realdata("edstomo_idp/0.bcf")
    assert list_signals(path) == ["0: HAADF", "1: EDX"]
    image = load(path)
    assert image.kind == "image" and image.array.shape == (256, 256)
    assert [a.units for a in image.axes] == ["nm", "nm"]
    spectra = load(path, signal=1, lazy=True)
    assert spectra.kind == "spectrum_series" and spectra.array.shape == (256, 256, 2048)
    assert spectra.metadata["signal_type"].startswith("EDS")
    assert hasattr(spectra.array, "dask")


@pytest.mark.parametrize(
    "name, says",
    [
        ("scan.zip", "unzip it"),
        ("series.st", "`insitu-tem tomo`"),
        ("holder.csv", "`insitu-tem log`"),
    ],
)
def test_files_read_elsewhere_say_where(tmp_path, name, says):
    (tmp_path / name).write_bytes(b"x" * 16)
    with pytest.raises(DataError, match=says):
        load(tmp_path / name)
