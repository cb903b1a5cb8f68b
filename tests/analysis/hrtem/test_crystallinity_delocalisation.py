"""Fringe delocalisation at a crystal's edge: its size from the aberrations, the erosion along g,
and the crystallinity map with and without the image's aberrations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.crystallinity import crystallinity_map
from insitu_tem.analysis.hrtem.crystallinity_delocalisation import (
    Imaging,
    delocalisation_nm,
    delocalised_map,
    dilate_along,
    dominant_reflections,
    folded_reflections,
    erode_along,
)
from insitu_tem.samples.hrtem import amorphous_texture, basis_vectors, lattice_fringes

WAVELENGTH_300_NM = 1.96875e-3


def test_delocalisation_of_spherical_aberration_alone():
    g = 5.0
    expected = 1.2e6 * WAVELENGTH_300_NM**3 * g**3
    dl = delocalisation_nm(g, Imaging(defocus_nm=0.0, cs_mm=1.2, energy_kev=300.0))
    assert dl == pytest.approx(expected, rel=1e-3)


def test_underfocus_offsets_the_spherical_aberration():
    g = 3.0
    focus = 1.2e6 * WAVELENGTH_300_NM**2 * g**2
    at_focus = Imaging(defocus_nm=focus, cs_mm=1.2, energy_kev=300.0)
    assert delocalisation_nm(g, at_focus) == pytest.approx(0.0, abs=1e-6)
    overfocus = Imaging(defocus_nm=-focus, cs_mm=1.2, energy_kev=300.0)
    assert delocalisation_nm(g, overfocus) == pytest.approx(2 * WAVELENGTH_300_NM * focus * g, 1e-3)


def test_friedel_mates_count_as_one_reflection():
    g = np.array([[1.0, 2.0], [-1.0, -2.0], [0.0, 3.0], [1.0, 2.0], [0.0, -3.0]])
    np.testing.assert_array_equal(folded_reflections(g), [[0.0, 3.0], [1.0, 2.0]])


def test_erosion_by_two_segments_moves_each_edge_by_its_own():
    mask = np.zeros((80, 80), bool)
    mask[20:60, 20:60] = True
    eroded = erode_along(mask, np.array([[4.0, 0.0], [0.0, 6.0]]))
    rows, cols = np.nonzero(eroded)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (24, 55, 26, 53)


def test_dilation_moves_an_edge_outward_by_the_projected_shift():
    mask = np.zeros((64, 96), bool)
    mask[:, :50] = True
    assert dilate_along(mask, np.array([3.0, 4.0])).sum(axis=1)[32] == 54


@pytest.mark.parametrize("angle_deg", [0.0, 45.0, 90.0])
def test_erosion_moves_an_edge_by_the_projected_shift(angle_deg):
    mask = np.zeros((64, 96), bool)
    mask[:, :50] = True
    shift = 6.0 * np.array([math.sin(math.radians(angle_deg)), math.cos(math.radians(angle_deg))])
    eroded = erode_along(mask, shift)
    assert eroded[:, :40].all(), "the image border does not erode"
    assert eroded.sum(axis=1)[32] == pytest.approx(50 - abs(shift[1]), abs=0.5)


def test_the_delocalisation_is_taken_in_when_the_aberrations_are_given():
    rng = np.random.default_rng(3)
    pixel = 0.05
    mask = np.zeros((192, 192), bool)
    mask[:, 96:] = True
    basis = basis_vectors((0.377, 0.3653), angle_deg=90, rotation_deg=30)
    crystal = lattice_fringes(mask.shape, basis, pixel_nm=pixel, contrast=0.08, rng=rng)
    glass = amorphous_texture(mask.shape, pixel_nm=pixel, d_nm=0.3, contrast=0.08, rng=rng)
    image = rng.poisson(100 * (1 + np.where(mask, crystal, glass)))
    plain = crystallinity_map(image, pixel_nm=pixel)
    imaging = Imaging(defocus_nm=0.0, cs_mm=1.2, energy_kev=300.0)
    given = crystallinity_map(image, pixel_nm=pixel, imaging=imaging)
    assert math.isnan(plain.delocalisation_nm)
    assert given.delocalisation_nm == pytest.approx(
        delocalisation_nm(1 / np.median(plain.d_nm[plain.crystalline]), imaging), rel=0.2
    )
    removed_px = (plain.crystalline_fraction - given.crystalline_fraction) * mask.shape[1]
    assert 0 < removed_px <= given.delocalisation_nm / pixel / 2 + 1
    assert given.sigma_crystalline_fraction > plain.sigma_crystalline_fraction


def test_the_edge_is_taken_midway_and_its_range_is_uniform():
    mask = np.zeros((64, 120), bool)
    mask[:, :60] = True
    middle, sigma_fraction, sigma_size = delocalised_map(
        mask, np.array([[0.0, 8.0]]), np.array([[0.0, 8.0], [8.0, 0.0]])
    )
    assert middle[0].sum() == 56
    assert sigma_fraction == pytest.approx(8 / 120 / np.sqrt(12))
    expected = (np.sqrt(4 * 64 * 60 / np.pi) - np.sqrt(4 * 64 * 52 / np.pi)) / np.sqrt(12)
    assert sigma_size == pytest.approx(expected)


def test_the_dominant_reflections_equivalents_are_kept():
    g = np.array([[2.0, 1.0], [2.0, 1.0], [-1.0, 2.0], [0.0, 3.0], [1.0, -2.1]])
    found = dominant_reflections(g, tolerance_per_nm=0.1)
    np.testing.assert_array_equal(found, [[2.0, 1.0], [1.0, -2.1], [1.0, -2.0]])
