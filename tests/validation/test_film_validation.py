"""Fast subset of the film-strain validation (validation.film): the stated 1σ of the film
thickness and strain per frame covers a sane fraction of the errors on random expanding films."""

from validation import film
from validation.stats import summarise


def test_film_strain_and_thickness_sigmas_cover_about_two_thirds_of_the_errors():
    for measurement in film.run(fast=True):
        summary = summarise(measurement)
        assert summary.n >= 100 and 0.5 <= summary.coverage_1sigma <= 0.85, summary
        assert summary.coverage_2sigma >= 0.8, summary
