"""Reflections whose maximum lies off their lattice node are reported at the node."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_displaced import (
    HANN_LOBE_PX,
    lobe_radius_px,
    tail_scale,
)
from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
from insitu_tem.samples.hrtem import basis_vectors, lattice_fringes

PIXEL_NM = 0.04
SIDE = 256
ORDERS = {(2, 0): 1.0, (0, 2): 1.0, (2, 2): 0.6}


def _image(amplitude: float, offset_px: float, seed: int = 3):
    """A 0.5 nm square cell's (20), (02), (22) fringes at 2000 counts/px, plus a fringe of
    ``amplitude`` at the empty node (42) moved radially by ``offset_px`` FFT px (a maximum the
    contrast transfer has moved); returns the image and the node and the fringe's frequency in
    FFT px from the centre, pointing up."""
    rng = np.random.default_rng(seed)
    basis = basis_vectors((0.5, 0.5), angle_deg=90.0, rotation_deg=23.0)
    fringes = lattice_fringes(
        (SIDE, SIDE), basis, pixel_nm=PIXEL_NM, contrast=0.1, rng=rng, orders=ORDERS
    )
    node = 4 * basis[0] + 2 * basis[1]
    length_px = np.linalg.norm(node) * SIDE * PIXEL_NM
    moved = node * (1 + offset_px / length_px)
    rows, cols = np.indices((SIDE, SIDE)) * PIXEL_NM
    fringes = fringes + amplitude * np.cos(2 * np.pi * (moved[0] * rows + moved[1] * cols) + 0.3)
    image = rng.poisson(2000 * np.clip(1 + fringes, 0, None)).astype(float)
    up = -1.0 if node[0] > 0 else 1.0
    return image, up * node * SIDE * PIXEL_NM, up * moved * SIDE * PIXEL_NM


def _nearest(spots, at: np.ndarray) -> tuple[float, object]:
    distance = [
        min(
            np.hypot(s.row_px - at[0], s.col_px - at[1]),
            np.hypot(s.row_px + at[0], s.col_px + at[1]),
        )
        for s in spots
    ]
    k = int(np.argmin(distance))
    return float(distance[k]), spots[k]


@pytest.mark.parametrize("amplitude", [0.0013, 0.003])
def test_a_reflection_moved_off_its_node_within_the_main_lobe_is_reported_at_the_node(amplitude):
    image, node, moved = _image(amplitude, 1.6)
    measurement = measure_lattice(image, pixel_nm=PIXEL_NM, match=False)
    at_node, spot = _nearest(measurement.spots, node)
    assert at_node < 0.05
    assert _nearest(measurement.spots, moved)[0] > 1.5
    assert spot.d_nm == pytest.approx(0.5 / np.sqrt(20), rel=1e-3)
    assert spot.sigma_d_nm > 0
    assert measurement.fit.d_a_nm == pytest.approx(0.25, rel=1e-3)


def test_a_reflection_beyond_the_main_lobe_of_a_node_stays_at_its_own_maximum():
    image, node, moved = _image(0.003, 3.0)
    measurement = measure_lattice(image, pixel_nm=PIXEL_NM, match=False)
    assert _nearest(measurement.spots, moved)[0] < 0.2
    assert _nearest(measurement.spots, node)[0] > 2.5


def test_main_lobe_radius_is_the_hann_lobe_for_a_crystal_filling_the_region_and_wider_for_a_small_one():
    rng = np.random.default_rng(5)
    basis = basis_vectors((0.5, 0.5), angle_deg=90.0, rotation_deg=23.0)
    fringes = lattice_fringes(
        (SIDE, SIDE), basis, pixel_nm=PIXEL_NM, contrast=0.1, rng=rng, orders=ORDERS
    )
    rows, cols = np.indices(fringes.shape)
    disk = np.hypot(rows - SIDE / 2, cols - SIDE / 2) < SIDE / 6
    first = np.array([basis[0], basis[1], basis[0] + basis[1]]) * 2 * SIDE * PIXEL_NM
    radii = []
    for crystal in (np.ones_like(disk), disk):
        image = rng.poisson(2000 * np.clip(1 + fringes * crystal, 0, None)).astype(float)
        radii.append(lobe_radius_px(power_spectrum(image, pixel_nm=PIXEL_NM), first))
    assert radii[0] == pytest.approx(HANN_LOBE_PX, rel=0.05)
    assert radii[1] > 1.5 * radii[0]


def test_tail_scale_of_exponential_controls_ignores_a_few_reflections_among_them():
    rng = np.random.default_rng(0)
    control = rng.exponential(1.5, 2000)
    with_reflections = np.concatenate([control, [70.0, 72.0, 55.0]])
    assert tail_scale(control) == pytest.approx(1.5, rel=0.15)
    assert tail_scale(with_reflections) == pytest.approx(tail_scale(control), rel=0.05)
    assert tail_scale(np.zeros(0)) == np.inf
