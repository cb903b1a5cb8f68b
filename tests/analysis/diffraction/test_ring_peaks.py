"""Ring d-spacings and sharpness from profiles: Gaussian rings, simulated W grains,
powder_VO2.npy."""

import numpy as np
import pytest

from insitu_tem.analysis.crystal.phases import get_phase
from insitu_tem.analysis.diffraction.ring_peaks import find_ring_peaks, lower_hull
from insitu_tem.analysis.crystal.debye import simulate_ring_profile


def test_gaussian_rings_on_a_decaying_background():
    rng = np.random.default_rng(3)
    q = np.linspace(0.05, 1.0, 600)
    background = 200.0 / (1 + (q / 0.2) ** 2)
    rings = 50 * np.exp(-0.5 * ((q - 0.45) / (0.02 / 2.3548)) ** 2) + 30 * np.exp(
        -0.5 * ((q - 0.7) / (0.2 / 2.3548)) ** 2
    )
    result = find_ring_peaks(q, rng.normal(background + rings, 0.3))
    assert result.ok and len(result.rings) == 2
    sharp, diffuse = result.rings
    assert sharp.q_per_A == pytest.approx(0.45, abs=0.002) and sharp.d_A == pytest.approx(
        1 / 0.45, rel=0.005
    )
    assert sharp.fwhm_per_A == pytest.approx(0.02, abs=0.005) and sharp.sharp
    assert diffuse.q_per_A == pytest.approx(0.7, abs=0.02) and not diffuse.sharp
    assert result.has_sharp_ring


def test_lower_hull_follows_a_convex_background_exactly():
    x = np.linspace(0, 1, 50)
    y = np.exp(-3 * x)
    np.testing.assert_allclose(lower_hull(x, y), y)
    bump = np.abs(x - 0.5) < 0.05
    hull = lower_hull(x, y + bump)
    np.testing.assert_allclose(hull[~bump], y[~bump])
    assert np.all(hull[bump] < y[bump] + 0.01)


def test_simulated_w_grains_three_nm_sharp_three_angstrom_diffuse():
    q = np.linspace(0.1, 1.0, 451)
    w = get_phase("W")
    large = find_ring_peaks(q, simulate_ring_profile(w, grain_diameter_nm=3.0, q_per_A=q).intensity)
    small = find_ring_peaks(q, simulate_ring_profile(w, grain_diameter_nm=0.3, q_per_A=q).intensity)
    assert large.rings[0].d_A == pytest.approx(2.238, abs=0.01) and large.rings[0].sharp
    assert not small.has_sharp_ring


def test_flat_profile_is_a_result_not_an_error():
    q = np.linspace(0.1, 1.0, 100)
    result = find_ring_peaks(q, np.exp(-q))
    assert not result.ok and result.reason
    with pytest.raises(ValueError, match="increase"):
        find_ring_peaks(q[::-1], np.ones(100))


@pytest.mark.realdata
def test_powder_vo2_peaks_give_the_rutile_spacings(realdata):
    s, intensity = np.load(realdata("powder_VO2.npy"))
    result = find_ring_peaks(2.0 * s, intensity)
    d = np.array([r.d_A for r in result.rings])
    for expected in (3.20, 2.43, 2.14, 1.65, 1.44):
        assert np.min(np.abs(d - expected)) / expected < 0.01
