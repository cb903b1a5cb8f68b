"""Void fraction of the core from the density deficit (:mod:`insitu_tem.analysis.tomo.core_voids`)
on blurred, noisy phantom volumes."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.tomo.measure import measure_wire
from insitu_tem.analysis.tomo.segment import segment
from insitu_tem.samples.tomo import Phantom, default_voids, volumes

PHANTOM = Phantom(size=64)


def _measured(phantom: Phantom, seed: int):
    density = volumes(phantom)["density"]
    blurred = ndimage.gaussian_filter(density, (2.0, 1.2, 1.2))
    noisy = blurred + np.random.default_rng(seed).normal(0, 0.05, blurred.shape).astype(np.float32)
    return measure_wire(segment(noisy, method="multiotsu", classes=3).labels, noisy)


def _true_fraction(phantom: Phantom) -> float:
    core = phantom.radii_px[0]
    inside = [v for v in phantom.voids if np.hypot(v[0], v[2]) + v[3] <= core]
    return sum(4 / 3 * np.pi * v[3] ** 3 for v in inside) / (np.pi * core**2 * phantom.size)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_blurred_core_void_is_measured_within_its_sigma(seed):
    phantom = replace(PHANTOM, seed=seed, voids=default_voids(replace(PHANTOM, seed=seed)))
    result = _measured(phantom, seed)
    expected = _true_fraction(phantom)
    assert 0 < result.void_fraction_core_sigma < 0.3 * expected
    assert abs(result.void_fraction_core - expected) < 2 * result.void_fraction_core_sigma


def test_a_core_without_voids_reads_zero_within_its_sigma():
    phantom = replace(PHANTOM, voids=default_voids(PHANTOM)[:-1])
    result = _measured(phantom, 3)
    assert result.void_fraction_core_sigma > 0
    assert abs(result.void_fraction_core) < 2 * result.void_fraction_core_sigma


def test_a_drifting_wire_is_not_measured():
    z, y, x = np.mgrid[-16:16, 0:32, -16:16].astype(float)
    distance = np.hypot(z, x - 0.1 * y)
    density = np.where(distance < 5, 1.0, np.where(distance < 9, 0.5, 0.0)).astype(np.float32)
    labels = np.where(distance < 5, 2, np.where(distance < 9, 1, 0)).astype(np.uint8)
    result = measure_wire(labels, ndimage.gaussian_filter(density, 1.0))
    assert np.isnan(result.void_fraction_core) and np.isnan(result.void_fraction_core_sigma)
