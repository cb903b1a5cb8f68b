"""Fast subset of the peak-pixel dose validation (validation.dose): the stated 1σ of the
most-exposed pixel's cumulative dose covers a sane fraction of the errors on random
illuminations, and the estimate is far closer than the largest noisy pixel."""

import numpy as np

from validation import dose
from validation.stats import summarise


def test_peak_pixel_dose_sigmas_cover_about_two_thirds_of_the_errors():
    statistical, total, largest = (summarise(m) for m in dose.run(fast=True))
    assert statistical.n >= 60 and 0.5 <= statistical.coverage_1sigma <= 0.85, statistical
    assert statistical.coverage_2sigma >= 0.8 and 0.5 <= total.coverage_1sigma <= 0.9, total
    assert statistical.median < 0.25 * largest.median and np.isfinite(largest.p95)
