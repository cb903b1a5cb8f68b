"""Counting noise propagated through Fourier-log: against the scatter of repeated noisy draws."""

import numpy as np
import pytest

from insitu_tem.analysis.eels import fit_zlp, fourier_log
from insitu_tem.analysis.eels.deconvolution_noise import deconvolution_noise
from insitu_tem.analysis.eels.thickness import log_ratio_terms
from insitu_tem.core.model import Axis

LOW = Axis("E", 600, 0.1, -5.0, "eV")


def low_loss(counts: float = 2e3) -> np.ndarray:
    """ZLP, a plasmon at 16 eV, its double at 32 eV and an edge-like step at 36 eV, counts."""
    e = LOW.coordinates()
    zlp = 400 * np.exp(-0.5 * (e / 0.3) ** 2)
    plasmon = 60 * np.exp(-0.5 * ((e - 16) / 2.5) ** 2) + 20 * np.exp(-0.5 * ((e - 32) / 3.5) ** 2)
    step = 1.5 / (1 + np.exp(-(e - 36) / 0.8)) * np.clip(e / 36, 0.1, None) ** -2
    return counts * (zlp + plasmon + step + 0.5)


def draws(gain: float, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return gain * rng.poisson(low_loss() / gain, (n, LOW.size)).astype(float)


@pytest.mark.parametrize("gain", [1.0, 3.0])
def test_propagated_variance_matches_the_scatter_of_repeated_draws(gain):
    spectra = draws(gain, 150, seed=int(gain))
    e = LOW.coordinates()
    functional = np.exp(-0.5 * ((e - 36) / 2.0) ** 2) * (e - 36)
    zlp = fit_zlp(spectra, LOW)
    values = fourier_log(spectra, LOW, zlp=zlp).array @ functional
    terms = log_ratio_terms(spectra, LOW, zlp)
    noise = deconvolution_noise(spectra, terms)
    assert noise.gain == pytest.approx(gain, rel=0.15)
    predicted = noise.variance(np.tile(functional, (len(spectra), 1)), np.arange(len(spectra)))
    assert np.median(predicted) == pytest.approx(np.var(values), rel=0.3)
    local_only = gain * (functional**2 * low_loss()).sum()
    assert np.var(values) > 1.8 * local_only


def test_too_short_a_spectrum_for_a_noise_estimate_is_refused():
    short = Axis("E", 60, 0.2, -2.0, "eV")
    e = short.coordinates()
    spectra = (
        np.random.default_rng(0)
        .poisson(1e3 * (np.exp(-0.5 * (e / 0.3) ** 2) + 0.1), (3, 60))
        .astype(float)
    )
    zlp = fit_zlp(spectra, short)
    with pytest.raises(ValueError, match="too few"):
        deconvolution_noise(spectra, log_ratio_terms(spectra, short, zlp))
