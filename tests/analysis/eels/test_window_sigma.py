"""The 1σ of the background-subtracted window integral covers ~68 % of the errors on generated
power-law + edge spectra with a known edge integral (the validation family's generator, other
seeds)."""

import numpy as np
import pytest

from insitu_tem.analysis.eels.windows import channel_weights, integrate_window
from insitu_tem.core.model import Axis
from validation.eels_window import make_spectrum


def test_window_sigma_covers_about_68_percent():
    z = []
    for seed in range(7000, 7150):
        case = make_spectrum(seed)
        result = integrate_window(
            case["counts"][None], case["axis"], case["window"], background_window=case["fit_window"]
        )
        z.append(abs(result.counts[0] - case["truth"]) / result.counts_sigma[0])
    z = np.asarray(z)
    assert 0.55 <= np.mean(z <= 1.0) <= 0.8 and np.mean(z <= 2.0) >= 0.88


def test_window_sigma_without_background_is_poisson():
    axis = Axis("E", 100, 1.0, 50.0, "eV")
    spectrum = np.full((2, 100), 400.0)
    result = integrate_window(spectrum, axis, (60.0, 70.0))
    weights = channel_weights(axis, (60.0, 70.0))
    assert weights.sum() == pytest.approx(10.0)
    assert result.counts_sigma == pytest.approx([20.0 * np.sqrt(np.sum(weights**2))] * 2)
