"""Segmentation and wire measurements on the phantom's truth volumes."""

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.tomo.measure import composition_per_label, measure_wire
from insitu_tem.analysis.tomo.segment import classify_scribbles, segment
from insitu_tem.samples.tomo import Phantom, default_voids, void_fraction_of_shell, volumes
from dataclasses import replace

PHANTOM = Phantom(size=64)


@pytest.fixture(scope="module")
def truth():
    phantom = replace(PHANTOM, voids=default_voids(PHANTOM))
    found = volumes(phantom)
    labels = np.choose(found["labels"], [0, 2, 1]).astype(np.uint8)
    return phantom, found, labels


def test_thickness_and_voids_of_the_truth_labels(truth):
    phantom, _, labels = truth
    core, shell = phantom.radii_px
    result = measure_wire(labels)
    assert result.ok
    assert abs(result.thickness_median - (shell - core)) < 0.5
    assert result.thickness_sigma < 1.0
    assert abs(
        result.void_fraction_shell - void_fraction_of_shell(phantom)
    ) < 0.3 * void_fraction_of_shell(phantom)
    assert result.void_fraction_core > 0
    assert result.radial_profile[0] == pytest.approx(2.0, abs=0.05)


def test_multiotsu_finds_core_shell_and_vacuum(truth):
    _, found, labels = truth
    noisy = found["density"] + np.random.default_rng(0).normal(0, 0.05, labels.shape).astype(
        np.float32
    )
    result = segment(noisy, method="multiotsu", classes=3)
    assert result.ok and len(result.thresholds) == 2
    assert np.mean(result.labels == labels) > 0.95
    assert segment(noisy, method="watershed").labels.max() == 2


def test_constant_volume_is_not_measurable():
    result = segment(np.ones((8, 8, 8), np.float32))
    assert not result.ok and "constant" in result.reason
    assert not measure_wire(np.zeros((8, 8, 8), np.uint8)).ok


def test_scribbles_train_a_classifier(truth):
    _, found, labels = truth
    small = found["density"][::2, ::2, ::2]
    target = labels[::2, ::2, ::2]
    scribbles = np.zeros_like(target)
    picks = np.random.default_rng(0).random(target.shape) < 0.01
    scribbles[picks] = target[picks] + 1
    result = classify_scribbles(small, scribbles, trees=10)
    assert result.ok and np.mean(result.labels == target + 1) > 0.9
    assert not classify_scribbles(small, np.zeros_like(target)).ok


def test_composition_per_label(truth):
    _, found, labels = truth
    comp = composition_per_label(
        labels, {"Si": (labels == 2).astype(float), "O": found["oxygen"]}, {"O": 2.0}
    )
    assert comp[2]["Si"] > 95.0
    assert comp[1]["O"] > 99.0


def test_a_shell_on_one_side_is_no_wire():
    z, x = np.mgrid[-20:21, -20:21]
    radius, angle = np.hypot(z, x), np.arctan2(z, x)
    plane = np.where(radius < 6, 2, np.where((radius < 12) & (np.abs(angle) < 0.8), 1, 0))
    labels = np.repeat(plane[:, None, :], 16, axis=1).astype(np.uint8)
    result = measure_wire(labels)
    assert not result.ok and "no core–shell wire" in result.reason
    assert result.thickness_median < 1.0
    blurred = ndimage.gaussian_filter(labels.astype(np.float32), 1.5)
    with_volume = measure_wire(labels, blurred)
    assert not with_volume.ok and with_volume.material_volumes == {}


def test_void_fraction_from_the_density_survives_blur_that_hides_the_voids(truth):
    phantom, found, labels = truth
    blurred = ndimage.gaussian_filter(found["density"], 1.5)
    noisy = blurred + np.random.default_rng(1).normal(0, 0.05, labels.shape).astype(np.float32)
    found_labels = segment(noisy, method="multiotsu", classes=3).labels
    result = measure_wire(found_labels, noisy)
    expected = void_fraction_of_shell(phantom)
    assert measure_wire(found_labels).void_fraction_shell < 0.2 * expected
    assert 0 < result.void_fraction_shell_sigma < expected
    assert abs(result.void_fraction_shell - expected) < 2 * result.void_fraction_shell_sigma
    assert np.isnan(measure_wire(labels).void_fraction_shell_sigma)
