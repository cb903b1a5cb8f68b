"""Sliding-window crystallinity: generated crystal/amorphous layouts with known fractions and
sizes."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.crystallinity import (
    crystallinity_map,
    domain_size_nm,
    domain_size_status,
)
from insitu_tem.analysis.hrtem.crystallinity_boundary import edge_profile
from insitu_tem.samples.hrtem import amorphous_texture, basis_vectors, lattice_fringes

PIXEL = 0.05
SHAPE = (192, 192)


def composite(mask, rng):
    basis = basis_vectors((0.377, 0.3653), angle_deg=90, rotation_deg=15)
    crystal = lattice_fringes(mask.shape, basis, pixel_nm=PIXEL, contrast=0.08, rng=rng)
    glass = amorphous_texture(mask.shape, pixel_nm=PIXEL, d_nm=0.3, contrast=0.08, rng=rng)
    return rng.poisson(100 * (1 + np.where(mask, crystal, glass)))


@pytest.mark.parametrize("boundary", [48, 96, 150])
def test_crystalline_fraction_of_a_straight_boundary(boundary):
    rng = np.random.default_rng(boundary)
    mask = np.zeros(SHAPE, bool)
    mask[:, boundary:] = True
    result = crystallinity_map(composite(mask, rng), pixel_nm=PIXEL)
    assert result.crystalline_fraction == pytest.approx(mask.mean(), abs=0.05)
    assert result.pixel_map.shape == SHAPE
    assert np.all(np.isnan(result.d_nm[~result.crystalline]))
    assert np.nanmedian(result.d_nm) == pytest.approx(0.37, rel=0.06)
    truth_nm = np.sqrt(4 * mask.sum() / np.pi) * PIXEL
    assert 0 < result.sigma_domain_size_nm < 0.1 * truth_nm
    assert abs(result.domain_size_nm - truth_nm) < 4 * result.sigma_domain_size_nm


def test_amorphous_and_noise_images_have_no_crystal():
    rng = np.random.default_rng(1)
    for image in (composite(np.zeros(SHAPE, bool), rng), rng.poisson(100, SHAPE)):
        result = crystallinity_map(image, pixel_nm=PIXEL)
        assert result.crystalline_fraction == 0.0 and result.domain_size_nm == 0.0
        assert domain_size_status(result) == (False, "no crystalline region: no domain to size")


@pytest.mark.parametrize("diameter_nm", [3.0, 5.0])
def test_domain_size_of_round_crystallites_near_the_critical_size(diameter_nm):
    shape = (256, 256)
    rng = np.random.default_rng(int(diameter_nm))
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    mask = np.zeros(shape, bool)
    for centre in ((60, 60), (190, 70), (120, 190)):
        mask |= np.hypot(rows - centre[0], cols - centre[1]) <= diameter_nm / PIXEL / 2
    result = crystallinity_map(composite(mask, rng), pixel_nm=PIXEL)
    assert result.domain_size_nm == pytest.approx(diameter_nm, rel=0.25)
    assert domain_size_status(result) == (True, "")
    assert result.crystalline_fraction == pytest.approx(mask.mean(), rel=0.3)


def test_domain_size_of_exact_masks():
    mask = np.zeros((100, 100), bool)
    mask[10:30, 10:30] = True
    assert domain_size_nm(mask, pixel_nm=0.1) == pytest.approx(np.sqrt(4 * 400 / np.pi) * 0.1)
    assert domain_size_nm(np.zeros((5, 5), bool), pixel_nm=0.1) == 0.0


def test_window_geometry_and_bad_input():
    result = crystallinity_map(
        np.random.default_rng(0).poisson(100, (128, 128)), pixel_nm=PIXEL, window_nm=1.6
    )
    assert result.window_px == 32 and result.step_px == 8 and result.snr.shape == (13, 13)
    rows, cols = result.window_centres_px()
    assert rows[0] == pytest.approx(15.5) and cols[-1] == pytest.approx(15.5 + 8 * 12)
    with pytest.raises(ValueError, match="larger than the image"):
        crystallinity_map(np.zeros((32, 32)), pixel_nm=PIXEL, window_nm=3.2)
    with pytest.raises(ValueError, match="2-D"):
        crystallinity_map(np.zeros(32), pixel_nm=PIXEL)
    with pytest.raises(InterruptedError):
        crystallinity_map(np.zeros((128, 128)), pixel_nm=PIXEL, should_stop=lambda: True)


def test_fraction_sigma_covers_a_boundary_and_is_small_on_glass():
    rng = np.random.default_rng(3)
    mask = np.zeros(SHAPE, bool)
    mask[:, 96:] = True
    half = crystallinity_map(composite(mask, rng), pixel_nm=PIXEL)
    glass = crystallinity_map(composite(np.zeros(SHAPE, bool), rng), pixel_nm=PIXEL)
    assert 0.005 < half.sigma_crystalline_fraction < 0.05
    assert abs(half.crystalline_fraction - mask.mean()) < 3 * half.sigma_crystalline_fraction
    assert glass.crystalline_fraction == 0 and glass.sigma_crystalline_fraction < 0.02


@pytest.mark.parametrize("boundary", [70, 131])
def test_a_strong_crystal_does_not_spread_its_class_over_the_glass(boundary):
    rng = np.random.default_rng(boundary)
    mask = np.zeros((192, 256), bool)
    mask[:, boundary:] = True
    basis = basis_vectors((0.377, 0.3653), angle_deg=90, rotation_deg=15)
    crystal = lattice_fringes(mask.shape, basis, pixel_nm=PIXEL, contrast=0.3, rng=rng)
    glass = amorphous_texture(mask.shape, pixel_nm=PIXEL, d_nm=0.3, contrast=0.08, rng=rng)
    result = crystallinity_map(
        rng.poisson(100 * (1 + np.where(mask, crystal, glass))), pixel_nm=PIXEL
    )
    error_px = (result.crystalline_fraction - mask.mean()) * mask.shape[1]
    sigma_px = result.sigma_crystalline_fraction * mask.shape[1]
    assert abs(error_px) < 3.0 and abs(error_px) < 2 * sigma_px
    assert result.step_px == 16


def test_edge_profile_of_a_half_covered_window():
    ratio, share = edge_profile(64)
    middle = len(ratio) // 2
    assert share[middle] == pytest.approx(0.5)
    assert share[middle] ** 2 < ratio[middle] < 0.39
    assert np.all(ratio >= share**2 - 1e-9)
    assert np.all(np.diff(ratio) >= 0) and np.all(np.diff(share) >= 0)
    assert ratio[0] == pytest.approx(0.0, abs=1e-9) and ratio[-1] == pytest.approx(1.0)


def test_a_crystal_filling_the_field_has_no_measured_domain_size():
    result = crystallinity_map(
        composite(np.ones(SHAPE, bool), np.random.default_rng(4)), pixel_nm=PIXEL
    )
    assert result.crystalline_fraction == 1.0 and result.domain_size_nm > 0
    ok, reason = domain_size_status(result)
    assert not ok and "fills the field of view" in reason
