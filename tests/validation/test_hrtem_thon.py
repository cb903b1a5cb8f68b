"""The `hrtem_thon` validation family: images whose power spectrum carries Thon rings."""

from __future__ import annotations

import numpy as np

from validation import hrtem_thon


def test_truth_is_within_the_drawn_ranges_and_the_transfer_has_its_zeros():
    _, pixel, d_true, case = hrtem_thon.make_image(hrtem_thon.FIRST_SEED)
    assert 0.2 <= d_true <= 0.65 and 0.02 <= pixel <= 0.1
    assert -210 <= case["defocus_nm"] <= 10 and case["kv"] in (80, 200, 300)
    optics = hrtem_thon._optics(np.random.default_rng(0)) | {"astigmatism": 0.0, "amplitude": 0.0}
    k = np.linspace(0.5, 8.0, 40001)
    transfer = hrtem_thon._transfer(k[:, None], np.zeros((1, 1)), optics)[:, 0]
    assert transfer.min() < 1e-3 * transfer.max()


def test_fast_subset_reports_the_error_row_and_the_off_by_3_sigma_fraction():
    error_row, off_row = hrtem_thon.run(fast=True)
    assert error_row.errors.size + error_row.n_not_measured == hrtem_thon.FAST
    assert off_row.errors.size == 1 and 0.0 <= off_row.errors[0] <= 1.0
    assert off_row.median_max == 0.05
