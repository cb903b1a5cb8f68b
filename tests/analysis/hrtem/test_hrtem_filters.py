"""ABSF, Wiener and Bragg filters on generated lattices with a known noise-free image."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.filters import absf, bragg_filter, hrtem_filter, wiener
from insitu_tem.analysis.hrtem.fft_lattice import find_spots
from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.samples.hrtem import amorphous_texture, basis_vectors, lattice_fringes

BASIS = basis_vectors((0.377, 0.3653), angle_deg=90, rotation_deg=20)


@pytest.fixture
def lattice():
    rng = np.random.default_rng(0)
    clean = 100 * (1 + lattice_fringes((128, 128), BASIS, pixel_nm=0.05, contrast=0.1, rng=rng))
    return clean, rng.poisson(clean).astype(float)


@pytest.mark.parametrize("method", ["absf", "wiener"])
@pytest.mark.parametrize("dtype", [np.float64, np.uint16, np.float32])
def test_filters_halve_the_noise_and_keep_the_mean(lattice, method, dtype):
    clean, noisy = lattice
    result = hrtem_filter(noisy.astype(dtype), method=method)
    before = np.sqrt(np.mean((noisy - clean) ** 2))
    after = np.sqrt(np.mean((result.image - clean) ** 2))
    assert after < 0.5 * before
    assert result.image.mean() == pytest.approx(noisy.mean(), rel=1e-6)
    assert 0 < result.kept_fraction < 1 and result.method == method


def test_filters_suppress_an_amorphous_background_more_than_a_lattice():
    rng = np.random.default_rng(1)
    glass = rng.poisson(
        100 * (1 + amorphous_texture((128, 128), pixel_nm=0.05, d_nm=0.3, contrast=0.1, rng=rng))
    ).astype(float)
    crystal = rng.poisson(
        100 * (1 + lattice_fringes((128, 128), BASIS, pixel_nm=0.05, contrast=0.1, rng=rng))
    ).astype(float)
    for method in (absf, wiener):
        assert method(glass).kept_fraction < 0.5 * method(crystal).kept_fraction


def test_bragg_filter_keeps_only_the_chosen_fringes(lattice):
    _, noisy = lattice
    spots = find_spots(power_spectrum(noisy, pixel_nm=0.05)).spots
    chosen = spots[0]
    result = bragg_filter(noisy, [(chosen.row_px, chosen.col_px)])
    power = power_spectrum(result.image, pixel_nm=0.05).power
    centre = np.array(power.shape) // 2

    def at(spot):
        return power[tuple(np.rint(centre + (spot.row_px, spot.col_px)).astype(int))]

    assert all(at(chosen) > 1e3 * at(other) for other in spots[1:])
    assert find_spots(power_spectrum(result.image, pixel_nm=0.05)).spots[0].d_nm == pytest.approx(
        chosen.d_nm, rel=1e-3
    )
    both = bragg_filter(noisy, [(s.row_px, s.col_px) for s in spots[:2]])
    assert both.kept_fraction > result.kept_fraction
    assert result.image.mean() == pytest.approx(noisy.mean())


def test_bad_input():
    with pytest.raises(ValueError, match="unknown filter"):
        hrtem_filter(np.zeros((16, 16)), method="median")
    with pytest.raises(ValueError, match="at least one spot"):
        bragg_filter(np.zeros((16, 16)), [])
    with pytest.raises(ValueError, match="NaN"):
        absf(np.full((16, 16), np.nan))
    with pytest.raises(ValueError, match="radius"):
        bragg_filter(np.zeros((16, 16)), [(1, 1)], radius_px=0)
