"""Background models fitted in a window: known parameters, Poisson quality readout, automatic
windows."""

import numpy as np
import pytest

from insitu_tem.analysis.eels import auto_background_window, fit_background, subtract_background
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 2000, 0.1, 200.0, "eV")


def test_power_law_parameters_on_all_spectra_at_once():
    rng = np.random.default_rng(4)
    e = ENERGY.coordinates()
    r = rng.uniform(2.5, 4.0, (3, 4))
    amplitude = 1e4 * 250.0**r
    counts = rng.poisson(amplitude[..., None] * e ** -r[..., None])
    fit = fit_background(counts, ENERGY, (220.0, 270.0))
    assert fit.params.shape == (3, 4, 2)
    assert np.allclose(fit.params[..., 1], r, atol=0.03)
    assert np.all(np.abs(fit.chi2_reduced - 1) < 0.3)
    assert np.all(fit.ok)
    residual = subtract_background(counts, ENERGY, fit)[..., ENERGY.size // 2 :]
    assert abs(residual.mean()) < 5


def test_exponential_and_polynomial_models():
    e = ENERGY.coordinates()
    exp_counts = 5e3 * np.exp(-0.01 * (e - 200.0))
    fit = fit_background(exp_counts, ENERGY, (210.0, 250.0), model="exponential")
    assert fit.params[1] == pytest.approx(0.01, rel=1e-6)
    assert np.allclose(fit.evaluate(e), exp_counts, rtol=1e-6)
    poly = 100 + 2 * e - 0.001 * e**2
    fit = fit_background(
        np.stack([poly, 2 * poly]), ENERGY, (210.0, 300.0), model="polynomial", order=2
    )
    assert np.allclose(fit.params[1], 2 * np.array([100, 2, -0.001]), rtol=1e-6)
    assert np.allclose(fit.r_squared, 1.0)


def test_a_window_across_an_edge_shows_in_the_fit_quality():
    e = ENERGY.coordinates()
    counts = np.random.default_rng(5).poisson(1e4 * (e / 200.0) ** -3 + 3e3 * (e > 250))
    clean = fit_background(counts, ENERGY, (210.0, 245.0))
    across = fit_background(counts, ENERGY, (210.0, 290.0))
    assert clean.chi2_reduced < 1.5 < 10 < across.chi2_reduced


def test_bad_input_says_how_to_fix_it():
    low_loss = Axis("E", 500, 0.1, -5.0, "eV")
    with pytest.raises(ValueError, match="above 0 eV"):
        fit_background(np.ones(500), low_loss, (-2.0, 5.0))
    with pytest.raises(ValueError, match="unknown background model"):
        fit_background(np.ones(2000), ENERGY, (210.0, 250.0), model="spline")
    with pytest.raises(ValueError, match="widen"):
        fit_background(np.ones(2000), ENERGY, (210.0, 210.15))
    with pytest.raises(ValueError, match="LOW < HIGH"):
        fit_background(np.ones(2000), ENERGY, (250.0, 210.0))


def test_automatic_windows_avoid_the_onset_and_neighbouring_edges():
    low_loss = Axis("E", 2048, 0.05, -10.0, "eV")
    low, high = auto_background_window("W-O23", low_loss)
    assert 27 < low < high <= 36.8 - 2.5
    low, high = auto_background_window("Li K", low_loss)
    assert low >= 45.3 + 3 and high <= 55 - 2.5
    low, high = auto_background_window("C-K", ENERGY)
    assert low >= ENERGY.offset and high < 284 - 2.5 and high - low > 20
    with pytest.raises(ValueError, match="outside this spectrum"):
        auto_background_window("O-K", low_loss)
