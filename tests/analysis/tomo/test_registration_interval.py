"""The along-axis profile-likelihood interval that widens a projection's shift 1σ."""

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.registration import along_axis_interval, matched_fit


def _noisy(image, seed):
    return np.random.default_rng(seed).poisson(image).astype(float)


def _blobs(size=64):
    rng = np.random.default_rng(3)
    image = np.zeros((size, size))
    image[tuple(rng.integers(8, size - 8, (2, 12)))] = 1.0
    return 10.0 + 100.0 * ndimage.gaussian_filter(image, 2.0)


def test_interval_of_a_well_defined_shift_is_its_gauss_newton_sigma():
    reference = _blobs()
    moving = _noisy(ndimage.shift(reference, (0.4, -0.3), order=3, mode="nearest"), 1)
    shift, _, covariance, noise = matched_fit(reference, moving, margin=4)
    sigma = float(np.sqrt(covariance[0, 0]))
    assert 0.1 < sigma < 0.5
    for level in (1.0, 4.0, 9.0, 16.0):
        half_width, single = along_axis_interval(
            reference, moving, shift, noise, margin=4, level=level
        )
        assert single
        assert np.sqrt(level) * sigma - 0.25 < half_width <= np.sqrt(level) * sigma + 0.01


def test_a_second_minimum_along_the_axis_is_found():
    column = np.zeros(64)
    column[np.arange(8, 57, 6)] = 1.0
    envelope = np.exp(-0.5 * ((np.arange(64) - 32.0) / 12.0) ** 2)
    reference = 10.0 + 30.0 * np.outer(ndimage.gaussian_filter1d(column, 1.5), envelope)
    moving = _noisy(reference, 3)
    shift, _, _, noise = matched_fit(reference, moving, margin=4)
    assert abs(shift[0]) < 0.5
    half_width, single = along_axis_interval(
        reference, moving, shift, noise, margin=4, level=3.0, reach_px=8.0
    )
    assert not single and half_width >= 5.5


def test_a_reference_without_structure_along_the_axis_leaves_the_interval_open():
    columns = 10.0 + 40.0 * np.exp(-0.5 * ((np.arange(64) - 30.0) / 6.0) ** 2)
    reference = np.tile(columns, (64, 1))
    moving = _noisy(reference, 2)
    shift, _, _, noise = matched_fit(reference, moving, margin=4)
    assert along_axis_interval(reference, moving, shift, noise, margin=4, reach_px=3.0) == (
        3.0,
        False,
    )
