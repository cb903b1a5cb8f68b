"""Fast subset of the MLLS validation (validation.eels_mlls): on mixtures of physically generated
phases with known fractions the MLLS fraction's 1σ covers a sane fraction of its errors, for
the line scans the CLI and the panel run and for three-phase mixtures."""

from validation import eels_mlls
from validation.stats import summarise


def test_mlls_fraction_sigma_covers_a_sane_fraction_of_the_errors():
    line, three = eels_mlls.run(fast=True)
    scans, mixtures = summarise(line), summarise(three)
    assert scans.n + line.n_not_measured == 6 * (eels_mlls.PROBES - 2 * eels_mlls.ENDS)
    assert scans.n >= 24 and scans.median < 0.05, scans
    assert 0.5 <= scans.coverage_1sigma <= 0.85 and scans.coverage_2sigma >= 0.85, scans
    assert mixtures.n >= 36 and 0.5 <= mixtures.coverage_1sigma <= 0.85, mixtures
    assert mixtures.coverage_2sigma >= 0.85, mixtures
