"""Fast subset of the NBD validation (validation.nbd): spot spacings on committed abTEM multislice
fixtures (flat and dynamical disks, points to touching disks) against the issue-12 targets."""

import numpy as np
import pytest

from validation import nbd
from validation.stats import summarise


@pytest.fixture(scope="module")
def measured():
    return nbd.run(fast=True)


@pytest.fixture(scope="module")
def spot_d(measured):
    return measured[0]


def test_spot_spacings_do_not_regress(spot_d):
    summary = summarise(spot_d)
    assert summary.n >= 400 and summary.median <= 0.2 and summary.p95 <= 1.5


def test_spot_spacings_meet_the_issue_12_targets(spot_d):
    summary = summarise(spot_d)
    assert summary.median <= 0.2 and summary.p95 <= 0.5


def test_spot_spacing_uncertainty_covers_the_errors(spot_d):
    assert np.all(np.isfinite(spot_d.sigmas)) and np.all(spot_d.sigmas > 0)
    assert 0.60 <= summarise(spot_d).coverage_1sigma <= 0.75


def test_few_detected_spots_sit_off_the_lattice(spot_d):
    assert spot_d.n_not_measured <= 0.45 * len(spot_d.errors)


def test_no_pattern_is_measured_about_a_wrong_centre(measured):
    (confident_wrong,) = [m for m in measured if m.name.startswith("patterns reported with")]
    assert summarise(confident_wrong).worst == 0.0
