"""The fast subset of the independent movie corpus (issue 12): front positions and kinetic
exponents through the public front analysis, against the issue's targets and against the
figures last measured, so a regression fails CI."""

from __future__ import annotations

import pytest

from validation import movie
from validation.stats import summarise

# 53-72 s quiet; over the 300 s default at load 6-8 on 2 cores
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


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
    reason="issue 12: front 95th percentile (1.55 px on this subset, 2.2-5.1 px on the full "
    "corpora) and n (median 0.05-0.34, 95th 0.23-0.36 on the full corpora) not met. The "
    "Cramer-Rao bound of the band's pixels allows both (0.35-0.83 px and n 0.023-0.048 at the "
    "95th), but the shipped erf fit given the true drift and true levels still reads the 95th "
    "at 1.76-3.97 px, and the width-averaged kymograph's own contrast-weighting bias is "
    "0.90-1.48 px there (docs/movie.md, session 13); on the third and fourth corpora (5.12, "
    "4.29 px) the frames above the 95th are fronts reported past an end of the line and level "
    "errors near an end, not the width average (docs/movie.md, session 28); a stalled front's "
    "partly reacted samples are read to their end level when it is shown stopped (session 30: "
    "fifth 4.93 -> 2.99 px); the seventh's 95th (3.77 px) is textured, steep or diffuse fronts",
)
def test_front_position_and_exponent_meet_the_issue_targets(summaries):
    assert all(s.passed for _, s in summaries.values()), {
        k: s.failures for k, (_, s) in summaries.items()
    }
