"""A spectrum that goes negative (a difference of spectra, a dark-subtracted region): the
log-space backgrounds need positive counts and decline with a reason, never an overflow."""

import numpy as np
import pytest

from insitu_tem.analysis.eels import edge_onset, fit_background, integrate_window
from insitu_tem.core.model import Axis

ENERGY = Axis("E", 1024, 500.0 / 1023, 300.0, "eV")
DIFFERENCE = 40.0 * np.sin(ENERGY.coordinates() / 20.0)
ACROSS_ZERO = (690.0, 693.84)


@pytest.mark.parametrize("model", ["power_law", "exponential"])
def test_a_window_across_zero_is_declined_with_a_reason(model):
    fit = fit_background(DIFFERENCE, ENERGY, ACROSS_ZERO, model=model)
    assert not fit.ok and np.isnan(fit.params).all()
    assert "needs positive counts" in fit.reason and "690–693.84 eV" in fit.reason
    assert np.isnan(fit.evaluate(ENERGY.coordinates())).all()


def test_only_the_spectra_near_zero_are_declined():
    fit = fit_background(np.stack([DIFFERENCE, DIFFERENCE + 100.0]), ENERGY, ACROSS_ZERO)
    assert fit.ok.tolist() == [False, True] and np.isfinite(fit.params[1]).all()
    assert "in 1 of 2 spectra" in fit.reason


def test_counts_of_a_few_per_channel_are_fitted():
    rng = np.random.default_rng(3)
    e = ENERGY.coordinates()
    counts = rng.poisson(6.0 * (e / 600.0) ** -3.0)
    fit = fit_background(counts, ENERGY, (580.0, 640.0))
    assert fit.ok and fit.reason == ""


def test_the_onset_and_the_window_say_why_they_are_not_measured():
    onset = edge_onset(DIFFERENCE, ENERGY, "Fe-L23", background_window=ACROSS_ZERO)
    assert not onset.ok and not onset.found.any()
    assert onset.reason.startswith("the power law background needs positive counts")
    window = integrate_window(DIFFERENCE, ENERGY, (708.0, 740.0), background_window=ACROSS_ZERO)
    assert not window.ok and np.isnan(window.counts) and "positive counts" in window.reason
