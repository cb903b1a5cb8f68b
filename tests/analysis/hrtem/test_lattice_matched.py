"""The matched test at the nodes of a fitted lattice: speckle statistics and false rate."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum, snr_map
from insitu_tem.analysis.hrtem.lattice_matched import matched_level, matched_spots, power_ratio
from insitu_tem.analysis.hrtem.lattice_nodes import clear_of_spots, node_spots
from insitu_tem.analysis.hrtem.lattice_report import lattice_spots, matching_spacings
from insitu_tem.samples.hrtem import basis_vectors, lattice_image

PIXEL_NM = 0.04
SIDE = 256
ROTATION = 23.0


def _lattice(seed: int, counts: float, orders: dict) -> np.ndarray:
    return lattice_image(
        (SIDE, SIDE),
        (0.5, 0.5),
        pixel_nm=PIXEL_NM,
        rotation_deg=ROTATION,
        counts=counts,
        rng=np.random.default_rng(seed),
        orders=orders,
    )


def _node(h: int, k: int) -> np.ndarray:
    """Reciprocal vector (g_row, g_col) of (h, k) of the 0.5 nm cell, 1/nm."""
    basis = basis_vectors((0.5, 0.5), angle_deg=90.0, rotation_deg=ROTATION)
    return h * basis[0] + k * basis[1]


def _near(spots, g: np.ndarray) -> bool:
    """True when a spot lies within 1.5 FFT px of ``g`` or -``g``."""
    step = 1.0 / (SIDE * PIXEL_NM)
    return any(
        min(np.hypot(*(s.g_vector - g)), np.hypot(*(s.g_vector + g))) < 1.5 * step for s in spots
    )


def test_power_ratio_of_speckle_is_exponential_with_mean_one():
    image = np.random.default_rng(1).poisson(1000.0, (SIDE, SIDE)).astype(float)
    spectrum = power_spectrum(image, pixel_nm=PIXEL_NM)
    positions = np.random.default_rng(2).uniform(15, 110, (600, 2)) * np.where(
        np.random.default_rng(3).random((600, 2)) < 0.5, -1, 1
    )
    clear = clear_of_spots(spectrum, np.zeros((0, 2)))
    ratio = power_ratio(spectrum, positions, clear)
    assert np.isfinite(ratio).all()
    assert abs(float(np.mean(ratio)) - 1.0) < 0.1
    assert abs(float(np.mean(ratio > 3.0)) - math.exp(-3.0)) < 0.025


def test_a_weak_forbidden_half_node_the_node_test_rejects_is_reported():
    orders = {(2, 0): 1.0, (0, 2): 1.0, (1, 1): 0.015}
    spectrum = power_spectrum(_lattice(0, 500.0, orders), pixel_nm=PIXEL_NM)
    search, fit = lattice_spots(spectrum, snr_threshold=15.0, max_spots=None)
    strong = tuple(s for s in search.spots if not _near((s,), _node(1, 1)))
    snr = snr_map(spectrum)
    assert not _near(node_spots(spectrum, snr, fit, strong), _node(1, 1))
    assert _near(search.spots, _node(1, 1))


def test_lattices_with_only_first_orders_give_at_most_one_matched_spot_in_twenty_images():
    found = 0
    for seed in range(10):
        for counts in (200.0, 2000.0):
            spectrum = power_spectrum(
                _lattice(seed, counts, {(2, 0): 1.0, (0, 2): 1.0}), pixel_nm=PIXEL_NM
            )
            search, fit = lattice_spots(spectrum, snr_threshold=15.0, max_spots=None)
            found += len(matched_spots(spectrum, snr_map(spectrum), fit, search.spots[:2], ()))
    assert found <= 1


def test_the_level_is_lower_at_lower_orders_and_infinite_without_controls():
    spectrum = power_spectrum(_lattice(4, 2000.0, {(2, 0): 1.0, (0, 2): 1.0}), pixel_nm=PIXEL_NM)
    search, fit = lattice_spots(spectrum, snr_threshold=15.0, max_spots=None)
    spots = np.array([(s.row_px, s.col_px) for s in search.spots])
    clear = clear_of_spots(spectrum, spots)
    half = (
        (np.asarray(fit.a_star) + np.asarray(fit.b_star)) / 2 / np.asarray(spectrum.k_step_per_nm)
    )
    tested = np.array([half, 3 * half, 5 * half])
    level = matched_level(spectrum, fit, clear, tested, spots)
    assert np.all(np.diff(level) > 0)
    assert level[0] >= math.log(1.0 / 0.01)
    none_clear = np.zeros(spectrum.shape, bool)
    assert np.all(np.isinf(matched_level(spectrum, fit, none_clear, tested, spots)))


def test_spots_under_node_snr_5_are_not_sent_to_the_phase_matcher():
    spectrum = power_spectrum(_lattice(4, 2000.0, {(2, 0): 1.0, (0, 2): 1.0}), pixel_nm=PIXEL_NM)
    search, fit = lattice_spots(spectrum, snr_threshold=15.0, max_spots=None)
    assert matching_spacings(search.spots, fit)[0][:2] == (0, 1)
    weak = (replace(search.spots[0], snr=3.0),) + search.spots[1:]
    chosen = matching_spacings(weak, fit)[0]
    assert 0 not in chosen and 1 in chosen
