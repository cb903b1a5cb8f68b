"""The movie error budget's building blocks (:mod:`validation.movie_floor`): the generator's
noise-free frames are the mean of what it records, the information bound lies below what an
estimator given the true levels achieves, and the band's rows (v) read the front closer than the
width average's erf (iii) in the same frames."""

from __future__ import annotations

import numpy as np

from validation.movie_cases import make_movie, plan_movie
from validation.movie_floor import cramer_rao_sigmas, true_level_stages
from insitu_tem.analysis.movie.kymograph import sample_line

SEED = 1001


def test_expected_counts_are_the_mean_of_the_recorded_frames():
    movie = make_movie(SEED, frames=4)
    plan, _ = plan_movie(SEED, frames=4)
    for i in range(4):
        mean = plan.expected_counts(i)
        z = (movie.movie[i] - mean) / np.sqrt(np.maximum(mean, 1e-9))
        assert abs(z.mean()) < 0.05 and 0.9 < z.var() < 1.1


def test_pure_states_bracket_the_recorded_frame():
    plan, _ = plan_movie(SEED, frames=4)
    pristine = plan.expected_counts(2, state="pristine")
    reacted = plan.expected_counts(2, state="reacted")
    frame = plan.expected_counts(2)
    low, high = np.minimum(pristine, reacted), np.maximum(pristine, reacted)
    inside = (frame >= low - 0.05 * np.abs(high - low)) & (
        frame <= high + 0.05 * np.abs(high - low)
    )
    assert inside.mean() > 0.99
    assert np.any(np.isclose(frame, pristine, rtol=1e-6))
    assert np.any(np.isclose(frame, reacted, rtol=1e-6))


def test_bound_lies_below_the_true_level_fit():
    frames = 12
    movie = make_movie(SEED, frames=frames)
    plan, _ = plan_movie(SEED, frames=frames)
    normal = np.array([plan.normal_position(i) for i in range(frames)])
    fitted, area, noise_free, rows = true_level_stages(plan, movie, 0.0, normal)
    on = (plan.truth > 1) & (plan.truth < plan.properties["length_px"] - 1)
    bound = cramer_rao_sigmas(plan, sample_line(movie.line_rc, width=movie.width), normal)[on]
    assert np.all(np.isfinite(bound)) and np.all(bound > 0)
    errors = np.abs(fitted.position - plan.truth)[on]
    assert np.isfinite(errors).sum() >= on.sum() // 2
    assert np.nanmedian(errors) > np.median(bound)
    assert np.all(np.isfinite(area.position[on])) and np.all(np.isfinite(noise_free.position[on]))
    assert np.nanmedian(np.abs(noise_free.position - plan.truth)[on]) < np.nanmedian(
        np.abs(area.position - plan.truth)[on]
    )
    assert np.array_equal(np.isfinite(rows.position), np.isfinite(fitted.position))
    assert np.nanmedian(np.abs(rows.position - plan.truth)[on]) < np.nanmedian(errors)
