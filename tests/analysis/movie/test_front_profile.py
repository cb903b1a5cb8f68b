"""The erf fitted to one frame's reacted fraction: its 1σ covers the truth about as often as a 1σ
should, has no spikes from samples whose levels barely differ or from a front sharper than the
sampling, and a front within its 1σ of an end of the line is not on it."""

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front_profile import fit_profile, on_line

LENGTH = 60


def fraction(position, width, *, noise, seed, direction=1):
    rng = np.random.default_rng(seed)
    s = np.arange(LENGTH, dtype=float)
    phi = ndtr(direction * (position - s) / width) + rng.normal(0, noise, LENGTH)
    return phi, np.full(LENGTH, noise)


def test_the_1_sigma_covers_about_68_percent_of_noisy_fronts():
    rng = np.random.default_rng(0)
    truths = rng.uniform(15, 45, 300)
    widths = rng.uniform(0.5, 4.0, 300)
    covered = []
    for seed, (truth, width) in enumerate(zip(truths, widths)):
        phi, sigma = fraction(truth, width, noise=0.1, seed=seed)
        fit = fit_profile(phi, sigma, direction=1)
        covered.append(abs(fit.position - truth) <= fit.sigma)
    assert 0.6 <= np.mean(covered) <= 0.8


def test_a_sample_whose_levels_barely_differ_adds_no_spike():
    phi, sigma = fraction(30.3, 1.5, noise=0.05, seed=1)
    clean = fit_profile(phi, sigma, direction=1)
    phi[32], sigma[32] = -30.0, 35.0
    noisy = fit_profile(phi, sigma, direction=1)
    assert abs(noisy.position - 30.3) < 3 * noisy.sigma
    assert noisy.sigma < 2 * clean.sigma and noisy.sigma < 1.0


def test_a_front_about_as_sharp_as_the_sampling_has_a_finite_1_sigma_that_covers_it():
    fits = [
        fit_profile(*fraction(30.4, 0.3, noise=0.02, seed=seed), direction=1) for seed in range(20)
    ]
    assert all(0 < fit.sigma < 0.5 for fit in fits)
    assert 0.5 <= np.mean([abs(fit.position - 30.4) <= fit.sigma for fit in fits]) <= 0.9


def test_a_diffuse_front_within_its_1_sigma_of_the_end_it_moves_to_is_not_on_it():
    def on_line_count(truth, direction=-1):
        return sum(
            on_line(fit_profile(*front, direction=direction), LENGTH, direction)
            for front in (
                fraction(truth, 5.0, noise=0.1, seed=seed, direction=direction)
                for seed in range(10)
            )
        )

    assert on_line_count(30.0) == 10
    assert on_line_count(0.5) <= 5
    assert on_line_count(-2.0) == 0
    assert on_line_count(0.5, direction=1) > on_line_count(0.5)


def test_a_start_stuck_in_a_local_minimum_is_left_for_the_better_centre():
    phi, sigma = fraction(40.2, 1.5, noise=0.05, seed=3)
    phi[15:25] = 0.0
    stuck = fit_profile(phi, sigma, direction=1, start=(15.0, 0.5), interval=False)
    fit = fit_profile(phi, sigma, direction=1, start=(15.0, 0.5))
    assert abs(stuck.position - 40.2) > 10
    assert abs(fit.position - 40.2) < 3 * fit.sigma and fit.sigma < 1.0
    assert np.isnan(stuck.sigma) and fit.noise > 0


def test_samples_whose_levels_barely_differ_widen_the_1_sigma_over_where_they_lie():
    s = np.arange(LENGTH, dtype=float)
    phi = np.where(s < 40, 1.0, 0.0)
    sharp = fit_profile(phi, np.full(LENGTH, 0.05), direction=1)
    unsure = fit_profile(phi, np.where((s >= 20) & (s < 40), 3.0, 0.05), direction=1)
    assert sharp.sigma < 1.0
    assert unsure.interval[1] - unsure.interval[0] > 5 and unsure.sigma > 3 * sharp.sigma
