"""Fast subset of the drift validation (validation.drift): the stated 1σ of the shifts covers
a sane fraction of the errors on randomised static-specimen movies with known drift."""

from validation import drift
from validation.stats import summarise


def test_drift_sigma_covers_about_two_thirds_of_the_errors():
    (measurement,) = drift.run(fast=True)
    summary = summarise(measurement)
    assert summary.n >= 100 and measurement.n_not_measured == 0
    assert 0.55 <= summary.coverage_1sigma <= 0.85, summary
    assert summary.coverage_2sigma >= 0.88, summary
