"""Fast subset of the velocity validation (validation.velocity): the stated 1σ of the measured
and fitted front velocity covers a sane fraction of the errors on random tracks."""

from validation import velocity
from validation.stats import summarise


def test_velocity_sigmas_cover_about_two_thirds_of_the_errors():
    measured, fitted = (summarise(m) for m in velocity.run(fast=True))
    assert measured.n >= 400 and 0.58 <= measured.coverage_1sigma <= 0.82, measured
    assert fitted.n >= 30 and 0.4 <= fitted.coverage_1sigma <= 0.9, fitted
