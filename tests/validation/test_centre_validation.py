"""Fast subset of the pattern-centre validation (validation.centre): the 1σ of the centre of
generated ring patterns covers a sane fraction of the errors for every kind of beam."""

import numpy as np

from validation import centre
from validation.stats import summarise


def test_pattern_centre_sigma_covers_about_two_thirds_of_the_errors():
    overall, *kinds = centre.run(fast=True)
    summary = summarise(overall)
    assert summary.n >= 100 and overall.n_not_measured == 0, summary
    assert 0.55 <= summary.coverage_1sigma <= 0.85 and summary.p95 < 0.3, summary
    assert all(np.isfinite(summarise(kind).coverage_1sigma) for kind in kinds)
