"""Plasmon energy ± 1σ: covers its errors on noisy spectra of a known maximum, any units, and
says why where there is no plasmon maximum."""

import numpy as np

from insitu_tem.analysis.eels.plasmon_energy import plasmon_energy
from insitu_tem.analysis.eels.zlp import fit_zlp
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 900, 0.1, -5.0, "eV")


def expected(plasmon_eV: float, top: float) -> np.ndarray:
    """A Gaussian ZLP at 0 eV and a skewed plasmon whose maximum is ``plasmon_eV``, counts."""
    e = ENERGY.coordinates()
    zlp = 20 * top * np.exp(-0.5 * (e / 0.4) ** 2)
    x = np.clip(e, 1e-3, None)
    peak = top * (x / plasmon_eV) ** 16 * np.exp(-16 * (x / plasmon_eV - 1))
    return zlp + peak + 5.0


def test_sigma_covers_the_errors_at_any_gain():
    rng = np.random.default_rng(3)
    truth = rng.uniform(15, 25, 60)
    clean = np.stack([expected(p, 2000.0) for p in truth])
    inside = []
    for gain in (1.0, 3.0):
        spectra = gain * rng.poisson(clean)
        result = plasmon_energy(spectra, ENERGY, fit_zlp(spectra, ENERGY))
        assert result.ok and result.reason == ""
        error = np.abs(result.energy_eV - truth)
        inside.append(np.mean(error <= result.sigma_eV))
        assert np.mean(error <= 2 * result.sigma_eV) > 0.85
        assert np.median(result.statistical_eV) > np.median(result.smoothing_eV)
    assert all(0.55 <= f <= 0.9 for f in inside), inside


def test_sigma_does_not_depend_on_the_units_of_the_counts():
    spectra = np.random.default_rng(4).poisson(np.stack([expected(20.0, 500.0)] * 3)) * 1.0
    counts = plasmon_energy(spectra, ENERGY, fit_zlp(spectra, ENERGY))
    scaled = plasmon_energy(spectra * 250.0, ENERGY, fit_zlp(spectra * 250.0, ENERGY))
    np.testing.assert_allclose(scaled.energy_eV, counts.energy_eV)
    np.testing.assert_allclose(scaled.sigma_eV, counts.sigma_eV, rtol=1e-6)


def test_no_maximum_in_the_window_is_not_measured():
    e = ENERGY.coordinates()
    spectra = np.stack(
        [expected(20.0, 500.0), 1e4 * np.exp(-0.5 * (e / 0.4) ** 2) + 1e3 / (1 + e**2)]
    )
    result = plasmon_energy(spectra, ENERGY, fit_zlp(spectra, ENERGY))
    assert result.found.tolist() == [True, False] and not result.ok
    assert np.isnan(result.energy_eV[1]) and np.isnan(result.sigma_eV[1])
    assert "no plasmon maximum" in result.reason
