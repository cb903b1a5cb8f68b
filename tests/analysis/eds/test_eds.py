"""X-ray lines from exspy's database, windows, net counts and Cliff–Lorimer on synthetic spectra."""

import numpy as np
import pytest

from insitu_tem.analysis.eds.lines import fwhm_ev, line_energy_ev, main_line, xray_line
from insitu_tem.analysis.eds.maps import cliff_lorimer, line_maps


def test_line_energies_and_detector_width():
    assert line_energy_ev("Si", "Ka") == pytest.approx(1739.7, abs=1)
    assert line_energy_ev("O", "Ka") == pytest.approx(524.9, abs=1)
    assert fwhm_ev(line_energy_ev("Mn", "Ka"), resolution_mn_ka_ev=128.0) == pytest.approx(128.0)
    assert fwhm_ev(525.0) < fwhm_ev(1740.0) < 130.0
    assert main_line("Pt") == "Pt_La" and main_line("Si") == "Si_Ka"
    with pytest.raises(ValueError, match="unknown element"):
        main_line("Xx")


def test_net_counts_of_a_peak_on_a_sloping_background():
    energies = np.arange(0.0, 4000.0, 10.0)
    line = xray_line("Si_Ka")
    sigma = line.fwhm_ev / 2.3548
    peak = (
        500.0
        * np.exp(-0.5 * ((energies - line.energy_ev) / sigma) ** 2)
        / (sigma * np.sqrt(2 * np.pi))
        * 10.0
    )
    background = 3.0 - 0.0005 * energies
    cube = np.broadcast_to(peak + background, (4, 5, energies.size)).copy()
    maps = line_maps(cube, energies, [line])
    inside = 500.0 * 0.9876
    assert maps.ok and maps.map("Si_Ka").shape == (4, 5)
    np.testing.assert_allclose(maps.map("Si_Ka"), inside, rtol=0.01)
    assert not line_maps(cube[..., :170], energies[:170], [line]).ok
    crowded = line_maps(cube, energies, [line, xray_line("W_Ma")])
    assert not crowded.ok and "Si_Ka/W_Ma" in crowded.reason


def test_cliff_lorimer():
    comp = cliff_lorimer(np.array([100.0, 300.0]), ("Si", "O"), (2.0, 1.0))
    np.testing.assert_allclose(comp.weight_percent, [40.0, 60.0])
    with pytest.raises(ValueError, match="k-factor"):
        cliff_lorimer(np.array([1.0, 1.0]), ("Si", "O"), (1.0,))
    assert not cliff_lorimer(np.zeros(2), ("Si", "O"), (1, 1)).ok


def test_net_count_and_wt_percent_sigmas_match_monte_carlo():
    rng = np.random.default_rng(3)
    energies = np.arange(100.0, 10000.0, 10.0)
    lines = [xray_line("Si_Ka"), xray_line("Fe_Ka")]
    expected = 4.0 + 0 * energies
    for line, counts in zip(lines, (2000.0, 500.0)):
        sigma = line.fwhm_ev / 2.3548
        expected = expected + counts * 10.0 / (sigma * np.sqrt(2 * np.pi)) * np.exp(
            -0.5 * ((energies - line.energy_ev) / sigma) ** 2
        )
    cube = rng.poisson(expected, (400, energies.size)).astype(float)
    maps = line_maps(cube, energies, lines)
    np.testing.assert_allclose(
        np.sqrt(np.median(maps.variance, axis=1)), maps.maps.std(axis=1), rtol=0.12
    )
    comp = cliff_lorimer(
        maps.maps,
        ("Si", "Fe"),
        (1.0, 1.3),
        intensity_variance=maps.variance,
        kfactor_sigmas=(0.0, 0.0),
    )
    np.testing.assert_allclose(
        np.median(comp.weight_percent_sigma, axis=1), comp.weight_percent.std(axis=1), rtol=0.12
    )
    with_k = cliff_lorimer(
        maps.maps[:, :1],
        ("Si", "Fe"),
        (1.0, 1.3),
        intensity_variance=maps.variance[:, :1],
        kfactor_sigmas=(0.0, 0.13),
    )
    assert np.all(with_k.weight_percent_sigma > comp.weight_percent_sigma[:, :1])
