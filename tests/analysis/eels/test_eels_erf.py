"""The error function without scipy: scipy.special.erf's numbers, bit for bit."""

import numpy as np
from scipy.special import erf as scipy_erf

from insitu_tem.analysis.eels.erf import erf


def test_erf_is_scipys_bit_for_bit_over_every_branch():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-1.2, 1.2, 100_000),
            rng.uniform(-9, 9, 100_000),
            rng.normal(0, 30, 10_000),
            [0.0, -0.0, 1.0, -1.0, 8.0, -8.0, 26.6, 27.0, np.inf, -np.inf, 1e-300, 5e-324],
        ]
    )
    np.testing.assert_array_equal(erf(x).view(np.int64), scipy_erf(x).view(np.int64))
    assert np.isnan(erf(np.array([np.nan])))[0]
