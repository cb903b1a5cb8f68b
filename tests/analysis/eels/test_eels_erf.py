"""The error function without scipy: scipy.special.erf's numbers to one unit in the last place
(bit for bit where numpy's exp is the C library's; numpy's SIMD exp differs by one ulp on some
CPUs, e.g. AMD EPYC with AVX-512)."""

import numpy as np
from scipy.special import erf as scipy_erf

from insitu_tem.analysis.eels.erf import erf


def test_erf_is_scipys_to_one_ulp_over_every_branch():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-1.2, 1.2, 100_000),
            rng.uniform(-9, 9, 100_000),
            rng.normal(0, 30, 10_000),
            [0.0, -0.0, 1.0, -1.0, 8.0, -8.0, 26.6, 27.0, np.inf, -np.inf, 1e-300, 5e-324],
        ]
    )
    np.testing.assert_array_max_ulp(erf(x), scipy_erf(x), maxulp=1)
    np.testing.assert_array_equal(np.sign(erf(x)), np.sign(scipy_erf(x)))
    assert np.isnan(erf(np.array([np.nan])))[0]
