"""The `hrtem_rings` validation family on its fast subset: the broad ring's d within its
targets and its 1σ covering the errors."""

from __future__ import annotations

import numpy as np

from validation import hrtem_rings
from validation.stats import summarise


def test_fast_subset_places_rings_within_targets():
    (measurement,) = hrtem_rings.run(fast=True)
    summary = summarise(measurement)
    assert summary.n >= 0.85 * hrtem_rings.FAST
    assert summary.median < 0.5 and summary.p95 < 3.0
    assert 0.55 <= summary.coverage_1sigma <= 0.85 and summary.coverage_2sigma >= 0.8


def test_truth_is_the_maximum_of_the_rings_power_density_under_the_envelope():
    _, pixel, d_true, case = hrtem_rings.make_image(hrtem_rings.FIRST_SEED)
    assert 0.2 <= d_true <= 0.65 and 0.02 <= pixel <= 0.1
    assert 1 / d_true <= 0.5 / pixel and np.isfinite(case["dose"])
