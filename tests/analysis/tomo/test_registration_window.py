import numpy as np
import pytest
from skimage.filters import window

from insitu_tem.analysis.tomo.registration import radial_hann


@pytest.mark.parametrize("shape", [(128, 128), (96, 64), (64, 96), (512, 512)])
def test_radial_hann_is_scikit_images_rotationally_symmetric_hann_window(shape):
    np.testing.assert_allclose(radial_hann(shape), window("hann", shape), atol=3e-4)
