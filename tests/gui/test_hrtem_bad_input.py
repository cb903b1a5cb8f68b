"""HRTEM movies and spectra the workbench's panels cannot use, opened as a user does: refused on
the panel naming the file and what to do, without a dialog."""

import numpy as np
import tifffile
from PySide6.QtCore import Qt

from tests.cli.test_eds_bad_input import eds_cube


def lattice_movie(path):
    """Five uncalibrated 64 × 64 px frames of crossed fringes (periods 5 and 6 px)."""
    yy, xx = np.mgrid[:64, :64]
    fringes = 100 + 30 * np.cos(2 * np.pi * xx / 5.0) + 30 * np.cos(2 * np.pi * yy / 6.0)
    frames = np.random.default_rng(0).poisson(np.tile(fringes, (5, 1, 1))).astype(np.float32)
    tifffile.imwrite(path, frames)
    return path


def test_tracking_an_uncalibrated_movie_names_it_and_says_to_calibrate(
    qtbot, window, wait_idle, tmp_path
):
    window.open_paths([lattice_movie(tmp_path / "m.tif")])
    wait_idle(window)
    panel = window.panels["hrtem"]
    qtbot.mouseClick(panel.controls.track_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert panel.series_plot.status.text() == (
        "Cannot follow the spots: m.tif: has no pixel size in nm, which d(t) needs — calibrate it "
        "first (Edit ▸ Set Calibration…)"
    )
    assert window.reporter.reports == []


def test_an_eds_spectrum_image_is_not_analysed_as_eels(qtbot, window, wait_idle, tmp_path):
    window.open_paths([eds_cube(tmp_path / "e.hspy")])
    wait_idle(window)
    panel = window.panels["eels"]
    qtbot.waitUntil(lambda: "present" in panel.readout.text(), timeout=60000)
    assert panel.readout.text().startswith("e.hspy: The sum of 16 spectra, 41,010 counts:")
    assert "edge" not in panel.readout.text()
    assert panel.plot.getAxis("bottom").labelString().count("X-ray energy (keV)") == 1
    assert window.reporter.reports == []


def test_an_image_smaller_than_the_fft_says_so_naming_it(qtbot, window, wait_idle, tmp_path):
    path = tmp_path / "tiny.tif"
    tifffile.imwrite(path, np.ones((2, 2), np.float32))
    window.open_paths([path])
    wait_idle(window)
    panel = window.panels["hrtem"]
    said = (
        "tiny.tif: the image is 2 × 2 px; the FFT needs at least 16 × 16 px — open a larger image"
    )
    assert panel.warning_label.text() == said
    controls = panel.controls
    assert not any(
        button.isEnabled()
        for button in (controls.crystallinity_button, controls.clear_button, controls.track_button)
    )
    assert said in controls.track_button.toolTip() and window.reporter.reports == []


def test_tracking_over_a_frame_with_nan_pixels_names_the_file(qtbot, window, wait_idle, tmp_path):
    path = tmp_path / "holes.tif"
    frames = tifffile.imread(lattice_movie(path))
    frames[2, 16:48, 16:48] = np.nan
    tifffile.imwrite(
        path, frames, imagej=True, resolution=(20, 20), metadata={"axes": "TYX", "unit": "nm"}
    )
    window.open_paths([path])
    wait_idle(window)
    qtbot.mouseClick(window.panels["hrtem"].controls.track_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    message = window.reporter.reports[-1].message
    assert message.startswith("holes.tif: ") and "NaN" in message, message
    assert "frame 3 has NaN or infinite pixels" in message, message
