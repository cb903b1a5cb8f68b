"""Readers on generated files of every format we can write here, with known calibration."""

import struct

import numpy as np
import pytest
import tifffile

from insitu_tem.io.load import load


@pytest.fixture
def movie_array():
    rng = np.random.default_rng(7)
    return rng.integers(0, 4000, size=(6, 32, 40), dtype=np.uint16)


def test_imagej_tiff_movie_is_calibrated_and_never_memory_mapped(tmp_path, movie_array):
    path = tmp_path / "movie.tif"
    tifffile.imwrite(
        path,
        movie_array,
        imagej=True,
        resolution=(1 / 2.5, 1 / 2.5),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.25},
    )
    dataset = load(path)
    assert dataset.kind == "movie" and dataset.shape == (6, 32, 40)
    t, y, x = dataset.axes
    assert (t.scale, t.units) == (pytest.approx(0.25), "s")
    assert (x.scale, x.units) == (pytest.approx(2.5), "nm") and y.scale == pytest.approx(2.5)
    assert isinstance(dataset.array, np.ndarray) and not isinstance(dataset.array, np.memmap)
    np.testing.assert_array_equal(dataset.frame(4), movie_array[4])
    lazy = load(path, lazy=True)
    assert lazy.lazy and lazy.array.chunks[0] == (1,) * 6
    np.testing.assert_array_equal(lazy.frame(5), movie_array[5])


def test_imagej_micron_units_are_converted_to_nm(tmp_path):
    path = tmp_path / "image.tif"
    tifffile.imwrite(
        path,
        np.zeros((8, 8), np.uint16),
        imagej=True,
        resolution=(1 / 0.004, 1 / 0.004),
        metadata={"unit": "micron"},
    )
    axis = load(path).axes[1]
    assert axis.units == "nm" and axis.scale == pytest.approx(4.0)


def test_ome_tiff_physical_size(tmp_path):
    path = tmp_path / "image.ome.tif"
    tifffile.imwrite(
        path,
        np.ones((3, 16, 16), np.uint8),
        metadata={
            "axes": "TYX",
            "PhysicalSizeX": 0.05,
            "PhysicalSizeXUnit": "nm",
            "PhysicalSizeY": 0.05,
            "PhysicalSizeYUnit": "nm",
            "TimeIncrement": 0.1,
        },
    )
    dataset = load(path)
    assert dataset.kind == "movie"
    assert dataset.axes[2].scale == pytest.approx(0.05) and dataset.axes[2].units == "nm"
    assert dataset.axes[0].scale == pytest.approx(0.1) and dataset.axes[0].units == "s"


def test_float16_and_uncalibrated_tiff(tmp_path):
    path = tmp_path / "half.tif"
    tifffile.imwrite(path, np.full((8, 8), 1.5, np.float16))
    dataset = load(path)
    assert dataset.dtype == np.float32 and dataset.kind == "image"
    assert dataset.axes[0].units == "px" and any("--scale" in w for w in dataset.warnings)


def test_folder_of_numbered_frames_is_one_movie_in_natural_order(tmp_path, movie_array):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(movie_array):
        tifffile.imwrite(folder / f"frame_{i * 5}.tif", frame)
    dataset = load(folder)
    assert dataset.kind == "movie" and dataset.shape == movie_array.shape
    np.testing.assert_array_equal(dataset.frame(2), movie_array[2])
    np.testing.assert_array_equal(load(folder, lazy=True).frame(3), movie_array[3])


def test_folder_with_mismatched_frames_is_reported(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    tifffile.imwrite(folder / "a1.tif", np.zeros((8, 8), np.uint16))
    tifffile.imwrite(folder / "a2.tif", np.zeros((8, 9), np.uint16))
    with pytest.raises(ValueError, match="must match"):
        load(folder)


def test_mp4_video_frames_and_frame_rate(tmp_path):
    import imageio_ffmpeg

    path = tmp_path / "clip.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(path), (64, 48), pix_fmt_in="gray", fps=10, macro_block_size=16
    )
    writer.send(None)
    for value in range(0, 250, 50):
        writer.send(np.full((48, 64), value, np.uint8).tobytes())
    writer.close()
    dataset = load(path)
    assert dataset.kind == "movie" and dataset.shape == (5, 48, 64)
    assert dataset.axes[0].scale == pytest.approx(0.1) and dataset.axes[0].units == "s"
    assert np.mean(dataset.frame(4)) > np.mean(dataset.frame(1)) + 100


def test_npy_with_user_calibration_later(tmp_path):
    path = tmp_path / "stack.npy"
    np.save(path, np.zeros((4, 8, 8), np.float32))
    dataset = load(path)
    assert dataset.kind == "movie" and dataset.axes[0].units == "frame"


def test_complex_and_nan_arrays_are_flagged(tmp_path):
    np.save(tmp_path / "c.npy", np.ones((8, 8), np.complex64))
    np.save(tmp_path / "n.npy", np.array([[np.nan, 1.0], [2.0, 3.0]]))
    assert any("complex" in w for w in load(tmp_path / "c.npy").warnings)
    assert any("NaN" in w for w in load(tmp_path / "n.npy").warnings)


def test_hyperspy_eels_line_scan(tmp_path):
    import hyperspy.api as hs

    data = np.random.default_rng(1).poisson(100, size=(5, 64)).astype(np.float32)
    signal = hs.signals.Signal1D(data)
    signal.set_signal_type("EELS")
    nav, energy = signal.axes_manager[0], signal.axes_manager[1]
    nav.name, nav.units, nav.scale = "position", "nm", 4.0
    energy.name, energy.units, energy.scale, energy.offset = "Energy loss", "eV", 0.25, -5.0
    signal.metadata.set_item("Acquisition_instrument.TEM.beam_energy", 300.0)
    signal.save(tmp_path / "line.hspy")
    dataset = load(tmp_path / "line.hspy")
    assert dataset.kind == "spectrum_series" and dataset.shape == (5, 64)
    assert [a.name for a in dataset.axes] == ["position", "E"]
    assert dataset.axes[0].scale == pytest.approx(4.0) and dataset.axes[1].offset == pytest.approx(
        -5.0
    )
    assert dataset.metadata["beam_energy_kV"] == pytest.approx(300.0)


def test_hyperspy_diffraction_series_in_reciprocal_units(tmp_path):
    import hyperspy.api as hs

    signal = hs.signals.Signal2D(np.zeros((3, 16, 16), np.float32))
    for axis in signal.axes_manager.signal_axes:
        axis.units, axis.scale = "1/nm", 0.1
    signal.save(tmp_path / "nbd.hspy")
    dataset = load(tmp_path / "nbd.hspy")
    assert dataset.kind == "pattern_series" and dataset.axes[2].units == "1/nm"


def test_structured_dm_rgb_dtype_is_converted():
    from insitu_tem.io.kinds import repair_dtype
    from insitu_tem.io.readers import RawAxis

    rgba = np.zeros((4, 4), dtype=[("B", "u1"), ("G", "u1"), ("R", "u1"), ("A", "u1")])
    rgba["R"], rgba["G"], rgba["B"] = 255, 255, 255
    grey, _, notes = repair_dtype(rgba, (RawAxis("y", 4), RawAxis("x", 4)))
    assert grey.dtype == np.float32 and np.allclose(grey, 255.0) and notes


def test_dm3_header_only_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "header.dm3"
    path.write_bytes(struct.pack(">iii", 3, 1000, 1))
    with pytest.raises(ValueError, match="DigitalMicrograph"):
        load(path)
