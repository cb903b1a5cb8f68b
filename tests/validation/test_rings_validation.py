"""Fast subset of the ring validation (validation.rings): the stated 1σ of ring positions covers
a sane fraction of the errors on random radial profiles."""

from validation import rings
from validation.stats import summarise


def test_ring_sigma_covers_about_two_thirds_of_the_errors():
    (measurement,) = rings.run(fast=True)
    summary = summarise(measurement)
    assert summary.n >= 80 and 0.5 <= summary.coverage_1sigma <= 0.85, summary
    assert summary.coverage_2sigma >= 0.8, summary
