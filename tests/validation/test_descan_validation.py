"""Fast subset of the descan validation (validation.descan): the 1σ of the fitted NBD centre
covers a sane fraction of the errors on random descans."""

from validation import descan
from validation.stats import summarise


def test_descan_sigma_covers_about_two_thirds_of_the_errors():
    (measurement,) = descan.run(fast=True)
    summary = summarise(measurement)
    assert summary.n >= 500 and 0.6 <= summary.coverage_1sigma <= 0.78, summary
