"""Display processing of movie frames: raw pass-through, running average, binning with
calibrated axes, filters, drift correction, levels and gamma tables."""

import numpy as np
import pytest

from insitu_tem.analysis.movie.display_processing import (
    DisplayOptions,
    bin_frame,
    display_axes,
    display_frame,
    frame_range,
    gamma_lut,
    movie_levels,
)
from insitu_tem.core.model import Axis

MOVIE = np.arange(5 * 8 * 6, dtype=np.uint16).reshape(5, 8, 6)


def get(i):
    return MOVIE[i]


def test_default_options_return_the_raw_frame_itself():
    raw = display_frame(get, 2, DisplayOptions())
    assert np.shares_memory(raw, MOVIE) and np.array_equal(raw, MOVIE[2])
    assert DisplayOptions(time_range=(1, 3)).is_raw


def test_running_average_crop_binning_and_axes():
    options = DisplayOptions(average=3, crop=(2, 8, 0, 6), binning=2)
    frame = display_frame(get, 4, options)
    expected = MOVIE[2:5].mean(axis=0)[2:8, 0:6].reshape(3, 2, 3, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(frame, expected)
    row, col = display_axes(Axis("y", 8, 0.5, 0, "nm"), Axis("x", 6, 0.5, 0, "nm"), options)
    assert (row.size, row.scale, row.offset) == (3, 1.0, 1.25)
    assert (col.size, col.scale, col.offset) == (3, 1.0, 0.25)


def test_filters_and_drift_correction():
    rng = np.random.default_rng(0)
    noisy = rng.normal(100, 10, size=(2, 32, 32)).astype(np.float32)
    smooth = display_frame(
        lambda i: noisy[i], 0, DisplayOptions(filter="gaussian", filter_size=2.0)
    )
    assert smooth.std() < noisy[0].std() / 3
    median = display_frame(lambda i: noisy[i], 0, DisplayOptions(filter="median", filter_size=3))
    assert median.std() < noisy[0].std()
    spot = np.zeros((2, 16, 16), np.float32)
    spot[1, 9, 7] = 1.0
    moved = display_frame(
        lambda i: spot[i], 1, DisplayOptions(drift_correct=True), shifts_px=[[0, 0], [1.0, -2.0]]
    )
    assert np.unravel_index(np.argmax(moved), moved.shape) == (8, 9)


def test_time_range_levels_and_gamma():
    assert frame_range(10, DisplayOptions(time_range=(7, 2))) == (2, 7)
    assert frame_range(10, DisplayOptions(time_range=(-3, 40))) == (0, 9)
    black, white = movie_levels(MOVIE, low=0, high=100)
    assert (black, white) == (0.0, float(MOVIE.max()))
    lut = gamma_lut(None, 2.0)
    assert lut.shape == (256, 3) and lut[255].tolist() == [255] * 3 and lut[128, 0] == 64
    with pytest.raises(ValueError, match="gamma"):
        gamma_lut(None, 0.0)
    with pytest.raises(ValueError, match="filter"):
        DisplayOptions(filter="sharpen")
    assert np.shares_memory(bin_frame(MOVIE[0], 1), MOVIE)
