"""FFT lattice measurement: known-answer tests on generated lattices and the real SrTiO3/soot
files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_lattice import angle_between, find_spots, spot_near
from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.fft_spot_refinement import refine_position, refine_positions
from insitu_tem.analysis.hrtem.lattice_fit import fit_lattice
from insitu_tem.analysis.hrtem.lattice_reference import reference_spacing
from insitu_tem.analysis.hrtem.lattice_report import calibration_check, measure_lattice
from insitu_tem.analysis.hrtem.lattice_ring import find_ring
from insitu_tem.core.calibration import recalibrate
from insitu_tem.io.load import load
from insitu_tem.samples.hrtem import (
    amorphous_texture,
    basis_vectors,
    lattice_fringes,
    lattice_image,
)

WO3 = (0.3770, 0.36526)


def fit_of(image, pixel_nm):
    spectrum = power_spectrum(image, pixel_nm=pixel_nm)
    spots = find_spots(spectrum).spots
    return spots, fit_lattice(spots, tolerance=0.005, tolerance_per_nm=min(spectrum.k_step_per_nm))


def sorted_spacings(fit):
    return sorted([(fit.d_a_nm, fit.sigma_d_a_nm), (fit.d_b_nm, fit.sigma_d_b_nm)], reverse=True)


@pytest.mark.parametrize("rotation", [0.0, 17.0, 33.0, 61.0, 90.0, 148.0])
@pytest.mark.parametrize(
    "d_nm, angle, pixel_nm",
    [(WO3, 90.0, 0.05), ((0.2357, 0.2042), 54.74, 0.04), ((0.3136, 0.3136), 70.53, 0.05)],
)
def test_ten_nm_crystal_at_100_counts_gives_d_within_0_1_percent(rotation, d_nm, angle, pixel_nm):
    rng = np.random.default_rng(int(rotation * 7 + d_nm[1] * 1000))
    side = int(round(10.0 / pixel_nm))
    image = lattice_image(
        (side, side),
        d_nm,
        pixel_nm=pixel_nm,
        angle_deg=angle,
        rotation_deg=rotation,
        counts=100,
        contrast=0.1,
        rng=rng,
    )
    _, fit = fit_of(image, pixel_nm)
    assert fit.two_dimensional
    nodes = {
        (h, k): np.array(fit.a_star) * h + np.array(fit.b_star) * k
        for h in range(-2, 3)
        for k in range(-2, 3)
    }
    spacings = np.array([1 / np.linalg.norm(g) for hk, g in nodes.items() if hk != (0, 0)])
    for truth in d_nm:
        assert np.min(np.abs(spacings / truth - 1)) < 1e-3
    if d_nm == WO3:
        assert abs(fit.angle_deg - angle) < 0.2


@pytest.mark.parametrize(
    "counts, contrast, limit", [(1000, 0.1, 3e-4), (100, 0.05, 2e-3), (30, 0.1, 2e-3)]
)
def test_accuracy_follows_the_noise_level(counts, contrast, limit):
    rng = np.random.default_rng(counts)
    errors = []
    for rotation in (5.0, 40.0, 75.0):
        image = lattice_image(
            (160, 160),
            WO3,
            pixel_nm=0.05,
            rotation_deg=rotation,
            counts=counts,
            contrast=contrast,
            rng=rng,
        )
        _, fit = fit_of(image, 0.05)
        errors += [abs(d / t - 1) for (d, _), t in zip(sorted_spacings(fit), WO3)]
    assert max(errors) < limit


def test_reported_uncertainty_matches_the_scatter():
    rng = np.random.default_rng(11)
    z = []
    for trial in range(16):
        image = lattice_image(
            (128, 128),
            WO3,
            pixel_nm=0.05,
            rotation_deg=rng.uniform(0, 180),
            counts=100,
            contrast=0.06,
            rng=rng,
        )
        _, fit = fit_of(image, 0.05)
        z += [(d - t) / s for (d, s), t in zip(sorted_spacings(fit), WO3)]
    spread = float(np.sqrt(np.mean(np.square(z))))
    assert 0.5 < spread < 2.0


def test_each_friedel_pair_once_with_angles_in_half_circle():
    rng = np.random.default_rng(3)
    image = lattice_image((128, 128), WO3, pixel_nm=0.05, rotation_deg=25.0, rng=rng)
    spots = find_spots(power_spectrum(image, pixel_nm=0.05)).spots
    assert len(spots) == 6
    assert all(0 <= s.angle_deg < 180 and s.row_px <= 0 for s in spots)
    assert [s.snr for s in spots] == sorted((s.snr for s in spots), reverse=True)
    for s in spots:
        assert s.g_per_A == pytest.approx(1 / s.d_A)
    strongest = {round(s.angle_deg) for s in spots[:2]}
    assert strongest == {25, 115}


def test_pure_noise_has_no_spots():
    rng = np.random.default_rng(4)
    for _ in range(4):
        result = find_spots(power_spectrum(rng.poisson(100.0, (256, 256)), pixel_nm=0.05))
        assert not result.ok and "no spot" in result.reason and result.spots == ()


def test_noiseless_cosine_position_is_exact_to_a_thousandth_of_a_pixel():
    rows, cols = np.mgrid[0:96, 0:96]
    true = (-7.37, 11.61)
    image = np.cos(2 * np.pi * (true[0] * rows / 96 + true[1] * cols / 96))
    spectrum = power_spectrum(image, pixel_nm=0.1)
    row, col = refine_position(spectrum, -7, 12)
    assert abs(row - true[0]) < 1e-3 and abs(col - true[1]) < 1e-3


def test_spots_refined_together_equal_spots_refined_one_at_a_time():
    rng = np.random.default_rng(21)
    image = lattice_image(
        (160, 160), WO3, pixel_nm=0.05, rotation_deg=17.0, counts=100, contrast=0.1, rng=rng
    )
    spectrum = power_spectrum(image, pixel_nm=0.05)
    spots = find_spots(spectrum, snr_threshold=8.0).spots
    r0, c0 = spectrum.centre
    starts = [(int(round(s.row_px)), int(round(s.col_px))) for s in spots] + [(40, -40), (0, 5)]
    together = refine_positions(spectrum, starts)
    alone = np.array([refine_position(spectrum, *start) for start in starts])
    assert len(spots) >= 6 and together.shape == (len(starts), 2)
    assert np.abs(together - alone).max() < 1e-6
    assert np.abs(together - np.round(together)).max() > 0.05


def test_weak_low_order_is_pinned_through_its_harmonics():
    rng = np.random.default_rng(8)
    orders = {(1, 0): 0.2, (2, 0): 1.0, (3, 0): 0.8, (0, 1): 1.0, (1, 1): 0.5}
    spot_errors, fit_errors = [], []
    for rotation in np.linspace(3, 170, 8):
        image = lattice_image(
            (128, 128),
            (0.375, 0.31),
            pixel_nm=0.05,
            rotation_deg=rotation,
            counts=100,
            contrast=0.1,
            rng=rng,
            orders=orders,
        )
        spots, fit = fit_of(image, 0.05)
        weak = min(spots, key=lambda s: abs(s.d_nm - 0.375))
        assert abs(weak.d_nm / 0.375 - 1) < 0.02 and weak.snr < 60
        spot_errors.append(weak.d_nm / 0.375 - 1)
        fit_errors.append(max(fit.d_a_nm, fit.d_b_nm) / 0.375 - 1)
    assert np.sqrt(np.mean(np.square(fit_errors))) < 0.2 * np.sqrt(np.mean(np.square(spot_errors)))
    assert max(map(abs, fit_errors)) < 1e-3


def test_collinear_harmonics_give_a_one_dimensional_lattice():
    rng = np.random.default_rng(9)
    image = lattice_image(
        (128, 128),
        (0.34, 1.0),
        pixel_nm=0.05,
        rotation_deg=30,
        rng=rng,
        orders={(1, 0): 1.0, (2, 0): 0.5, (3, 0): 0.3},
    )
    spots, fit = fit_of(image, 0.05)
    assert fit.ok and not fit.two_dimensional and fit.n_indexed == 3
    assert fit.d_a_nm == pytest.approx(0.34, rel=1e-3)
    assert sorted(abs(h) for h, _ in fit.indices) == [1, 2, 3]


def test_clicked_spot_and_angle_between_two_spots():
    rng = np.random.default_rng(12)
    image = lattice_image((128, 128), WO3, pixel_nm=0.05, rotation_deg=10, rng=rng)
    spectrum = power_spectrum(image, pixel_nm=0.05)
    found = find_spots(spectrum).spots
    first = spot_near(spectrum, found[0].row_px + 1.6, found[0].col_px - 1.2)
    assert first.row_px == pytest.approx(found[0].row_px, abs=1e-6)
    mate = spot_near(spectrum, -found[1].row_px, -found[1].col_px)
    assert angle_between(first, mate) == pytest.approx(90.0, abs=0.3)
    assert mate.d_nm == pytest.approx(found[1].d_nm, rel=1e-9)


@pytest.mark.parametrize(
    "bad, message",
    [(np.zeros(50), "2-D"), (np.zeros((8, 8)), "16"), (np.full((32, 32), np.nan), "NaN")],
)
def test_bad_regions_raise_with_advice(bad, message):
    with pytest.raises(ValueError, match=message):
        power_spectrum(bad, pixel_nm=0.05)
    with pytest.raises(ValueError, match="calibrate"):
        power_spectrum(np.zeros((32, 32)), pixel_nm=0.0)


def test_ring_of_amorphous_material_and_none_for_a_crystal():
    rng = np.random.default_rng(5)
    texture = amorphous_texture((128, 128), pixel_nm=0.05, d_nm=0.30, contrast=0.1, rng=rng)
    ring = find_ring(power_spectrum(rng.poisson(100 * (1 + texture)), pixel_nm=0.05))
    assert ring.ok and ring.d_nm == pytest.approx(0.30, rel=0.12) and ring.fwhm_per_nm > 0.5
    crystal = lattice_image((128, 128), WO3, pixel_nm=0.05, rng=rng)
    assert not find_ring(power_spectrum(crystal, pixel_nm=0.05)).ok


def test_calibration_factor_recovers_a_known_miscalibration():
    rng = np.random.default_rng(6)
    true_pixel = 0.05
    image = lattice_image(
        (192, 192), (0.3905, 0.3905), pixel_nm=true_pixel, rotation_deg=20, rng=rng
    )
    stored_pixel = true_pixel * 1.04
    reference = reference_spacing("SrTiO3", (1, 0, 0))
    result = measure_lattice(image, pixel_nm=stored_pixel, reference=reference)
    check = result.calibration
    assert not check.agrees and check.error_percent == pytest.approx(4.0, abs=0.1)
    assert stored_pixel * check.factor == pytest.approx(true_pixel, rel=1e-3)
    assert any("disagrees" in w for w in result.warnings)
    fine = measure_lattice(image, pixel_nm=true_pixel, reference=reference).calibration
    assert fine.agrees and abs(fine.error_percent) < 0.1


def test_calibration_check_input_and_extinct_reference():
    assert calibration_check(0.4, 0.4).factor == 1.0
    with pytest.raises(ValueError, match="positive"):
        calibration_check(0.0, 0.4)
    with pytest.raises(ValueError, match="not an allowed reflection"):
        reference_spacing("W", (1, 0, 0))


def test_sample_like_wo3_region_matches_gamma_wo3_in_001():
    rng = np.random.default_rng(7)
    basis = basis_vectors(WO3, angle_deg=90.0, rotation_deg=12.0)
    image = rng.poisson(
        100 * (1 + lattice_fringes((128, 128), basis, pixel_nm=0.05, contrast=0.08, rng=rng))
    )
    result = measure_lattice(image, pixel_nm=0.05)
    best = result.matches.best
    assert best.phase == "γ-WO3" and best.zone_axis == (0, 0, 1)
    by_d = {round(s.d_A, 1): hkl for s, (_, hkl) in zip(result.spots, result.assignments)}
    assert {tuple(abs(v) for v in by_d[3.8]), tuple(abs(v) for v in by_d[3.7])} == {
        (0, 2, 0),
        (2, 0, 0),
    }


def test_lih_spacings_are_matched_and_the_lif_ambiguity_reported():
    rng = np.random.default_rng(0)
    image = lattice_image(
        (200, 200),
        (0.2357, 0.2042),
        pixel_nm=0.04,
        angle_deg=54.74,
        rotation_deg=30,
        rng=rng,
        orders={(1, 0): 1.0, (0, 1): 1.0, (1, -1): 0.5},
    )
    result = measure_lattice(image, pixel_nm=0.04)
    assert result.matches.best.phase == "LiH"
    assert result.matches.ambiguous and any("LiF" in w for w in result.warnings)


def test_real_srtio3_files_warn_about_the_calibration(realdata):
    reference = reference_spacing("SrTiO3", (1, 0, 0))
    for name, low, high in (("16_STOimage.emi", 3.0, 4.5), ("Acquisition_18.emd", 4.0, 6.0)):
        dataset = load(realdata(name))
        result = measure_lattice(
            dataset.frame(0)[:512, :512], pixel_nm=dataset.axes[-1].scale, reference=reference
        )
        assert result.fit.two_dimensional
        assert low <= result.calibration.error_percent <= high
        assert any("disagrees" in w for w in result.warnings)


def test_real_srtio3_whole_frame_is_not_indexed_on_the_central_peak(realdata):
    dataset = load(realdata("Acquisition_18.emd"))
    result = measure_lattice(dataset.frame(0), pixel_nm=dataset.axes[-1].scale, match=False)
    assert all(math.hypot(s.row_px, s.col_px) >= 3.0 for s in result.spots)
    assert 1.04 <= 10 * result.fit.d_a_nm / 3.905 <= 1.06
    assert 1.04 <= 10 * result.fit.d_b_nm / 3.905 <= 1.06


def test_real_soot_image_is_a_broad_ring_near_0_35_nm(realdata):
    dataset = recalibrate(load(realdata("soot_hrtem.tif")), scale=0.0554958, units="nm")
    result = measure_lattice(dataset.frame(0), pixel_nm=0.0554958)
    assert result.ring.ok and result.ring.d_nm == pytest.approx(0.35, abs=0.025)
    assert result.ring.fwhm_per_nm > 0.3
    assert any("broad ring" in w for w in result.warnings)
    assert math.isfinite(result.ring.excess)


def rotated_square_lattice(rng, orders):
    """A 256² image of a 0.5 nm square lattice turned by 23°, 0.04 nm/px, 2000 counts/px."""
    return lattice_image(
        (256, 256),
        (0.5, 0.5),
        pixel_nm=0.04,
        rotation_deg=23.0,
        counts=2000,
        rng=rng,
        orders=orders,
    )


@pytest.mark.parametrize("weak, fine", [(0.08, False), (0.6, True)])
def test_weak_reflections_between_the_strong_ones_do_not_halve_the_lattice(weak, fine):
    rng = np.random.default_rng(12)
    orders = {(2, 0): 1.0, (0, 2): 1.0, (2, 2): 0.6, (1, 0): weak, (0, 1): weak}
    image = rotated_square_lattice(rng, orders)
    measurement = measure_lattice(image, pixel_nm=0.04, match=False)
    reported = sorted(round(s.d_nm, 2) for s in measurement.spots)
    assert 0.5 in reported and reported.count(0.5) == 2
    expected = 0.5 if fine else 0.25
    assert measurement.fit.d_a_nm == pytest.approx(expected, rel=2e-3)
    assert measurement.fit.d_b_nm == pytest.approx(expected, rel=2e-3)


@pytest.mark.parametrize("weak", [0.0, 0.01])
def test_one_weak_half_node_reflection_is_reported_above_the_speckle_between_nodes(weak):
    rng = np.random.default_rng(1)
    orders = {(2, 0): 1.0, (0, 2): 1.0, (2, 2): 0.6, (1, 0): weak}
    image = rotated_square_lattice(rng, orders)
    measurement = measure_lattice(image, pixel_nm=0.04, match=False)
    fit = measurement.fit
    basis = np.array([fit.a_star, fit.b_star]).T
    indices = [np.linalg.solve(basis, s.g_vector) for s in measurement.spots]
    off_nodes = [hk for hk in indices if np.any(np.abs(hk - np.round(hk)) > 0.25)]
    assert fit.d_a_nm == pytest.approx(0.25, rel=2e-3)
    assert len(off_nodes) == (1 if weak else 0)
    if weak:
        assert np.abs(off_nodes[0]) == pytest.approx([0.5, 0.0], abs=0.05) or np.abs(
            off_nodes[0]
        ) == pytest.approx([0.0, 0.5], abs=0.05)
        assert [s.d_nm for s in measurement.spots].count(pytest.approx(0.5, rel=0.01)) == 1


def _off_node_spots(measurement) -> list[np.ndarray]:
    fit = measurement.fit
    basis = np.array([fit.a_star, fit.b_star]).T
    indices = [np.linalg.solve(basis, s.g_vector) for s in measurement.spots]
    return [hk for hk in indices if np.any(np.abs(hk - np.round(hk)) > 0.25)]


@pytest.mark.parametrize("weak, seed", [(0.0, 0), (0.08, 0)])
def test_half_node_reflection_of_a_2_nm_crystal_is_tested_against_speckle_as_far_from_the_spots(
    weak, seed
):
    rng = np.random.default_rng(seed)
    basis = basis_vectors((0.5, 0.5), angle_deg=90.0, rotation_deg=23.0)
    orders = {(2, 0): 1.0, (0, 2): 1.0, (2, 2): 0.6, (1, 0): weak}
    fringes = lattice_fringes(
        (128, 128), basis, pixel_nm=0.04, contrast=0.1, rng=rng, orders=orders
    )
    rows, cols = np.indices(fringes.shape)
    crystal = np.hypot(rows - 64, cols - 64) < 25
    image = rng.poisson(2000 * np.clip(1 + fringes * crystal, 0, None)).astype(float)
    measurement = measure_lattice(image, pixel_nm=0.04, match=False)
    assert measurement.fit.d_a_nm == pytest.approx(0.25, rel=0.01)
    assert len(_off_node_spots(measurement)) == (1 if weak else 0)
