"""The pattern centre with its 1σ (pattern_centre): a beam's edge fitted, a point-like beam's
centre of mass, the Poisson bootstrap 1σ of the symmetry centre behind a beam stop, on generated ring
patterns with a known centre and on bismuth.dm3."""

import numpy as np
import pytest
from scipy import special

from insitu_tem.analysis.diffraction.pattern_centre import pattern_centre
from insitu_tem.io.load import load


def _rings(truth, *, beam, seed=0, counts=40.0):
    rng = np.random.default_rng(seed)
    rows, cols = np.indices((128, 128))
    r = np.hypot(rows - truth[0], cols - truth[1])
    theta = np.arctan2(rows - truth[0], cols - truth[1])
    intensity = 0.3 * np.exp(-r / 20) + (1 + 0.5 * np.cos(2 * theta)) * np.exp(
        -0.5 * ((r - 38) / 2.0) ** 2
    )
    mask = None
    if beam == "disk":
        intensity += 30 * 0.5 * special.erfc((r - 4.5) / 0.7)
    elif beam == "point":
        intensity += 30 * np.exp(-0.5 * (r / 0.9) ** 2)
    else:
        mask = (r <= 9) | ((np.abs(rows - truth[0]) <= 3) & (cols > truth[1]))
    pattern = rng.poisson(intensity * counts).astype(float)
    if mask is not None:
        pattern[mask] = 0.0
    return pattern, mask


@pytest.mark.parametrize(
    ("beam", "method"), [("disk", "edge"), ("point", "com"), ("stop", "symmetry")]
)
def test_centre_lies_within_its_sigma(beam, method):
    truth = (63.4, 66.7)
    errors, sigmas = [], []
    for seed in range(6):
        pattern, mask = _rings(truth, beam=beam, seed=seed)
        found = pattern_centre(pattern, mask=mask)
        assert found.ok and found.method == method
        errors.append(np.subtract(found.centre_rc, truth))
        sigmas.append(found.sigma_px)
    errors, sigmas = np.abs(errors), np.array(sigmas)[:, None]
    assert np.all(errors < 4 * sigmas) and np.mean(errors <= 2 * sigmas) >= 0.75
    assert np.all(sigmas < 0.3)


def test_sigma_of_the_symmetry_centre_falls_with_the_counts():
    low = pattern_centre(*_rings((63.4, 66.7), beam="stop", counts=3.0)[:1])
    high = pattern_centre(*_rings((63.4, 66.7), beam="stop", counts=300.0)[:1])
    assert high.sigma_px < 0.5 * low.sigma_px


@pytest.mark.realdata
def test_bismuth_centre_behind_its_beam_stop(realdata):
    pattern = np.asarray(load(realdata("bismuth.dm3")).array, float)
    found = pattern_centre(pattern)
    assert found.method == "symmetry" and 0.02 < found.sigma_px < 0.5
    assert found.centre_rc == pytest.approx((142, 99), abs=1.0)


def test_a_gaussian_beam_has_no_edge_to_fit_and_keeps_its_centre_of_mass():
    truth = (30.4, 33.2)
    rows, cols = np.indices((64, 64))
    r = np.hypot(rows - truth[0], cols - truth[1])
    pattern = 5000 * np.exp(-0.5 * ((r - 20) / 1.5) ** 2) + 1e4 * np.exp(-0.5 * (r / 2.0) ** 2)
    found = pattern_centre(np.random.default_rng(0).poisson(pattern + 250).astype(float))
    assert found.method == "com" and found.sigma_px < 0.05
    assert found.centre_rc == pytest.approx(truth, abs=max(0.02, 4 * found.sigma_px))
