"""Every real file in ../shared/realdata loads with the right kind, shape and calibration."""

import zipfile

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.load import list_signals, load
from insitu_tem.io.readers.spectrum_image import read_spectrum_image

pytestmark = pytest.mark.realdata

# file, kind, shape, signal-axis (scale, offset, units) of the last axis, beam energy kV
EXPECTED = [
    ("16_STOimage.emi", "image", (1024, 1024), (0.0100127, None, "nm"), 80.0),
    ("16_STOimage_1.ser", "image", (1024, 1024), (0.0100127, None, "nm"), None),
    ("Acquisition_18.emd", "image", (1024, 1024), (0.0122465, None, "nm"), 200.0),
    ("08_carbon.dm3", "spectrum", (2048,), (0.1, 240.0, "eV"), 300.0),
    ("AL-DFoffset0.00.dm3", "spectrum", (2048,), (0.0201, -3.609, "eV"), 200.0),
    ("EELS_STO.dm3", "spectrum", (2048,), (0.25, 350.0, "eV"), 200.0),
    ("STO_lowloss.msa", "spectrum", (1024,), (0.3, -40.0, "eV"), None),
    ("STO_coreloss.msa", "spectrum", (1024,), (0.3, 357.5, "eV"), None),
    ("soot_hrtem.tif", "image", (512, 512), (1.0, None, "px"), None),
    ("test1.blo", "pattern_series", (3, 2, 144, 144), (1.0, None, "px"), None),
    ("bismuth.dm3", "pattern", (256, 256), (1.0, None, "px"), 90.0),
]


@pytest.mark.parametrize(
    "name, kind, shape, calibration, kv", EXPECTED, ids=[e[0] for e in EXPECTED]
)
def test_real_file_kind_shape_and_calibration(realdata, name, kind, shape, calibration, kv):
    dataset = load(realdata(name))
    assert dataset.kind == kind
    assert dataset.shape == shape
    scale, offset, units = calibration
    axis = dataset.axes[-1]
    assert axis.units == units
    assert axis.scale == pytest.approx(scale, rel=2e-3)
    if offset is not None:
        assert axis.offset == pytest.approx(offset, abs=2e-3)
    assert dataset.metadata.get("beam_energy_kV") == (pytest.approx(kv, rel=1e-3) if kv else None)


def test_a_powder_profile_npy_is_refused_not_opened_as_an_image(realdata):
    with pytest.raises(DataError, match="2 x 1000 array: 2 series of 1000 values"):
        load(realdata("powder_VO2.npy"))


def test_odd_unit_string_n_m_is_read_as_nm_and_reported(realdata):
    dataset = load(realdata("Acquisition_18.emd"))
    assert all(a.units == "nm" for a in dataset.signal_axes)
    assert any("'n_m' read as nm" in w for w in dataset.warnings)


def test_blockfile_scan_axes_and_navigation(realdata):
    dataset = load(realdata("test1.blo"))
    assert [a.name for a in dataset.axes] == ["scan_y", "scan_x", "ky", "kx"]
    assert (
        dataset.axis("scan_x").scale == pytest.approx(12.8) and dataset.axis("scan_x").units == "nm"
    )
    assert dataset.n_items == 6
    assert not np.array_equal(dataset.frame(0), dataset.frame(5))
    assert any("detector-plane" in w for w in dataset.warnings)


def test_signed_int8_pattern_is_reinterpreted(realdata):
    dataset = load(realdata("bismuth.dm3"))
    assert dataset.dtype == np.uint8 and dataset.metadata["original_dtype"] == "int8"
    frame = dataset.frame(0).astype(float)
    assert frame.min() > 100, "counts stored as negative int8 must come back positive"
    rows, cols = np.indices(frame.shape)
    radius = np.hypot(rows - 142, cols - 99).astype(int)
    profile = np.bincount(radius.ravel(), frame.ravel()) / np.bincount(radius.ravel())
    assert 36 <= np.argmax(profile[30:60]) + 30 <= 41, "first Bi ring near 39 px from (142, 99)"
    assert any("int8" in w for w in dataset.warnings)


def test_rgb_tiff_becomes_grey_and_asks_for_calibration(realdata):
    dataset = load(realdata("soot_hrtem.tif"))
    assert dataset.array.ndim == 2
    assert any("RGB" in w for w in dataset.warnings)
    assert any("--scale" in w for w in dataset.warnings)


def test_multi_signal_velox_file_lists_and_picks_signals(realdata):
    path = realdata("FFTComplexEven.emd")
    assert list_signals(path) == ["0: Half FFT", "1: HAADF"]
    default = load(path)
    assert default.kind == "image" and default.metadata["signal_index"] == 1
    assert any("--signal" in w for w in default.warnings)
    fft = load(path, signal=0)
    assert fft.kind == "pattern" and np.iscomplexobj(fft.array)
    haadf = load(path, signal=1)
    assert haadf.kind == "image" and haadf.shape == (128, 128)
    assert haadf.axes[0].units == "nm" and haadf.axes[0].scale == pytest.approx(27.1153, rel=1e-4)
    assert haadf.signals == ("Half FFT", "HAADF")


def test_lazy_load_gives_the_same_data(realdata):
    eager = load(realdata("16_STOimage.emi"), lazy=False)
    lazy = load(realdata("16_STOimage.emi"), lazy=True)
    assert lazy.lazy and not eager.lazy
    np.testing.assert_array_equal(np.asarray(lazy.array), eager.array)


def test_velox_eds_spectrum_image_is_found_beside_eels_cubes(realdata, tmp_path):
    with zipfile.ZipFile(realdata("velox_EELS_EDS.zip")) as archive:
        archive.extractall(tmp_path)
    (path,) = tmp_path.glob("*.emd")
    image = read_spectrum_image(path)
    assert image.cube.shape == (128, 128, 4096)
    assert image.energies_ev[0] == pytest.approx(-200.0)
    assert image.energies_ev[1] - image.energies_ev[0] == pytest.approx(10.0)
    assert image.units == "nm" and image.pixel_size == pytest.approx(158.658, rel=1e-4)
    assert image.image is not None and image.image.shape == (128, 128)
