"""The NBD strain corpus (validation.nbd_strain): its generator strains a pattern as stated, and
``nbd --reference`` strain on one scan of a committed abTEM pattern lies within its 1σ about as
often as a 1σ should."""

import numpy as np

from validation import nbd_strain
from validation.hrtem import corpus


def test_a_strained_pattern_has_its_spots_moved_by_the_strain_about_the_beam():
    rows, cols = np.indices((65, 65))
    pattern = np.exp(-((rows - 32) ** 2 + (cols - 52) ** 2) / 4.5)  # 20 px right of (32, 32)
    moved = nbd_strain._scaled(pattern, (32.0, 32.0), 1 / 1.02, (1.0, -2.0))
    centre = np.array([(moved * rows).sum(), (moved * cols).sum()]) / moved.sum()
    np.testing.assert_allclose(centre, [32 + 1.0, 32 + 20 / 1.02 - 2.0], atol=0.005)


def test_nbd_strain_along_an_abtem_scan_is_within_its_sigma():
    _, cases = corpus(fast=True)
    scan = nbd_strain.make_scan(*cases[3], nbd_strain.SEED + 3)
    assert scan.strain[-1] == 0 and np.ptp(scan.strain) > 1e-3
    strain, sigma = nbd_strain.measured_strain(scan)
    z = ((strain - scan.strain) / sigma)[:-1]
    measured = np.isfinite(z)
    assert measured.sum() >= 0.8 * len(z)
    assert 0.5 <= np.mean(np.abs(z[measured]) <= 1) <= 0.9 and np.abs(z[measured]).max() < 5
