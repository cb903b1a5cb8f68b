"""One beam track along a scan (beam_track): a run of centres locked on a diffracted disk of one
grain is replaced by the beam followed through every pattern, or flagged when the beam cannot be
followed; a scan without jumps is left as it is."""

import numpy as np
from scipy import special

from insitu_tem.analysis.diffraction.beam_track import beam_along_scan, single_track
from insitu_tem.analysis.diffraction.descan import CentreSeries, centres_along_scan

BEAM = np.array([44.0, 40.0])
DISK = np.array([26.0, 0.0])


def _disk(centre, height):
    rows, cols = np.indices((96, 96))
    r = np.hypot(rows - centre[0], cols - centre[1])
    return height * 0.5 * special.erfc((r - 5.0) / (np.sqrt(2) * 0.6))


def _scan(diffracted: float, n: int = 8, seed: int = 0):
    """Beam drifting 0.1 px per position; in the first half a diffracted disk ``diffracted``
    times as bright as the beam, in the second half one half as bright elsewhere."""
    rng = np.random.default_rng(seed)
    truth = BEAM + np.outer(np.arange(n), [0.1, -0.05])
    patterns = []
    for i, centre in enumerate(truth):
        g, height = (DISK, diffracted) if i < n // 2 else ((-10.0, 26.0), 0.5)
        mean = 5 + _disk(centre, 100) + _disk(centre + g, 100 * height)
        patterns.append(rng.poisson(mean).astype(float))
    return np.array(patterns), truth


def _locked(truth):
    """The centres as a finder locked on the first grain's disk would give them."""
    centre = truth.copy()
    centre[: len(truth) // 2] += DISK
    n = len(truth)
    return CentreSeries(centre, np.ones(n, bool), np.full(n, 5.0), np.full(n, 0.05))


def test_a_run_on_a_diffracted_disk_is_replaced_by_the_beam_followed_through_the_scan():
    patterns, truth = _scan(diffracted=2.0)
    series = single_track(patterns, _locked(truth), method="edge", search_px=12)
    assert series.reason == "" and series.ok.all()
    np.testing.assert_allclose(series.centre_rc, truth, atol=0.1)


def test_a_beam_that_cannot_be_followed_past_a_brighter_disk_is_flagged():
    patterns, truth = _scan(diffracted=5.0)
    series = single_track(patterns, _locked(truth), method="edge", search_px=12)
    assert series.reason.startswith("ambiguous direct beam")
    np.testing.assert_array_equal(series.centre_rc[:4], truth[:4] + DISK)


def test_a_scan_without_jumps_keeps_its_centres():
    patterns, truth = _scan(diffracted=0.5)
    plain = centres_along_scan(patterns)
    series = beam_along_scan(patterns)
    assert series.reason == ""
    np.testing.assert_array_equal(series.centre_rc, plain.centre_rc)
    np.testing.assert_allclose(series.centre_rc, truth, atol=0.1)
