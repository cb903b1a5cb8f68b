"""The batched disk-edge fit: each disk's result does not depend on the others fitted with it."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.disk_edges import edge_map, fit_disk_edge, fit_disk_edges
from insitu_tem.analysis.diffraction.edge_rays import _masked_median, _ray_radii


def _disks(centres, radius, shape=(96, 96), seed=5):
    rows, cols = np.indices(shape)
    image = np.full(shape, 5.0)
    for k, (r, c) in enumerate(centres):
        inside = np.clip(radius + 0.5 - np.hypot(rows - r, cols - c), 0, 1)
        image += (200 + 40 * k) * inside * (1 + 0.3 * (rows - r) / radius)
    return np.random.default_rng(seed).poisson(image).astype(float)


def test_ray_radii_are_the_per_disk_aranges():
    radius = np.array([2.0, 2.7227, 3.65, 7.1, 15.0])
    rho, count = _ray_radii(radius)
    for row, n, r in zip(rho, count, radius):
        expected = np.arange(max(0.3 * r, 0.5), 1.6 * r + 2.0, 0.25)
        assert n == len(expected) and np.array_equal(row[:n], expected)


def test_masked_median_is_the_median_of_the_kept_values():
    rng = np.random.default_rng(1)
    values, mask = rng.normal(size=(20, 17)), rng.random((20, 17)) < 0.6
    mask[:, 0] = True
    expected = [np.median(v[m]) for v, m in zip(values, mask)]
    assert np.array_equal(_masked_median(values, mask), expected)


@pytest.mark.parametrize("fixed_radius", [True, False])
def test_disks_fitted_together_match_disks_fitted_alone(fixed_radius):
    centres = [(20.3, 22.6), (30.8, 70.1), (70.2, 40.4), (75.6, 75.3), (50.0, 50.0)]
    smooth = edge_map(_disks(centres[:4], 4.2), radius_px=4.2)
    starts = np.round(centres) + [[0.6, -0.4]] * len(centres)
    together = fit_disk_edges(smooth, starts, radius_px=4.2, noise=2.0, fixed_radius=fixed_radius)
    alone = [
        fit_disk_edge(smooth, s, radius_px=4.2, noise=2.0, fixed_radius=fixed_radius)
        for s in starts
    ]
    assert [f.ok for f in together] == [True] * 4 + [False]
    for joint, single in zip(together, alone):
        assert joint.ok == single.ok and joint.n_points == single.n_points
        assert joint.reason == single.reason
        np.testing.assert_allclose(joint.centre_rc, single.centre_rc, rtol=0, atol=1e-9)
    for fit, true in zip(together[:4], centres):
        assert np.hypot(*np.subtract(fit.centre_rc, true)) < 0.2
