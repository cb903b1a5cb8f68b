"""Spots refined on their fitted lattice: displaced low-order disks are pulled onto the lattice,
spots of a second crystal keep their measured positions, a disk far off its lattice node is not
reported."""

import numpy as np

from insitu_tem.analysis.diffraction.disks import Spots
from insitu_tem.analysis.diffraction.spot_lattice import SYSTEMATIC_PX, refine_on_lattice


def _spots(extra=()):
    a, b = np.array([0.0, 17.0]), np.array([15.0, 4.0])
    hk = [(h, k) for h in range(-2, 3) for k in range(-2, 3) if (h, k) != (0, 0)]
    centre = np.array([100.0, 100.0])
    true = np.array([centre + h * a + k * b for h, k in hk])
    measured = true.copy()
    low = [i for i, (h, k) in enumerate(hk) if abs(h) + abs(k) == 1]
    measured[low] -= 0.6 * (true[low] - centre) / np.hypot(*(true[low] - centre).T)[:, None]
    positions = np.vstack([measured, *extra]) if extra else measured
    sigma = np.full(len(positions), 0.4)
    return Spots(positions, np.ones(len(positions)), (100.2, 99.9), sigma), true, low


def test_displaced_low_orders_are_pulled_onto_the_lattice():
    spots, true, low = _spots()
    refined = refine_on_lattice(spots)
    g_true = true - 100.0
    r_measured = np.hypot(*spots.g_px[low].T)
    r_refined = np.hypot(*refined.g_px[low].T)
    r_true = np.hypot(*g_true[low].T)
    assert np.max(np.abs(r_measured / r_true - 1)) > 0.03
    assert np.max(np.abs(r_refined / r_true - 1)) < 0.01
    assert np.all(refined.sigma_px >= SYSTEMATIC_PX)
    np.testing.assert_allclose(refined.centre_rc, (100.0, 100.0), atol=0.2)


def test_a_spot_off_the_lattice_keeps_its_position():
    stray = np.array([[122.5, 114.5]])
    spots, _, _ = _spots(extra=(stray,))
    refined = refine_on_lattice(spots)
    np.testing.assert_allclose(refined.position_rc[-1], stray[0])


def test_a_disk_far_from_its_lattice_node_is_not_reported():
    node = np.array([115.0, 121.0])
    spots, _, _ = _spots(extra=(node[None, :] + [[1.3, 1.4]],))
    refined = refine_on_lattice(spots)
    assert len(refined) == len(spots) - 1
    assert np.min(np.hypot(*(refined.position_rc - node).T)) < 0.2


def test_too_few_spots_are_left_alone():
    spots = Spots(np.array([[50.0, 60.0], [70.0, 40.0]]), np.ones(2), (60.0, 50.0), np.ones(2))
    assert refine_on_lattice(spots) is spots
