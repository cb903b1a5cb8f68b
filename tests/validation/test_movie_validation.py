"""The fast subset of the independent movie corpus (issue 12): front positions and kinetic
exponents through the public front analysis, against the issue's targets and against the
figures last measured, so a regression fails CI."""

from __future__ import annotations

import pytest

from validation import movie
from validation.stats import summarise


@pytest.fixture(scope="module")
def summaries():
    return {m.name: (m, summarise(m)) for m in movie.run(fast=True)}


def test_front_positions_no_worse_than_last_measured(summaries):
    m, s = summaries["front position along a line"]
    assert s.n >= 250 and m.n_not_measured <= 10
    assert s.median <= 0.45 and s.p95 <= 2.8
    assert 0.6 <= s.coverage_1sigma <= 0.75 and s.coverage_2sigma >= 0.85


@pytest.mark.xfail(
    strict=True,
    reason="issue 12: front 95th percentile (2.4 px on this subset, 6-13 px held out) and n "
    "(median error 0.02 on this subset's 5 fits, 0.17-0.3 held out) not yet met on the "
    "independent corpus",
)
def test_front_position_and_exponent_meet_the_issue_targets(summaries):
    assert all(s.passed for _, s in summaries.values()), {
        k: s.failures for k, (_, s) in summaries.items()
    }
