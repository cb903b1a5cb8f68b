"""Fast subset of the EDS validation (validation.eds_counts): the stated 1σ of net line counts
and Cliff–Lorimer wt % covers a sane fraction of the errors on random spectra."""

from validation import eds_counts
from validation.stats import summarise


def test_eds_sigmas_cover_about_two_thirds_of_the_errors():
    net, percent = (summarise(m) for m in eds_counts.run(fast=True))
    assert net.n >= 150 and 0.55 <= net.coverage_1sigma <= 0.85, net
    assert percent.n >= 150 and 0.55 <= percent.coverage_1sigma <= 0.85, percent
