"""Chemical shift on the recorded counts by a forward model of plural scattering
(:mod:`insitu_tem.analysis.eels.forward_shift`)."""

import numpy as np

from insitu_tem.analysis.eels import align_zlp, fit_zlp, fourier_log
from insitu_tem.analysis.eels.background import auto_background_window
from insitu_tem.analysis.eels.forward_shift import Recorded, forward_shift
from insitu_tem.analysis.eels.pipeline import analyse_edge
from insitu_tem.analysis.eels.shifts import _pre_edge_law, chemical_shift, default_fit_window
from insitu_tem.analysis.eels.thickness import log_ratio_terms
from insitu_tem.analysis.eels._common import channel_range
from insitu_tem.core.model import Axis
from insitu_tem.samples import eels as sample

ENERGY = Axis("E", sample.N_CHANNELS, sample.DISPERSION_EV, sample.OFFSET_EV, "eV")
FRACTIONS = np.array([0.0, 0.2, 0.5, 0.8, 1.0])
THICKNESS = np.array([0.45, 0.6, 0.9, 1.1, 1.3])
TRUTH = FRACTIONS * sample.SHIFT_REDUCED_EV


def _clean():
    return np.array(
        [sample.model_spectrum(f, 0.1 * i, t) for i, (f, t) in enumerate(zip(FRACTIONS, THICKNESS))]
    )


def _inputs(counts):
    aligned = align_zlp(counts, ENERGY, fit_zlp(counts, ENERGY)).array
    zlp = fit_zlp(aligned, ENERGY)
    single = fourier_log(aligned, ENERGY, zlp=zlp).array
    bg_window = auto_background_window("W-O23", ENERGY)
    region = (bg_window[0], default_fit_window("W-O23")[1])
    channels = channel_range(ENERGY, region)
    law = _pre_edge_law(single[0], ENERGY, bg_window, ENERGY.coordinates()[channels], "power_law")
    recorded = Recorded(aligned, log_ratio_terms(aligned, ENERGY, zlp))
    return recorded, single, region, law


def test_forward_model_finds_the_shift_from_a_start_off_by_a_third_of_an_ev():
    recorded, single, region, law = _inputs(_clean())
    start = TRUTH + np.array([0.0, 0.3, -0.3, 0.3, -0.3])
    fit = forward_shift(recorded, single, 0, ENERGY, region=region, law=law, start=start)
    assert fit.found.all()
    assert np.abs((fit.shift - fit.shift[0]) - TRUTH).max() < 0.02


def test_newton_step_moves_toward_the_minimum():
    recorded, single, region, law = _inputs(_clean())
    start = TRUTH + 0.1
    fit = forward_shift(recorded, single, 0, ENERGY, region=region, law=law, start=start)
    step = forward_shift(
        recorded, single, 0, ENERGY, region=region, law=law, start=start, newton=True
    )
    assert np.all(np.abs(step.shift - fit.shift) < 0.5 * 0.1)


def test_stated_uncertainty_matches_the_scatter_of_poisson_draws():
    clean = _clean()
    rng = np.random.default_rng(11)
    results = [
        analyse_edge(rng.poisson(clean).astype(float), ENERGY, "W-O23", reference=0).shift
        for _ in range(12)
    ]
    errors = np.array([r.shift_eV for r in results])[:, 1:] - TRUTH[1:]
    sigmas = np.array([r.stderr_eV for r in results])[:, 1:]
    ratio = np.sqrt((errors**2).mean(axis=0)) / np.median(sigmas, axis=0)
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_pipeline_reports_the_forward_shift_of_the_recorded_counts():
    counts = np.random.default_rng(5).poisson(_clean()).astype(float)
    result = analyse_edge(counts, ENERGY, "W-O23", reference=0).shift
    recorded, single, region, law = _inputs(counts)
    start = chemical_shift(single, ENERGY, "W-O23", reference=0, plasmon_tail=True).shift_eV
    fit = forward_shift(recorded, single, 0, ENERGY, region=region, law=law, start=start)
    assert result.found.all() and fit.found.all()
    np.testing.assert_allclose(result.shift_eV, fit.shift - fit.shift[0], atol=1e-6)
    assert np.all(result.statistical_eV[1:] > 0) and np.all(result.systematic_eV[1:] > 0)
