"""The 1σ of the background-subtracted window integral covers ~68 % of the errors on generated
power-law + edge spectra with a known edge integral."""

import numpy as np
import pytest

from insitu_tem.analysis.eels.windows import channel_weights, integrate_window
from insitu_tem.core.model import Axis


def _case(rng):
    dispersion, onset = rng.uniform(0.05, 0.5), rng.uniform(60.0, 400.0)
    axis = Axis("E", int(onset / dispersion), dispersion, 0.6 * onset, "eV")
    e = axis.coordinates()
    level = 10 ** rng.uniform(2.0, 4.0)
    background = level * (e / onset) ** -rng.uniform(2.5, 4.5)
    edge = np.where(e >= onset, rng.uniform(0.05, 0.5) * level, 0.0)
    edge = edge * np.exp(-(e - onset) / (0.3 * onset))
    high = onset - max(2.5, 0.02 * onset)
    fit_window = (high - float(np.clip(0.15 * onset, 3.0, 40.0)), high)
    window = (onset, onset + min(0.2 * onset, 50.0))
    spectrum = rng.poisson(background + edge).astype(float)
    return axis, spectrum, window, fit_window, edge @ channel_weights(axis, window)


def test_window_sigma_covers_about_68_percent():
    rng = np.random.default_rng(7)
    z = []
    for _ in range(150):
        axis, spectrum, window, fit_window, truth = _case(rng)
        result = integrate_window(spectrum[None], axis, window, background_window=fit_window)
        z.append(abs(result.counts[0] - truth) / result.counts_sigma[0])
    z = np.asarray(z)
    assert 0.55 <= np.mean(z <= 1.0) <= 0.8 and np.mean(z <= 2.0) >= 0.88


def test_window_sigma_without_background_is_poisson():
    axis = Axis("E", 100, 1.0, 50.0, "eV")
    spectrum = np.full((2, 100), 400.0)
    result = integrate_window(spectrum, axis, (60.0, 70.0))
    weights = channel_weights(axis, (60.0, 70.0))
    assert weights.sum() == pytest.approx(10.0)
    assert result.counts_sigma == pytest.approx([20.0 * np.sqrt(np.sum(weights**2))] * 2)
