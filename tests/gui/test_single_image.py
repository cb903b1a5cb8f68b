"""A single image opened in the window (the HAADF image of FFTComplexEven.emd, soot_hrtem.tif,
16_STOimage.emi) is not a movie: the movie panel shows it without a frame slider, a playback bar
or "frame 1" on the image, and opens on its measuring tools; the FFT panel, raised to measure
it, shows it without its frame slider; the image tools (scale bar, contrast, crop, the FFT of a
region) keep working, and a movie opened after it gets its frame controls and the front tools
back."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow

IMAGES = (("FFTComplexEven.emd", 1), ("soot_hrtem.tif", None), ("16_STOimage.emi", None))


def _open(window, wait_idle, path, signal=None):
    window.open_paths([path], signal=signal)
    wait_idle(window, timeout=60000)


def _no_frame_wording(panel) -> bool:
    shown = [panel.view.timestamp] if panel.view.timestamp.isVisible() else []
    return not any("frame" in label.text() for label in shown)


@pytest.mark.parametrize(("name", "signal"), IMAGES)
def test_a_single_image_has_no_movie_controls(window, wait_idle, realdata, name, signal):
    _open(window, wait_idle, realdata(name), signal)
    movie, fft = window.panels["movie"], window.panels["hrtem"]
    assert movie.dataset is not None and movie.single_image
    assert movie.navigator.isHidden() and movie.playback.isHidden()
    assert not movie.view.timestamp.isVisible() and _no_frame_wording(movie)
    assert not movie.processing.drift_button.isEnabled()
    assert movie.processing.binning.isEnabled() and movie.processing.crop_button.isEnabled()
    assert movie.view.frame.shape == movie.dataset.shape[1:]
    assert movie.view.scale_bar.isVisible()
    assert movie.side_tabs.currentWidget() is movie.measure
    assert fft.dataset is not None and fft.navigator.isHidden() and fft.isVisible()
    assert np.isfinite(fft.fft_view.frame).any()


def test_a_movie_after_an_image_gets_its_frame_controls_back(
    window, wait_idle, realdata, movie_file
):
    _open(window, wait_idle, realdata("soot_hrtem.tif"))
    window.asker.yes = True  # replace the image and what was measured on it
    _open(window, wait_idle, movie_file)
    movie = window.panels["movie"]
    assert not movie.single_image
    assert movie.navigator.isVisibleTo(window) and movie.playback.isVisibleTo(window)
    assert movie.view.timestamp.isVisible() and movie.view.timestamp.text() == "t = 0.00 s"
    assert movie.processing.drift_button.isEnabled() and movie.play_button.isEnabled()
    assert movie.side_tabs.currentWidget() is movie.front
