"""Reading tilt series: .hspy with a tilt axis, stacks with .rawtlt/.mdoc, folders of per-tilt
files."""

from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.tilt_angles import angle_from_name, parse_tilts, read_tilt_file
from insitu_tem.io.readers.tilt_series import angle_from_metadata, load_tilt_series
from insitu_tem.samples import tomo as sample
from insitu_tem.samples.tomo import Phantom

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "edstomo_idp"


def test_hspy_with_a_tilt_axis_in_degrees(tmp_path):
    phantom = Phantom(size=24, tilts_deg=(-30.0, 0.0, 30.0, 15.0))
    sample.write(tmp_path, phantom)
    series = load_tilt_series(tmp_path / sample.HAADF_NAME)
    np.testing.assert_array_equal(series.tilts_deg, [-30, 0, 15, 30])
    assert (
        series.reference.shape == (4, 24, 24) and series.units == "nm" and series.pixel_size == 0.5
    )
    assert list(series.channels) == ["HAADF"]
    assert list(load_tilt_series(tmp_path / sample.OXYGEN_NAME).channels) == ["O_Ka"]


def test_tilt_files_and_ranges(tmp_path):
    (tmp_path / "a.rawtlt").write_text("-60\n-58.5\n\n  0.0 \n")
    np.testing.assert_allclose(read_tilt_file(tmp_path / "a.rawtlt"), [-60, -58.5, 0])
    (tmp_path / "a.mrc.mdoc").write_text(
        "PixelSpacing = 2.1\n[ZValue = 0]\nTiltAngle = -2.01\n[ZValue = 1]\nTiltAngle = 1.5\n"
    )
    np.testing.assert_allclose(read_tilt_file(tmp_path / "a.mrc.mdoc"), [-2.01, 1.5])
    np.testing.assert_allclose(parse_tilts("-60:60:30"), [-60, -30, 0, 30, 60])
    (tmp_path / "bad.tlt").write_text("x\n")
    with pytest.raises(DataError, match="non-number"):
        read_tilt_file(tmp_path / "bad.tlt")
    with pytest.raises(DataError, match="STEP"):
        parse_tilts("0:10:0")


def test_angle_from_stage_metadata():
    velox = {"original_metadata": {"Stage": {"AlphaTilt": "-0.5235987756"}}}
    hyperspy = {"metadata": {"Acquisition_instrument": {"TEM": {"Stage": {"tilt_alpha": 12.5}}}}}
    assert angle_from_metadata(velox) == pytest.approx(-30.0)
    assert angle_from_metadata(hyperspy) == 12.5 and angle_from_metadata({}) is None


def test_angle_from_file_names():
    assert angle_from_name(Path("-40.bcf")) == -40.0
    assert angle_from_name(Path("tilt_+12.5.tif")) == 12.5
    assert angle_from_name(Path("map.tif")) is None


def test_folder_of_tiffs_named_by_angle(tmp_path):
    texture = np.arange(64, dtype=np.uint16).reshape(8, 8)
    for angle in (10, -20, 0):
        tifffile.imwrite(tmp_path / f"{angle}.tif", texture + np.uint16(angle + 100))
    series = load_tilt_series(tmp_path)
    np.testing.assert_array_equal(series.tilts_deg, [-20, 0, 10])
    np.testing.assert_array_equal(series.reference[:, 0, 0], [80, 100, 110])
    tifffile.imwrite(tmp_path / "30.tif", np.zeros((4, 4), np.uint16))
    with pytest.raises(DataError, match="differ"):
        load_tilt_series(tmp_path)


def test_missing_angles_and_files(tmp_path):
    with pytest.raises(DataError, match="no such"):
        load_tilt_series(tmp_path / "absent.mrc")
    with pytest.raises(DataError, match="fewer than two"):
        load_tilt_series(tmp_path)
    for name in ("a.tif", "b.tif"):
        tifffile.imwrite(tmp_path / name, np.zeros((4, 4), np.uint16))
    with pytest.raises(DataError, match="tell apart"):
        load_tilt_series(tmp_path)
    with pytest.raises(DataError, match="unsupported"):
        (tmp_path / "x.txt").write_text("1")
        load_tilt_series(tmp_path / "x.txt")


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")
def test_bruker_folder_with_eds_maps(tmp_path):
    for name in ("-5.bcf", "0.bcf"):
        (tmp_path / name).symlink_to(REAL / name)
    series = load_tilt_series(
        tmp_path, spectrum_maps=lambda cube, energies: {"total": cube.sum(axis=-1)}
    )
    assert list(series.channels) == ["HAADF", "total"]
    assert series.reference.shape == (2, 256, 256) and series.units == "nm"
    assert series.pixel_size == pytest.approx(13.08, abs=0.01)
    assert series.channels["total"].mean() > 0


def test_a_blank_image_is_refused_naming_its_tilt(tmp_path):
    texture = np.arange(64, dtype=np.uint16).reshape(8, 8)
    for angle in (10, -20, 0):
        tifffile.imwrite(tmp_path / f"{angle}.tif", texture * np.uint16(angle != 0))
    with pytest.raises(DataError, match=r"^[^:]+: its image at 0° is blank \(every pixel 0\)"):
        load_tilt_series(tmp_path)
