"""Kinetics: known power laws with noise, fixed parameters, velocities, too few points,
and the sample movie's n within 0.02 of the truth."""

import numpy as np
import pytest

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.front import track_front
from insitu_tem.analysis.movie.kinetics import (
    KineticsFit,
    fit_kinetics,
    measured_velocity,
    power_law,
    undetermined,
)
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.samples import EXPERIMENT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("n_true", [0.5, 1.0, 0.75])
def test_noisy_power_law_recovers_parameters_within_their_errors(n_true):
    rng = np.random.default_rng(int(n_true * 100))
    t = np.arange(60) * 0.5
    x = power_law(t, 20.0, 15.0, n_true, 0.0) + rng.normal(scale=0.3, size=t.size)
    fit = fit_kinetics(t, x)
    assert fit.ok and fit.n_points == 60
    assert abs(fit.n - n_true) < 4 * fit.n_stderr + 1e-3
    assert abs(fit.k - 15.0) < 4 * fit.k_stderr + 0.05
    assert 0 < fit.n_stderr < 0.05
    assert fit.residual_rms == pytest.approx(0.3, rel=0.3)
    assert fit.covariance.shape == (4, 4)


def test_late_start_and_negative_direction():
    t = np.linspace(0, 20, 81)
    x = power_law(t, 100.0, -8.0, 0.6, 5.0)
    fit = fit_kinetics(t, x)
    assert fit.ok
    np.testing.assert_allclose([fit.x0, fit.k, fit.n, fit.t0], [100.0, -8.0, 0.6, 5.0], atol=1e-3)


def test_fixed_parameters_have_zero_error_and_nans_are_skipped():
    t = np.arange(30.0)
    x = power_law(t, 5.0, 2.0, 1.0, 0.0)
    x[[3, 7]] = np.nan
    fit = fit_kinetics(t, x, fixed={"t0": 0.0, "n": 1.0})
    assert fit.ok and fit.n_points == 28 and fit.n_stderr == 0.0 and fit.t0 == 0.0
    assert fit.k == pytest.approx(2.0, abs=1e-6)


def test_sigma_weights_are_a_floor_that_scatter_widens():
    rng = np.random.default_rng(8)
    t = np.arange(1, 41, dtype=float)
    x = power_law(t, 0.0, 3.0, 0.5, 0.0) + rng.normal(scale=0.2, size=t.size)
    unweighted = fit_kinetics(t, x, fixed={"t0": 0.0})
    understated = fit_kinetics(t, x, sigma=np.full(t.size, 0.02), fixed={"t0": 0.0})
    overstated = fit_kinetics(t, x, sigma=np.full(t.size, 2.0), fixed={"t0": 0.0})
    assert understated.n_stderr == pytest.approx(unweighted.n_stderr, rel=1e-3)
    assert overstated.n_stderr == pytest.approx(10 * unweighted.n_stderr, rel=0.3)


def test_velocity_from_fit_and_from_positions_agree():
    t = np.arange(1, 61) * 0.5
    fit = fit_kinetics(t, power_law(t, 10.0, 20.0, 0.5, 0.0))
    analytic = 20.0 * 0.5 / np.sqrt(t)
    np.testing.assert_allclose(fit.velocity(t), analytic, rtol=1e-4)
    measured = measured_velocity(t, power_law(t, 10.0, 20.0, 0.5, 0.0))
    np.testing.assert_allclose(measured[10:-3], analytic[10:-3], rtol=0.02)
    assert fit.velocity([fit.t0 - 1.0])[0] == 0.0


def test_an_exponent_the_data_do_not_determine_is_not_measured():
    rng = np.random.default_rng(3)
    t = np.arange(20.0)
    clean = power_law(t, 0.0, 1.0, 0.5, 0.0)
    noise = rng.normal(size=t.size)
    vague = fit_kinetics(t, clean + noise)
    assert not vague.ok and "the exponent n" in vague.reason
    assert np.isfinite(vague.n) and (vague.n_stderr >= 0.5 * vague.n or vague.n == 0.05)
    sharp = fit_kinetics(t, clean + 0.01 * noise)
    assert sharp.ok and abs(sharp.n - 0.5) < 3 * sharp.n_stderr + 1e-3


def test_a_start_time_no_fit_moves_or_at_its_bound_is_not_determined():
    fit = KineticsFit(True, "", x0=0.0, k=1.0, n=0.5, t0=-5.0, n_stderr=0.05)
    free = ("x0", "k", "n", "t0")
    assert undetermined(fit, free, free, -100.0) == ""
    assert "t0 is not determined" in undetermined(fit, free, ("x0", "k", "n"), -100.0)
    assert "t0 is not determined" in undetermined(fit, free, free, -5.0)
    assert undetermined(fit, ("x0", "k", "n"), ("x0", "k", "n"), -100.0) == ""


