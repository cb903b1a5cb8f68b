"""Gaussian smoothing without scipy: the numbers of scipy.ndimage.gaussian_filter1d, bit for bit
where they are read, and an estimate within its bound everywhere else."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from insitu_tem.analysis.eels.smoothing import smooth_rows


def spectra(seed: int, shape=(12, 300)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    channels = np.arange(shape[1])
    peaks = 1e3 * np.exp(-0.5 * ((channels - rng.uniform(50, 250, (shape[0], 1))) / 20) ** 2)
    return rng.poisson(peaks + rng.uniform(1, 50, (shape[0], 1))) * rng.uniform(0.1, 10)


def scipy_smooth(y, sigma):
    return gaussian_filter1d(y, sigma, axis=-1, mode="nearest")


def exact_everywhere(y, sigma):
    (smoothed,) = smooth_rows(y, (sigma,))
    return smoothed.exact(np.arange(len(y)), 0, y.shape[1])


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5, 10.0, 14.142135623730951, 40.0])
def test_full_smoothing_is_scipys_bit_for_bit(sigma):
    y = spectra(1)
    y[3, 40] = np.nan
    y[5, 100:] = np.inf
    np.testing.assert_array_equal(exact_everywhere(y, sigma), scipy_smooth(y, sigma))


def test_rows_shorter_than_the_kernel_repeat_their_end_channels_as_scipy_does():
    y = spectra(2, shape=(3, 7))
    np.testing.assert_array_equal(exact_everywhere(y, 5.0), scipy_smooth(y, 5.0))


@pytest.mark.parametrize("sigma", [1.0, 10.0, 14.142135623730951])
def test_estimate_lies_within_its_bound_and_exact_values_are_scipys(sigma):
    y = spectra(3)
    (smoothed,) = smooth_rows(y, (sigma,))
    reference = scipy_smooth(y, sigma)
    error = np.abs(smoothed.estimate - reference)
    assert np.all(error <= smoothed.bound[:, None])
    assert np.all(error.max(axis=1) < 1e-3 * smoothed.bound)
    rows = np.repeat(np.arange(len(y)), 3)
    start = np.random.default_rng(4).integers(0, y.shape[1] - 20, len(rows))
    band = smoothed.exact(rows, start, 20)
    np.testing.assert_array_equal(band, reference[rows[:, None], start[:, None] + np.arange(20)])


def test_several_widths_share_one_transform_and_a_column_cut_keeps_exact_values():
    y = spectra(5)
    narrow, wide = smooth_rows(y, (2.0, 7.0))
    cut = wide.columns(30, 200)
    reference = scipy_smooth(y, 7.0)
    np.testing.assert_array_equal(cut.exact(np.arange(len(y)), 10, 5), reference[:, 40:45])
    np.testing.assert_array_equal(
        narrow.exact([0, 1], [0, 299])[:, 0], scipy_smooth(y, 2.0)[[0, 1], [0, 299]]
    )


def test_rows_with_non_finite_or_no_counts_are_smoothed_exactly_in_full():
    y = spectra(6)
    y[1, 10] = np.nan
    y[2, 50:] = -np.inf
    y[4] = 0.0
    (smoothed,) = smooth_rows(y, (3.0,))
    assert smoothed.bound[[1, 2, 4]].tolist() == [0.0, 0.0, 0.0] and np.all(smoothed.bound[0] > 0)
    np.testing.assert_array_equal(smoothed.estimate[[1, 2, 4]], scipy_smooth(y[[1, 2, 4]], 3.0))
