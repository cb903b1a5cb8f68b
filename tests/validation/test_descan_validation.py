"""Fast subset of the descan validation (validation.descan): the 1σ of the fitted NBD centre
covers a sane fraction of the errors on random descans and on scans of abTEM patterns, and no
scan reports a centre on a diffracted disk unflagged."""

from validation import descan
from validation.stats import summarise


def test_descan_sigma_covers_about_two_thirds_of_the_errors():
    summary = summarise(descan.corpus(descan.FIRST_SEED, descan.FAST))
    assert summary.n >= 500 and 0.6 <= summary.coverage_1sigma <= 0.78, summary


def test_descan_of_abtem_scans_is_accurate_and_covered():
    measurement, locked, flagged = descan.abtem_scans(fast=True)
    assert summarise(locked).passed and locked.errors.tolist() == [0.0]
    assert flagged.errors.tolist() == [0.0]
    summary = summarise(measurement)
    assert summary.n >= 40 and summary.p95 < 0.1, summary
    assert 0.4 <= summary.coverage_1sigma <= 0.95 and summary.coverage_2sigma >= 0.75, summary