def test_too_few_points_is_a_result_and_bad_input_raises():
    fit = fit_kinetics([0.0, 1.0, 2.0], [1.0, np.nan, 3.0])
    assert not fit.ok and "track more frames" in fit.reason
    with pytest.raises(ValueError, match="same length"):
        fit_kinetics([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="fix"):
        fit_kinetics(np.arange(10.0), np.arange(10.0), fixed={"speed": 1.0})


def test_sample_movie_exponent_within_0_02_of_truth(generated_sample_movie):
    frames, truth = generated_sample_movie
    row = EXPERIMENT.scan.start_rc[0]
    shifts = measure_drift(frames).shifts_px
    track = track_front(
        kymograph(frames, [(row, 0.0), (row, 255.0)], width=41, shifts_px=shifts).image
    )
    fit = fit_kinetics(truth.times_s, track.position)
    law = EXPERIMENT.front
    assert abs(fit.n - law.n) <= 0.02
    assert abs(fit.n - law.n) < 5 * fit.n_stderr + 0.005
    assert fit.k == pytest.approx(law.k_px, rel=0.03)
    assert fit.x0 == pytest.approx(law.x0_px, abs=1.0)


def _correlated_errors(rng, t: np.ndarray, sigma: float, tau: float) -> np.ndarray:
    correlation = np.exp(-np.abs(t[:, None] - t[None, :]) / tau)
    return (
        sigma
        * np.linalg.cholesky(correlation + 1e-9 * np.eye(t.size))
        @ rng.standard_normal(t.size)
    )


def test_errors_correlated_in_time_are_covered_when_declared():
    t = np.arange(60) * 0.5
    span = 1 / 6
    declared, independent = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n_true = rng.uniform(0.3, 1.0)
        x = power_law(t, 5.0, 10.0, n_true, 0.0) + _correlated_errors(rng, t, 0.5, span * t[-1])
        options = dict(sigma=np.full(t.size, 0.5), fixed={"t0": 0.0})
        with_span = fit_kinetics(t, x, correlation_span=span, **options)
        without = fit_kinetics(t, x, **options)
        declared.append(abs(with_span.n - n_true) <= with_span.n_stderr)
        independent.append(abs(without.n - n_true) <= without.n_stderr)
    assert 0.6 <= np.mean(declared) <= 0.97
    assert np.mean(independent) < np.mean(declared) - 0.1


def test_a_bias_bending_the_last_frames_widens_n_by_the_fitted_range_change():
    t = np.arange(60) * 0.5
    sigma = np.full(t.size, 0.2)
    with_term, without, widened = [], [], []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        n_true = rng.uniform(0.3, 1.0)
        x = power_law(t, 5.0, 30.0 / t[-1] ** n_true, n_true, 0.0) + rng.normal(0, 0.2, t.size)
        x[45:] += rng.choice([-1, 1]) * np.linspace(0.0, rng.uniform(1.0, 3.0), 15)
        options = dict(sigma=sigma, fixed={"t0": 0.0})
        fit = fit_kinetics(t, x, correlation_span=1e-9, **options)
        plain = fit_kinetics(t, x, **options)
        shorter = fit_kinetics(t[:45], x[:45], sigma=sigma[:45], fixed={"t0": 0.0})
        widened.append(fit.n_stderr >= abs(shorter.n - fit.n) / 2 - 1e-6)
        with_term.append(abs(fit.n - n_true) <= fit.n_stderr)
        without.append(abs(plain.n - n_true) <= plain.n_stderr)
    assert all(widened)
    assert np.mean(with_term) >= np.mean(without) + 0.2


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_a_static_front_has_no_exponent(noise):
    rng = np.random.default_rng(5)
    t = np.arange(8.0)
    sigma = rng.uniform(2.0, 8.0, t.size)
    x = 38.0 + noise * sigma * rng.standard_normal(t.size)
    fit = fit_kinetics(t, x, sigma=sigma, correlation_span=1 / 6)
    assert not fit.ok and "does not move" in fit.reason


def test_a_front_moving_beyond_its_noise_is_not_called_static():
    rng = np.random.default_rng(6)
    t = np.arange(20.0)
    sigma = rng.uniform(2.0, 8.0, t.size)
    x = 38.0 + 20.0 * np.sqrt(t) + sigma * rng.standard_normal(t.size)
    fit = fit_kinetics(t, x, sigma=sigma, correlation_span=1 / 6)
    assert "does not move" not in fit.reason


def test_late_start_with_correlated_errors_recovers_n_within_its_error():
    t = np.arange(60) * 0.5
    span = 1 / 6
    hits, fitted = [], 0
    for seed in range(25):
        rng = np.random.default_rng(100 + seed)
        n_true, t0 = rng.uniform(0.3, 1.0), rng.uniform(1.0, 5.0)
        law = power_law(t, 5.0, 40.0 / (t[-1] - t0) ** n_true, n_true, t0)
        x = law + _correlated_errors(rng, t, 0.5, span * t[-1])
        fit = fit_kinetics(t, x, sigma=np.full(t.size, 0.5), correlation_span=span)
        if fit.ok:
            fitted += 1
            hits.append(abs(fit.n - n_true) <= fit.n_stderr)
            assert abs(fit.n - n_true) < 4 * fit.n_stderr
            assert abs(fit.t0 - t0) < 4 * fit.t0_stderr + 0.05
    assert fitted >= 22
    assert np.mean(hits) >= 0.6
