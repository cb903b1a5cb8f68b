"""Session 36's stranger pass: inputs the earlier suite did not give (a NaN option, an
infinite value for an option without bounds, a dose factor of infinity, a folder where a file
belongs, a damaged HDF5 spectrum image, a name that is not UTF-8, a stack tifffile saved as
colour planes). Each is one line naming what to do, exit 2."""

import os
from pathlib import Path

import numpy as np
import pytest
import tifffile

SAMPLES = Path(__file__).parents[3] / "sample_data"


@pytest.mark.parametrize(
    "argv",
    [
        ["dose", "{m}", "--beam-current-nA", "nan"],
        ["rings", "--phase", "W", "--grain-size", "nan"],
        ["radial", "{p}", "--scale", "nan"],
        ["diffraction", "{p}", "--energy", "nan"],
    ],
)
def test_a_nan_option_is_refused_as_nan_not_as_given_twice(raw, refuse, argv):
    line = refuse(*[a.format(m=raw / "m.tif", p=raw / "pattern.npy") for a in argv])
    assert "nan is not a number" in line and "given twice" not in line, line


def test_an_infinite_value_for_an_option_without_bounds_is_refused(raw, refuse):
    line = refuse("front", raw / "m.tif", "--line", "5,30,60,30", "--fix-t0", "inf")
    assert line.endswith("--fix-t0 inf must be a finite number"), line


@pytest.mark.parametrize(
    "options, contains",
    [
        (["--counts-per-electron", "inf"], "--counts-per-electron inf must be"),
        (["--beam-current-nA", "1", "--area-nm2", "0"], "--area-nm2 0 must be positive"),
        (["--beam-current-nA", "1", "--area-nm2", "inf"], "--area-nm2 inf must be"),
        (["--beam-current-nA", "1e308"], "--beam-current-nA 1e+308 must be"),
    ],
)
def test_dose_refuses_a_factor_or_area_that_is_no_physical_value(raw, refuse, options, contains):
    refuse("dose", raw / "m.tif", *options, contains=contains)


@pytest.mark.parametrize(
    "argv",
    [
        ["eds", "{d}"],
        ["segment", "{d}", "--out", "{o}"],
        ["export", "{d}", "--out", "{o}.png"],
        ["across", "{d}"],
    ],
)
def test_a_folder_given_as_the_file_is_called_a_folder(tmp_path, refuse, argv):
    folder = tmp_path / "data.itproj"
    folder.mkdir()
    line = refuse(*[a.format(d=folder, o=tmp_path / "out") for a in argv])
    assert "is a folder" in line and "no such" not in line, line


