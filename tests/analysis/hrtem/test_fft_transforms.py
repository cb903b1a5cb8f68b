"""The off-grid transform and the ring medians the lattice search rests on, against their
definitions."""

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum, ring_labels, ring_medians
from insitu_tem.analysis.hrtem.fft_spot_refinement import dtft_power


def _definition(image: np.ndarray, positions: np.ndarray) -> np.ndarray:
    rows, cols = np.indices(image.shape)
    phase = np.exp(
        -2j
        * np.pi
        * (
            positions[:, 0, None, None] * rows / image.shape[0]
            + positions[:, 1, None, None] * cols / image.shape[1]
        )
    )
    return np.abs((phase * image).sum(axis=(1, 2))) ** 2


@pytest.mark.parametrize("count", [5, 400])
@pytest.mark.parametrize("shape", [(37, 50), (64, 64), (51, 33)])
def test_dtft_power_is_the_transform_at_off_grid_frequencies(shape, count):
    rng = np.random.default_rng(sum(shape) + count)
    image = rng.normal(size=shape)
    positions = rng.uniform(-0.5, 0.5, size=(count, 2)) * np.array(shape)
    expected = _definition(image, positions)
    assert np.allclose(
        dtft_power(image, positions), expected, rtol=1e-7, atol=1e-9 * expected.max()
    )


def test_ring_medians_equal_scipy_per_label_medians():
    rng = np.random.default_rng(4)
    spectrum = power_spectrum(rng.normal(size=(90, 70)), pixel_nm=0.05)
    labels, n = ring_labels(spectrum)
    expected = ndimage.median(spectrum.power, labels, np.arange(n))
    assert np.array_equal(ring_medians(spectrum.power, labels, n), np.asarray(expected, float))
