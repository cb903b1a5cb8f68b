"""The wide along-axis search that recovers a projection locked tens of pixels off."""

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.tomo.along_search import along_axis_jump
from insitu_tem.analysis.tomo.registration import matched_fit


def _wire(size=96):
    """A band along the rows (the tilt axis) with dark voids at random rows and columns."""
    rng = np.random.default_rng(5)
    band = np.exp(-0.5 * ((np.arange(size) - size / 2) / (size / 6)) ** 2)
    image = 20.0 * np.tile(band, (size, 1))
    voids = np.zeros((size, size))
    voids[rng.integers(4, size - 4, 10), rng.integers(size // 3, 2 * size // 3, 10)] = 1.0
    voids = ndimage.gaussian_filter(voids, 2.0)
    return 1.0 + image * (1 - 0.8 * voids / voids.max())


@pytest.mark.parametrize("rows", [-25, 14])
def test_a_projection_far_off_along_the_axis_is_moved_back(rows):
    reference = _wire()
    moving = np.random.default_rng(1).poisson(
        ndimage.shift(reference, (rows, 0.0), order=1, mode="nearest")
    )
    shift, _, _, noise = matched_fit(reference, moving, margin=4)
    jump = along_axis_jump(reference, moving, shift, noise, margin=4, level=27.0)
    assert abs(shift[0] + jump - rows) <= 1


def test_a_registered_projection_stays():
    reference = _wire()
    for seed in range(3):
        moving = np.random.default_rng(seed).poisson(reference)
        shift, _, _, noise = matched_fit(reference, moving, margin=4)
        assert along_axis_jump(reference, moving, shift, noise, margin=4, level=27.0) == 0