@pytest.mark.parametrize("cut", [0, 64, "half"])
def test_eds_on_an_empty_or_cut_hdf5_file_says_to_copy_it_again(tmp_path, refuse, cut):
    data = (SAMPLES / "eels_linescan.hspy").read_bytes()
    damaged = tmp_path / "cut.hspy"
    damaged.write_bytes(data[: len(data) // 2 if cut == "half" else cut])
    line = refuse("eds", damaged)
    assert "copy" in line and "again" in line, line


def test_a_name_that_is_not_utf8_is_shown_as_its_bytes(tmp_path, refuse):
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff\xfe.npy")
    np.save(name, np.ones(64))
    line = refuse("radial", name)
    assert "\\xff\\xfe.npy: " in line and "\\udc" not in line, line


@pytest.mark.parametrize("frames", [3, 4])
def test_a_stack_tifffile_saved_as_colour_planes_says_how_to_save_frames(tmp_path, refuse, frames):
    path = tmp_path / "stack.tif"
    stack = np.arange(frames * 64 * 64, dtype=np.uint16).reshape(frames, 64, 64)
    tifffile.imwrite(path, stack, photometric="rgb", planarconfig="separate")
    refuse("info", path, contains="save the frames as an ImageJ stack")


@pytest.mark.parametrize("window", ["inf", "1e308"])
def test_crystallinity_refuses_an_infinite_window(tmp_path, refuse, window):
    np.save(tmp_path / "image.npy", np.random.default_rng(0).random((64, 64)))
    argv = ["crystallinity", tmp_path / "image.npy", "--scale", "0.05", "--units", "nm"]
    refuse(*argv, "--window", window, contains=f"--window {float(window):g} must be between")


def test_crystallinity_refuses_infinite_pixels_instead_of_calling_them_amorphous(tmp_path, refuse):
    image = np.random.default_rng(0).random((128, 128))
    image[10:20, 10:20] = np.inf
    np.save(tmp_path / "image.npy", image)
    argv = ["crystallinity", tmp_path / "image.npy", "--scale", "0.05", "--units", "nm"]
    refuse(*argv, contains="the region holds 100 NaN or infinite pixels")


@pytest.mark.parametrize("value", ["-1", "0", "inf", "-inf", "1e308"])
def test_eds_refuses_a_detector_resolution_that_is_no_fwhm(tmp_path, refuse, value):
    refuse("eds", tmp_path / "x.bcf", "--resolution", value, contains="--resolution")


@pytest.mark.parametrize("shape", [(1, 1), (1, 300), (5, 1, 1)])
def test_segment_names_the_shape_it_was_given(tmp_path, refuse, shape):
    tifffile.imwrite(tmp_path / "v.tif", np.ones(shape, np.float32))
    refuse("segment", tmp_path / "v.tif", "--out", tmp_path / "l.tif", contains=f"{shape};")


@pytest.mark.parametrize(
    "option, value",
    [
        ("--smooth", "inf"),
        ("--smooth", "-1"),
        ("--iterations", "0"),
        ("--iterations", "999999999"),
        ("--tilt-axis-angle", "inf"),
        ("--tilt-axis-offset", "inf"),
    ],
)
def test_tomo_refuses_options_out_of_range_before_reading(tmp_path, refuse, option, value):
    argv = ["tomo", tmp_path / "absent", "--out", tmp_path / "out", option, value]
    refuse(*argv, contains=f"{option} {float(value):g} must be")


@pytest.mark.parametrize("tilts", ["nan:1:1", "-1e308:1e308:1", "-40:40:0.0001"])
def test_tomo_refuses_a_tilt_range_that_is_no_tilt_series(tmp_path, refuse, tilts):
    argv = ["tomo", tmp_path / "absent", "--out", tmp_path / "out", "--tilts", tilts]
    line = refuse(*argv, contains=f"--tilts {tilts!r}")
    assert "e.g. -60:60:5" in line, line


def test_export_refuses_montage_times_beyond_any_movie(sample_project, tmp_path, refuse):
    argv = ["export", sample_project, "--view", "montage", "--out", tmp_path / "m.png"]
    refuse(*argv, "--options", '{"times_s": [1e308]}', contains="each within ±1e9 s")


def noise_tilt_series(folder: Path) -> Path:
    """Five noise images named by tilt: the axis cannot be measured, so tomo warns."""
    folder.mkdir()
    rng = np.random.default_rng(1)
    for angle in range(-40, 41, 20):
        tifffile.imwrite(folder / f"{angle}.tif", rng.random((24, 24)).astype(np.float32))
    return folder


def test_tomo_with_its_series_again_as_also_is_one_line_before_any_work(tmp_path, refuse):
    series = noise_tilt_series(tmp_path / "tl")
    argv = ["tomo", series, "--also", series, "--out", tmp_path / "out"]
    refuse(*argv, contains="two channels would write the same volume")


def test_tomo_over_an_existing_volume_is_one_line_without_the_alignment_warning(tmp_path, refuse):
    series = noise_tilt_series(tmp_path / "tl")
    (tmp_path / "out").mkdir()
    tifffile.imwrite(tmp_path / "out" / "tl.tif", np.zeros((4, 4), np.float32))
    refuse("tomo", series, "--out", tmp_path / "out", contains="tl.tif: exists and is raw data")
