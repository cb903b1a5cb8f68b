"""The drift's covariance checked against the frame-to-frame steps: unchanged when they agree
within noise or scatter too much to tell, widened after a jump the steps do not show, and by a
last round that still moved a shift beyond noise or a candidate drift the data cannot reject."""

import numpy as np

from insitu_tem.analysis.movie.drift_consistency import check_consistency, with_alternatives

FRAMES = 60
SIGMA = 0.1


def drift_and_steps(seed=3, *, shift_noise=SIGMA, step_noise=SIGMA):
    rng = np.random.default_rng(seed)
    truth = np.cumsum(rng.normal(0, 0.5, (FRAMES, 2)), axis=0)
    truth -= truth[0]
    shifts = truth + rng.normal(0, shift_noise, (FRAMES, 2))
    shifts -= shifts[0]
    steps = np.diff(truth, axis=0, prepend=truth[:1]) + rng.normal(0, step_noise, (FRAMES, 2))
    own = np.broadcast_to(np.eye(2) * SIGMA**2, (FRAMES, 2, 2))
    covariance = own + own[0]
    return truth, shifts, covariance, steps, own.copy()


def test_a_drift_consistent_with_its_steps_keeps_its_covariance():
    _, shifts, covariance, steps, step_cov = drift_and_steps()
    result = check_consistency(shifts, covariance, steps, step_cov)
    assert 1.0 <= result.birge < 1.3
    assert not result.inconsistent.any()
    np.testing.assert_allclose(result.covariance_px2, covariance)


def test_steps_scattered_beyond_their_sigma_raise_the_threshold_of_a_jump():
    _, shifts, covariance, steps, step_cov = drift_and_steps(step_noise=8 * SIGMA)
    shifts[30:] += 2.0
    result = check_consistency(shifts, covariance, steps, step_cov)
    assert 3 < result.birge < 8
    assert not result.inconsistent.any()
    np.testing.assert_allclose(result.covariance_px2, covariance)


def test_a_jump_the_steps_do_not_show_makes_the_later_frames_uncertain_by_it():
    truth, shifts, covariance, steps, step_cov = drift_and_steps()
    shifts[40:] += (10.0, -12.0)
    result = check_consistency(shifts, covariance, steps, step_cov)
    assert np.flatnonzero(result.inconsistent).tolist() == [40]
    sigma = np.sqrt(np.diagonal(result.covariance_px2, 0, 1, 2))
    assert np.all(sigma[:40] < 5 * SIGMA)
    error = np.abs(shifts - truth)[40:]
    np.testing.assert_allclose(error, sigma[40:], atol=5 * SIGMA)


def test_a_shift_the_last_round_moved_beyond_noise_is_uncertain_by_that_change():
    covariance = np.tile(np.eye(2) * SIGMA**2, (3, 1, 1))
    change = np.array([[0.0, 0.0], [0.3, -0.2], [3.0, 0.1]])
    widened = with_alternatives(covariance, change)
    np.testing.assert_allclose(widened[:2], covariance[:2])
    np.testing.assert_allclose(widened[2], covariance[2] + np.outer(change[2], change[2]))


def test_of_several_candidates_the_one_farthest_beyond_noise_sets_each_shift_uncertainty():
    covariance = np.tile(np.eye(2) * SIGMA**2, (3, 1, 1))
    near = np.array([[0.0, 0.0], [0.2, 0.0], [2.0, 0.0]])
    far = np.array([[0.1, 0.1], [-1.0, 1.0], [0.0, -0.5]])
    widened = with_alternatives(covariance, np.stack([near, far]))
    np.testing.assert_allclose(widened[0], covariance[0])
    np.testing.assert_allclose(widened[1], covariance[1] + np.outer(far[1], far[1]))
    np.testing.assert_allclose(widened[2], covariance[2] + np.outer(near[2], near[2]))
