"""The direct beam found is checked against the symmetry of the disk positions: a diffracted disk
that outshines the direct beam, or a centre midway between two disks, gives an ambiguous centre
and no spots, never a lattice measured about the wrong origin."""

import numpy as np

from insitu_tem.analysis.diffraction.centre import BeamCentre
from insitu_tem.analysis.diffraction.centre_consensus import (
    check_beam_against_symmetry,
    check_symmetry_centre_with_disks,
    position_symmetry_centre,
)


def _pattern(*, beam: float, bright: float, rng) -> np.ndarray:
    rows, cols = np.indices((181, 181))
    pattern = np.full(rows.shape, 1.0)
    a, b = np.array([0.0, 24.0]), np.array([22.0, 7.0])
    for h in range(-4, 5):
        for k in range(-4, 5):
            at = np.array([90.0, 91.0]) + h * a + k * b
            level = beam if (h, k) == (0, 0) else bright if (h, k) == (1, 0) else 80.0
            pattern += level * (np.hypot(rows - at[0], cols - at[1]) <= 5.0)
    return rng.poisson(pattern).astype(float)


def test_the_disk_positions_are_symmetric_about_the_direct_beam_whatever_its_brightness():
    rng = np.random.default_rng(1)
    centre = position_symmetry_centre(_pattern(beam=50.0, bright=5000.0, rng=rng))
    np.testing.assert_allclose(centre, (90.0, 91.0), atol=0.6)


def test_a_beam_found_on_the_brightest_diffracted_disk_is_ambiguous():
    rng = np.random.default_rng(2)
    pattern = _pattern(beam=50.0, bright=5000.0, rng=rng)
    wrong = BeamCentre(True, (90.0, 115.0), 5.0, "com")
    checked = check_beam_against_symmetry(pattern, wrong, radius_px=5.0)
    assert not checked.ok and "ambiguous centre" in checked.reason and "90" in checked.reason


def test_the_direct_beam_on_the_symmetry_centre_passes():
    rng = np.random.default_rng(3)
    pattern = _pattern(beam=500.0, bright=80.0, rng=rng)
    right = BeamCentre(True, (90.2, 90.9), 5.0, "edge")
    assert check_beam_against_symmetry(pattern, right, radius_px=5.0) == right


def test_a_symmetry_centre_of_a_spot_pattern_is_ambiguous_but_not_of_rings():
    centre = BeamCentre(True, (80.0, 80.0), np.nan, "edge")
    assert not check_symmetry_centre_with_disks(centre, 12, from_symmetry=True).ok
    assert check_symmetry_centre_with_disks(centre, 0, from_symmetry=True).ok
    assert check_symmetry_centre_with_disks(centre, 12, from_symmetry=False).ok
