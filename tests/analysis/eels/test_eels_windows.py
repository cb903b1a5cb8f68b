"""Window integrals, ratio maps, plasmon peak, log-ratio thickness, Fourier-log and MLLS."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.eels import (
    analyse_edge,
    analyse_low_loss,
    end_member_references,
    fourier_log,
    integrate_window,
    log_ratio_thickness,
    mlls_fit,
    plasmon_peak,
    ratio_map,
)
from insitu_tem.analysis.eels.windows import channel_weights
from insitu_tem.io.load import load
from insitu_tem.core.model import Axis
from insitu_tem.samples import eels as sample_module

LOW = Axis(
    "E", sample_module.N_CHANNELS, sample_module.DISPERSION_EV, sample_module.OFFSET_EV, "eV"
)


def test_channel_weights_count_partial_channels():
    axis = Axis("E", 100, 0.5, 0.0, "eV")
    weights = channel_weights(axis, (10.1, 20.35))
    assert weights.sum() * axis.scale == pytest.approx(10.25)
    with pytest.raises(ValueError, match="outside the spectrum"):
        channel_weights(axis, (100.0, 120.0))


def test_background_subtracted_window_counts():
    axis = Axis("E", 1000, 0.1, 40.0, "eV")
    e = axis.coordinates()
    background = 1e6 * e**-3.0
    spectra = np.stack([background + a * (e >= 60.0) for a in (0.0, 50.0, 100.0)])
    result = integrate_window(spectra, axis, (60.0, 80.0), background_window=(50.0, 58.0))
    assert np.allclose(result.counts, [0.0, 50 * 200, 100 * 200], atol=20)
    assert result.background_counts == pytest.approx(
        np.full(3, background @ channel_weights(axis, (60.0, 80.0))), rel=1e-3
    )
    assert (
        np.isnan(ratio_map([1.0, 2.0], [0.0, 4.0])[0])
        and ratio_map([1.0, 2.0], [0.0, 4.0])[1] == 0.5
    )


def test_log_ratio_and_fourier_log_on_known_plural_scattering():
    taus = np.array([0.2, 0.5, 0.9])
    e = LOW.coordinates()
    padded = sample_module.OFFSET_EV + sample_module.DISPERSION_EV * np.arange(
        sample_module.MODEL_CHANNELS
    )
    ssd = sample_module.single_scattering(padded, 0.0)[: LOW.size]
    spectra = np.stack([sample_module.model_spectrum(0.0, 0.0, tau) for tau in taus])
    expected = np.log(spectra.sum(axis=1) / (sample_module.TOTAL_COUNTS * np.exp(-taus)))
    thickness = log_ratio_thickness(spectra, LOW)
    assert np.allclose(thickness.t_over_lambda, expected, atol=0.003)
    assert np.allclose(thickness.t_over_lambda, taus, rtol=0.1)
    sigma = thickness.t_over_lambda_sigma
    assert np.all(sigma > 0) and np.all(np.diff(sigma) > 0)
    assert np.all(sigma < 0.05 * taus)
    rising = spectra.copy()
    rising[:, LOW.size // 2 :] = np.linspace(1.0, 2.0, LOW.size - LOW.size // 2) * 1e3
    assert np.all(np.isnan(log_ratio_thickness(rising, LOW).t_over_lambda_sigma))
    single = fourier_log(spectra, LOW)
    plasmon = (e > 5) & (e < 80)
    for row, tau in zip(single.array, taus):
        truth = sample_module.TOTAL_COUNTS * np.exp(-tau) * tau * ssd * LOW.scale
        assert np.abs(row[plasmon] - truth[plasmon]).max() < 0.03 * truth[plasmon].max()
        peak = e[np.argmax(np.where(plasmon, row, 0))]
        assert peak == pytest.approx(e[np.argmax(np.where(plasmon, truth, 0))], abs=0.15)


def test_plasmon_of_real_aluminium(realdata):
    dataset = load(realdata("AL-DFoffset0.00.dm3"))
    energy = dataset.signal_axes[0]
    assert plasmon_peak(dataset.array, energy).energy_eV == pytest.approx(14.91, abs=0.05)
    assert plasmon_peak(dataset.array, energy, search_eV=(25.0, 35.0)).energy_eV == pytest.approx(
        29.98, abs=0.15
    )


def test_mlls_recovers_known_fractions():
    rng = np.random.default_rng(8)
    e = LOW.coordinates()
    refs = np.stack([sample_module.model_spectrum(f, 0.0, 0.45) for f in (0.0, 1.0)])
    fractions = rng.uniform(0, 1, 25)
    spectra = rng.poisson(np.outer(1 - fractions, refs[0]) + np.outer(fractions, refs[1]))
    fit = mlls_fit(spectra, LOW, refs, window_eV=(30.0, 70.0))
    assert np.abs(fit.fractions[:, 1] - fractions).max() < 0.02
    assert fit.residuals.shape == (25, int(np.sum((e >= 30.0) & (e <= 70.0))))
    assert np.all(fit.weights >= 0)
    with pytest.raises(ValueError, match="resample"):
        mlls_fit(spectra, LOW, np.ones((2, 10)), window_eV=(30.0, 70.0))
    with pytest.raises(ValueError, match="end members"):
        end_member_references(spectra[:4], LOW)


def sample(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    return load(path), json.loads((sample_data / "eels_linescan.truth.json").read_text())


def test_sample_low_loss_plasmon_thickness(sample_data):
    dataset, truth = sample(sample_data)
    low = analyse_low_loss(dataset.array, dataset.signal_axes[0])
    assert np.abs(low.plasmon.energy_eV - np.array(truth["plasmon_peak_eV"])).max() < 0.1
    assert np.abs(low.thickness.t_over_lambda - np.array(truth["log_ratio_in_range"])).max() < 0.005


def test_sample_li_k_profile_and_end_member_fractions(sample_data):
    dataset, truth = sample(sample_data)
    energy = dataset.signal_axes[0]
    fraction = np.array(truth["li_k_fraction"])
    edge = analyse_edge(dataset.array, energy, "Li-K")
    profile = edge.window.counts / edge.window.counts[:5].mean()
    assert np.sqrt(np.mean((profile - fraction) ** 2)) < 0.1
    assert np.sqrt(np.mean((edge.mlls.fractions[:, 0] - fraction) ** 2)) < 0.05
    aligned = analyse_low_loss(dataset.array, energy).aligned.array
    refs = end_member_references(aligned, energy)
    fit = mlls_fit(aligned, energy, refs, window_eV=(33.0, 70.0), background_window=(28.8, 34.3))
    assert np.abs(fit.fractions[:, 0] - fraction).max() < 0.06
