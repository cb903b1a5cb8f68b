"""Fast subsets of the NMF-fraction and EELS window-integral validations (validation.fractions,
validation.eels_window): their stated 1σ covers a sane fraction of the errors."""

from validation import eels_window, fractions
from validation.stats import summarise


def test_fraction_and_window_sigmas_cover_about_two_thirds_of_the_errors():
    summaries = [summarise(m) for m in fractions.run(fast=True) + eels_window.run(fast=True)]
    assert all(s.n >= 30 and 0.5 <= s.coverage_1sigma <= 0.85 for s in summaries), summaries
