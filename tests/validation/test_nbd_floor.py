"""The Cramér–Rao floor of NBD strain (validation.nbd_floor) against known answers: a Gaussian
spot's position information N/σ², and the strain bound of a square lattice of equal disks."""

import numpy as np
from scipy.special import erfc

from validation.nbd_floor import disk_information, strain_sigma


def test_a_gaussian_spot_carries_n_over_sigma_squared_about_its_position():
    rows, cols = np.indices((81, 81), dtype=float)
    electrons, width, spot = 1e5, 2.0, np.array([40.3, 39.6])
    shape = np.exp(-((rows - spot[0]) ** 2 + (cols - spot[1]) ** 2) / (2 * width**2))
    expected = electrons * shape / (2 * np.pi * width**2)
    gradient = np.stack([expected * (rows - spot[0]), expected * (cols - spot[1])]) / width**2
    info = disk_information(
        expected + 1e-12, gradient, disks_rc=[spot], beam_rc=(5.0, 5.0), reach_px=5 * width
    )
    np.testing.assert_allclose(info[0], electrons / width**2 * np.eye(2), rtol=2e-3, atol=1.0)


def test_a_disk_whose_window_leaves_the_pattern_carries_nothing():
    expected = np.ones((40, 40))
    gradient = np.ones((2, 40, 40))
    info = disk_information(
        expected, gradient, disks_rc=[(20.0, 20.0), (3.0, 20.0)], beam_rc=(30.0, 30.0), reach_px=4
    )
    assert np.all(info[0] > 0) and np.all(info[1] == 0)


def test_the_direct_beams_edge_is_credited_to_no_disk_beside_it():
    # A bright beam of radius 5 px (edge 1σ 0.3 px) and, beside it, a reflection without
    # intensity 10 px away whose window takes the beam's edge; a Gaussian spot far off keeps its
    # N/σ². The gradients are the pattern's as it moves (beam included), as the scans' bound has.
    rows, cols = np.indices((81, 81), dtype=float)
    beam, spot, width, electrons = np.array([40.0, 40.0]), np.array([40.0, 70.0]), 2.0, 1e5
    radius, edge = 5.0, 0.3
    offset = np.stack([rows - beam[0], cols - beam[1]])
    r = np.hypot(*offset)
    ring = np.exp(-((r - radius) ** 2) / (2 * edge**2)) / (np.sqrt(2 * np.pi) * edge)
    shape = np.exp(-((rows - spot[0]) ** 2 + (cols - spot[1]) ** 2) / (2 * width**2))
    expected = 1e6 * 0.5 * erfc((r - radius) / (np.sqrt(2) * edge)) + 1.0
    spot_counts = electrons * shape / (2 * np.pi * width**2)
    expected += spot_counts
    gradient = 1e6 * ring * offset / np.maximum(r, 1e-9)
    gradient += np.stack([rows - spot[0], cols - spot[1]]) * spot_counts / width**2
    info = disk_information(
        expected, gradient, disks_rc=[beam + (0.0, 2 * radius), spot], beam_rc=beam, reach_px=7.0
    )
    assert np.trace(info[0]) < 1e-3 * np.trace(info[1])
    np.testing.assert_allclose(info[1], electrons / width**2 * np.eye(2), rtol=0.05, atol=1.0)


def test_the_strain_bound_of_a_square_lattice_of_equal_disks():
    # Four disks at ±g along row and column, information f about each in both patterns: each
    # displacement has variance 2/f per coordinate, A11 and A22 have 1/(f g²) each, and the
    # strain 1 - (A11 + A22)/2 to first order has 1/(2 f g²).
    f, g = 400.0, 30.0
    info = np.repeat(f * np.eye(2)[None], 4, axis=0)
    q = np.array([(g, 0.0), (-g, 0.0), (0.0, g), (0.0, -g)])
    sigma = strain_sigma(info, info, g_px=q, scale=1.0)
    np.testing.assert_allclose(sigma, np.sqrt(1 / (2 * f * g**2)), rtol=1e-9)
    assert np.isnan(strain_sigma(info[:2], info[:2], g_px=q[:2], scale=1.0))
