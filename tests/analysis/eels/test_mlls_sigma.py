"""MLLS fractions ± 1σ: the 1σ covers the errors of noisy mixtures of two references at any gain
and in any units, and a spectrum that no reference describes is not measured."""

import numpy as np
import pytest

from insitu_tem.analysis.eels.mlls import mlls_fit
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 400, 0.1, 30.0, "eV")


def references(edge: float = 3000.0) -> np.ndarray:
    """Two edges of ``edge`` counts 1.5 eV apart on the same power-law background, counts per
    channel."""
    e = ENERGY.coordinates()
    background = 4e4 * (e / 30.0) ** -3
    edges = [1.0 / (1.0 + np.exp(-(e - onset) / 0.4)) * (e / onset) ** -2 for onset in (40, 41.5)]
    return np.stack([background + edge * shape for shape in edges])


def noisy_references(pure: np.ndarray, gain: float, rng) -> np.ndarray:
    """Each reference the mean of three recordings."""
    return np.stack([gain * rng.poisson(np.repeat(p[None], 3, 0)).mean(axis=0) for p in pure])


def test_sigma_covers_the_errors_at_any_gain():
    rng = np.random.default_rng(5)
    pure = references()
    inside = []
    for gain in (1.0, 3.0):
        truth = rng.uniform(0, 1, 80)
        refs = noisy_references(pure, gain, rng)
        spectra = gain * rng.poisson(np.outer(truth, pure[0]) + np.outer(1 - truth, pure[1]))
        fit = mlls_fit(
            spectra, ENERGY, refs, window_eV=(35.0, 65.0), offset=True, reference_averages=3
        )
        assert fit.ok and fit.reason == "" and np.all(fit.model == 0)
        assert np.all(fit.reference_noise > 0)
        error = np.abs(fit.fractions[:, 0] - truth)
        inside.append(np.mean(error <= fit.fractions_sigma[:, 0]))
        assert np.mean(error <= 2 * fit.fractions_sigma[:, 0]) > 0.85
        np.testing.assert_allclose(fit.fractions_sigma[:, 0], fit.fractions_sigma[:, 1])
    assert all(0.55 <= f <= 0.85 for f in inside), inside


def test_sigma_does_not_depend_on_the_units_of_the_counts():
    rng = np.random.default_rng(6)
    pure = references()
    spectra = rng.poisson(np.outer([0.3, 0.7], pure[0]) + np.outer([0.7, 0.3], pure[1])) * 1.0
    options = dict(window_eV=(35.0, 65.0), background_window=(31.0, 38.0), offset=True)
    counts = mlls_fit(spectra, ENERGY, pure, **options)
    scaled = mlls_fit(spectra * 250.0, ENERGY, pure * 250.0, **options)
    np.testing.assert_allclose(scaled.fractions, counts.fractions, atol=1e-9)
    np.testing.assert_allclose(scaled.fractions_sigma, counts.fractions_sigma, rtol=1e-6)
    assert np.all(counts.model > 0)


def test_references_whose_noise_hides_their_difference_are_not_measured():
    rng = np.random.default_rng(7)
    pure = references(edge=40.0)
    refs = noisy_references(pure, 1.0, rng)
    spectra = rng.poisson(np.outer([0.2, 0.8], pure[0]) + np.outer([0.8, 0.2], pure[1])) * 1.0
    options = dict(window_eV=(35.0, 65.0), offset=True)
    assert mlls_fit(spectra, ENERGY, refs, **options).ok
    fit = mlls_fit(spectra, ENERGY, refs, reference_averages=3, **options)
    assert not fit.ok and "references' own noise" in fit.reason
    assert np.isnan(fit.fractions).all() and np.isnan(fit.fractions_sigma).all()


def test_a_spectrum_no_reference_describes_is_not_measured():
    pure = references()
    spectra = np.stack([0.5 * pure[0] + 0.5 * pure[1], -pure[0]])
    fit = mlls_fit(spectra, ENERGY, pure, window_eV=(35.0, 65.0))
    assert fit.fractions[0, 0] == pytest.approx(0.5, abs=1e-6) and not fit.ok
    assert np.isnan(fit.fractions[1]).all() and np.isnan(fit.fractions_sigma[1]).all()
    assert "no fractions in 1 spectrum:" in fit.reason


def test_whether_references_separate_does_not_depend_on_the_units_of_the_counts():
    rng = np.random.default_rng(8)
    pure = references()
    refs = noisy_references(pure, 1.0, rng)
    spectra = rng.poisson(np.outer([0.3, 0.7], pure[0]) + np.outer([0.7, 0.3], pure[1])) * 1.0
    options = dict(window_eV=(35.0, 65.0), offset=True, reference_averages=3)
    counts = mlls_fit(spectra, ENERGY, refs, **options)
    scaled = mlls_fit(spectra * 1e5, ENERGY, refs * 1e5, **options)
    assert counts.ok and scaled.ok
    np.testing.assert_allclose(scaled.fractions, counts.fractions, atol=1e-9)
    np.testing.assert_allclose(scaled.fractions_sigma, counts.fractions_sigma, rtol=1e-6)
