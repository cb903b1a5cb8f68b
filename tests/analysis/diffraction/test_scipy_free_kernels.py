"""The numpy peak finding and scipy.fft convolution the diffraction analyses use give exactly
scipy.signal's numbers (they exist only to keep scipy.signal out of the worker's start-up)."""

import numpy as np
import pytest
from scipy import signal

from insitu_tem.analysis.diffraction.fft_convolve import fft_convolve
from insitu_tem.analysis.diffraction.profile_peaks import crossings, local_maxima, prominences


def _profiles():
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 3, 7, 50, 301):
        yield rng.normal(size=n)
        yield np.round(rng.normal(size=n) * 2)
        yield rng.integers(0, 3, size=n).astype(float)
    yield np.array([0.0, 1.0, 1.0, 1.0, 0.0, 2.0, 2.0])
    yield np.exp(-0.5 * ((np.arange(200) - 80.0) / 6.0) ** 2) + 0.3 * np.exp(
        -0.5 * ((np.arange(200) - 120.0) / 3.0) ** 2
    )


@pytest.mark.parametrize("x", list(_profiles()))
def test_peaks_prominences_and_crossings_are_scipys(x):
    expected, _ = signal.find_peaks(x)
    found = local_maxima(x)
    assert np.array_equal(found, expected)
    if found.size == 0:
        return
    for ours, theirs in zip(prominences(x, found), signal.peak_prominences(x, expected)):
        assert ours.tobytes() == np.asarray(theirs, dtype=ours.dtype).tobytes()
    for rel_height in (0.25, 0.5, 1.0):
        _, _, left, right = signal.peak_widths(x, expected, rel_height=rel_height)
        ours = crossings(x, found, rel_height=rel_height)
        assert ours[0].tobytes() == left.tobytes() and ours[1].tobytes() == right.tobytes()


@pytest.mark.parametrize("mode", ["full", "same"])
@pytest.mark.parametrize(
    "first_shape, second_shape, dtype",
    [((40, 33), (40, 33), np.float64), ((64, 70), (9, 9), np.float64), ((31, 1), (5, 1), int)]
    + [((17, 23), (4, 6), np.float32)],
)
def test_fft_convolution_is_scipys(first_shape, second_shape, dtype, mode):
    rng = np.random.default_rng(1)
    first = (rng.normal(size=first_shape) * 50).astype(dtype)
    second = rng.normal(size=second_shape)
    ours, theirs = fft_convolve(first, second, mode=mode), signal.fftconvolve(first, second, mode)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert ours.tobytes() == theirs.tobytes()
