"""Fringe delocalisation at a crystal's edge: its size from the aberrations, the erosion along g,
whether the half-amplitude band is detected, and the crystallinity map with and without the
image's aberrations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.crystallinity import crystallinity_map
from insitu_tem.analysis.hrtem.crystallinity_delocalisation import (
    Imaging,
    band_detection_probability,
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


def _fringes_beside_glass(contrast: float, dose: float) -> tuple[np.ndarray, float, int]:
    rng = np.random.default_rng(3)
    pixel = 0.05
    mask = np.zeros((192, 192), bool)
    mask[:, 96:] = True
    basis = basis_vectors((0.377, 0.3653), angle_deg=90, rotation_deg=30)
    crystal = lattice_fringes(mask.shape, basis, pixel_nm=pixel, contrast=contrast, rng=rng)
    glass = amorphous_texture(mask.shape, pixel_nm=pixel, d_nm=0.3, contrast=contrast, rng=rng)
    return rng.poisson(dose * (1 + np.where(mask, crystal, glass))), pixel, mask.shape[1]


def test_a_detected_band_keeps_the_map_and_widens_the_sigma_by_the_delocalisation():
    image, pixel, width = _fringes_beside_glass(0.08, 100)
    plain = crystallinity_map(image, pixel_nm=pixel)
    imaging = Imaging(defocus_nm=0.0, cs_mm=1.2, energy_kev=300.0)
    given = crystallinity_map(image, pixel_nm=pixel, imaging=imaging)
    assert math.isnan(plain.delocalisation_nm)
    dl = given.delocalisation_nm
    assert dl == pytest.approx(
        delocalisation_nm(1 / np.median(plain.d_nm[plain.crystalline]), imaging), rel=0.2
    )
    assert given.crystalline_fraction == plain.crystalline_fraction
    added = math.sqrt(given.sigma_crystalline_fraction**2 - plain.sigma_crystalline_fraction**2)
    assert added * width * pixel == pytest.approx(dl / math.sqrt(3), rel=0.5)


def test_an_undetected_band_reads_inward_and_the_map_is_dilated():
    image, pixel, width = _fringes_beside_glass(0.04, 60)
    plain = crystallinity_map(image, pixel_nm=pixel)
    assert plain.crystalline.any()
    imaging = Imaging(defocus_nm=-60.0, cs_mm=1.2, energy_kev=300.0)
    given = crystallinity_map(image, pixel_nm=pixel, imaging=imaging)
    added_px = (given.crystalline_fraction - plain.crystalline_fraction) * width
    assert 0 < added_px <= given.delocalisation_nm / pixel / 2 + 1


@pytest.mark.parametrize("interior, expected", [(200.0, 1.0), (20.0, 0.0)])
def test_the_band_is_detected_when_a_quarter_of_the_interior_snr_clears_the_threshold(
    interior, expected
):
    snr = np.full((24, 24), 5.0)
    snr[:, :12] = interior
    found = band_detection_probability(snr, 12.0, span=4, bins=4.8)
    assert found == pytest.approx(expected, abs=0.01)


def test_a_detected_band_keeps_the_edge_and_its_range_is_uniform_over_both_sides():
    mask = np.zeros((64, 120), bool)
    mask[:, :60] = True
    middle, sigma_fraction, sigma_size = delocalised_map(
        mask, np.array([[0.0, 8.0]]), np.array([[0.0, 8.0], [8.0, 0.0]]), detected=1.0
    )
    assert middle[0].sum() == 60
    assert sigma_fraction == pytest.approx(16 / 120 / np.sqrt(12))
    expected = (np.sqrt(4 * 64 * 68 / np.pi) - np.sqrt(4 * 64 * 52 / np.pi)) / np.sqrt(12)
    assert sigma_size == pytest.approx(expected)


def test_an_undetected_band_moves_the_edge_out_by_half_and_its_range_is_one_side():
    mask = np.zeros((64, 120), bool)
    mask[:, :60] = True
    middle, sigma_fraction, _ = delocalised_map(
        mask, np.array([[0.0, 8.0]]), np.array([[0.0, 8.0]]), detected=0.0
    )
    assert middle[0].sum() == 64
    assert sigma_fraction == pytest.approx(8 / 120 / np.sqrt(12))


def test_the_dominant_reflections_equivalents_are_kept():
    g = np.array([[2.0, 1.0], [2.0, 1.0], [-1.0, 2.0], [0.0, 3.0], [1.0, -2.1]])
    found = dominant_reflections(g, tolerance_per_nm=0.1)
    np.testing.assert_array_equal(found, [[2.0, 1.0], [1.0, -2.1], [1.0, -2.0]])
