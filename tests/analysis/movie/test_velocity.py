"""1σ of the front velocity: the delta method against Monte Carlo over the fit's covariance, and
the Savitzky–Golay derivative's 1σ against the scatter over noise realisations."""

import numpy as np

from insitu_tem.analysis.movie.kinetics import KineticsFit, measured_velocity
from insitu_tem.analysis.movie.velocity import fitted_velocity_sigma, measured_velocity_sigma


def test_fitted_velocity_sigma_matches_monte_carlo_over_the_covariance():
    params = np.array([5.0, 3.0, 0.6, 2.0])
    covariance = np.diag([0.1, 0.02, 0.0004, 0.01])
    covariance[1, 2] = covariance[2, 1] = -0.002
    fit = KineticsFit(True, "", *params, *np.sqrt(np.diag(covariance)), covariance)
    times = np.array([0.0, 1.9, 5.0, 10.0, 30.0])
    sigma = fitted_velocity_sigma(fit, times)
    draws = np.random.default_rng(0).multivariate_normal(params, covariance, 20000)
    speeds = np.array([KineticsFit(True, "", *p).velocity(times[2:]) for p in draws])
    np.testing.assert_allclose(sigma[2:], speeds.std(axis=0), rtol=0.05)
    assert sigma[0] == 0 and np.isnan(sigma[1])
    assert np.all(np.isnan(fitted_velocity_sigma(KineticsFit(False, "no fit"), times)))


def test_measured_velocity_sigma_matches_the_scatter_and_follows_excess_jitter():
    rng = np.random.default_rng(1)
    t = np.arange(40) * 0.5
    truth = 4.0 * t**0.7
    stated = np.full(t.size, 0.3)
    for excess in (1.0, 2.0):
        runs = [truth + excess * stated * rng.standard_normal(t.size) for _ in range(150)]
        scatter = np.std([measured_velocity(t, x) for x in runs], axis=0)
        sigma = np.median([measured_velocity_sigma(t, x, stated) for x in runs], axis=0)
        ratio = sigma / scatter
        assert abs(np.mean(ratio[3:-3]) - 1) < 0.1 and abs(np.mean(ratio[:3]) - 1) < 0.2
        assert np.all(np.abs(ratio - 1) < 0.3)
    gap = truth.copy()
    gap[10] = np.nan
    sigma = measured_velocity_sigma(t, gap, stated)
    assert np.isnan(sigma[10]) and np.all(np.isfinite(np.delete(sigma, 10)))
