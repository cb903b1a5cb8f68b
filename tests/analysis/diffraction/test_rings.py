"""Debye-equation ring profiles: exactness of the histogram, Scherrer widths, peaks, fitting."""

import numpy as np
import pytest

from insitu_tem.analysis.crystal.phases import get_phase
from insitu_tem.analysis.crystal.debye import (
    build_cluster,
    debye_intensity,
    debye_intensity_direct,
    nearest_neighbour_A,
    simulate_ring_profile,
)
from insitu_tem.analysis.diffraction.ring_fit import fit_ring_profile


@pytest.fixture(scope="module")
def tungsten():
    w = get_phase("W")
    return {size: simulate_ring_profile(w, grain_diameter_nm=size) for size in (0.3, 3.0)}


def test_histogrammed_debye_equals_the_direct_pair_sum():
    cluster = build_cluster(get_phase("Li2O"), grain_diameter_nm=1.2)
    q = np.linspace(0.05, 2.0, 120)
    fast = debye_intensity(cluster, q)
    slow = debye_intensity_direct(cluster, q)
    assert np.max(np.abs(fast / slow - 1)) < 1e-6


def test_cluster_geometry():
    w = get_phase("W")
    assert nearest_neighbour_A(w) == pytest.approx(3.1652 * np.sqrt(3) / 2)
    small = build_cluster(w, grain_diameter_nm=0.3)
    assert len(small.elements) == 9  # one bcc cell: centre + 8 corners
    big = build_cluster(w, grain_diameter_nm=3.0)
    radius = np.linalg.norm(big.positions_A, axis=1).max()
    assert 15.0 < radius <= 15.0 + nearest_neighbour_A(w) / 2 + 1e-9
    expected = 2 / 3.1652**3 * 4 / 3 * np.pi * (15.0 + nearest_neighbour_A(w) / 2) ** 3
    assert len(big.elements) == pytest.approx(expected, rel=0.05)
    with pytest.raises(ValueError, match="positive"):
        build_cluster(w, grain_diameter_nm=0)


def test_three_nm_tungsten_has_sharp_scherrer_peaks(tungsten):
    peaks = {p.hkl: p for p in tungsten[3.0].peaks}
    for hkl, d in [((1, 1, 0), 2.238), ((2, 0, 0), 1.583), ((2, 1, 1), 1.292)]:
        assert peaks[hkl].d_A == pytest.approx(d, rel=0.01)
        assert peaks[hkl].fwhm_per_A == pytest.approx(0.9 / 30.0, rel=0.25)


def test_three_angstrom_tungsten_gives_broad_humps(tungsten):
    humps = tungsten[0.3].peaks
    sharp = {p.hkl: p for p in tungsten[3.0].peaks}
    assert humps[0].hkl == (1, 1, 0) and humps[0].d_A == pytest.approx(2.24, abs=0.1)
    assert humps[0].fwhm_per_A > 4 * sharp[(1, 1, 0)].fwhm_per_A
    assert sum(p.q_per_A < 0.9 for p in humps) <= 2
    assert sum(p.q_per_A < 0.9 for p in tungsten[3.0].peaks) == 4  # 110, 200, 211, 220


def test_li2o_peaks_and_its_nearly_extinct_200():
    li2o = get_phase("Li2O")
    profile = simulate_ring_profile(li2o, grain_diameter_nm=3.0, q_per_A=np.linspace(0.2, 1.0, 401))
    labels = [p.hkl for p in profile.peaks]
    assert labels[:2] == [(1, 1, 1), (2, 2, 0)]
    assert {p.hkl: p for p in profile.peaks}[(1, 1, 1)].d_A == pytest.approx(2.662, rel=0.01)
    # for electrons 4 f_O ≈ 8 f_Li at q = 1/2.306 Å, so (200) carries < 1 % of (111)
    strength = {r.hkl: r.multiplicity * r.intensity for r in li2o.reflections(d_min_A=1.5)}
    assert strength[(2, 0, 0)] < 0.01 * strength[(1, 1, 1)]


def test_profile_validates_its_grid():
    with pytest.raises(ValueError, match="increasing"):
        simulate_ring_profile(get_phase("W"), grain_diameter_nm=1.0, q_per_A=[0.5, 0.4, 0.3])


def test_fit_recovers_scale_and_background(tungsten):
    simulated = tungsten[3.0]
    rng = np.random.default_rng(3)
    q = np.linspace(0.1, 1.4, 400)
    truth = (
        2.5 * np.interp(q, simulated.q_per_A, simulated.intensity) + 40.0 - 10.0 * q + 3.0 * q**2
    )
    measured = truth + rng.normal(0.0, 0.5, q.size)
    fit = fit_ring_profile(q, measured, simulated, background="poly2")
    assert fit.ok and fit.scale == pytest.approx(2.5, rel=0.01)
    assert fit.background_coefficients == pytest.approx((40.0, -10.0, 3.0), abs=0.6)
    assert fit.r_factor < 0.02
    wrong = fit_ring_profile(
        q, measured, simulate_ring_profile(get_phase("Cu"), grain_diameter_nm=3.0)
    )
    assert wrong.r_factor > 5 * fit.r_factor


def test_fit_reports_missing_overlap_and_bad_options(tungsten):
    fit = fit_ring_profile(np.linspace(3, 4, 10), np.ones(10), tungsten[3.0])
    assert not fit.ok and "overlap" in fit.reason
    with pytest.raises(ValueError, match="background"):
        fit_ring_profile(np.linspace(0.2, 1, 10), np.ones(10), tungsten[3.0], background="spline")


@pytest.mark.realdata
def test_rutile_simulation_fits_the_vo2_powder_better_than_tungsten(realdata):
    s, intensity = np.load(realdata("powder_VO2.npy"))
    q = 2 * s
    keep = (q > 0.25) & (q < 1.0)
    vo2 = simulate_ring_profile(
        get_phase("VO2"), grain_diameter_nm=4.0, q_per_A=np.linspace(0.2, 1.05, 426)
    )
    w = simulate_ring_profile(
        get_phase("W"), grain_diameter_nm=4.0, q_per_A=np.linspace(0.2, 1.05, 426)
    )
    good = fit_ring_profile(q[keep], intensity[keep], vo2, background="poly3")
    bad = fit_ring_profile(q[keep], intensity[keep], w, background="poly3")
    assert good.ok and good.scale > 0
    assert good.r_factor < 0.8 * bad.r_factor
