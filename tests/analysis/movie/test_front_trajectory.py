"""Front positions read from the trajectory: independent scatter averaged down, stalls, kinks
and reversals followed, a frame gone astray on both sides read from the others, frames not
measured left so, and a 1σ that never assumes the frames' errors independent."""

import numpy as np

from insitu_tem.analysis.movie.front import FrontTrack
from insitu_tem.analysis.movie.front_trajectory import (
    BANDWIDTHS,
    MIN_FRAMES,
    along_trajectory,
    bandwidth,
    local_linear_weights,
)


def noisy_track(truth, *, noise=0.5, seed=0):
    rng = np.random.default_rng(seed)
    truth = np.asarray(truth, dtype=float)
    position = truth + rng.normal(scale=noise, size=truth.size)
    n = truth.size
    return FrontTrack(
        position,
        np.full(n, noise),
        np.ones(n),
        np.full(n, 2.0),
        np.isfinite(truth),
        1,
        position_noise=np.full(n, noise),
    )


def test_weights_reproduce_a_straight_line_exactly():
    frames = np.arange(20, dtype=float)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, frames.size)
    line = 3.0 + 0.7 * frames
    for half_width in BANDWIDTHS:
        rows = local_linear_weights(frames, weights, half_width)
        usable = np.isfinite(rows).all(axis=1)
        assert usable[2:-2].all()
        np.testing.assert_allclose(rows[usable] @ line, line[usable], atol=1e-9)
        np.testing.assert_allclose(rows[usable].sum(axis=1), 1.0, atol=1e-12)


def test_leave_one_out_rows_ignore_their_own_frame():
    frames = np.arange(12, dtype=float)
    rows = local_linear_weights(frames, np.ones(12), 2, leave_out=True)
    usable = np.isfinite(rows).all(axis=1)
    assert usable[1:-1].all()
    assert np.all(np.diag(rows)[usable] == 0.0)


def test_independent_scatter_is_averaged_down():
    truth = 10.0 + 0.4 * np.arange(60)
    raw = noisy_track(truth)
    smoothed = along_trajectory(raw)
    raw_error = np.sqrt(np.mean((raw.position - truth) ** 2))
    error = np.sqrt(np.mean((smoothed.position - truth) ** 2))
    assert error < 0.8 * raw_error
    assert np.all(smoothed.position_noise <= raw.position_noise + 1e-12)


def test_sigma_takes_the_frames_errors_as_correlated():
    truth = 10.0 + 0.4 * np.arange(60)
    raw = noisy_track(truth)
    smoothed = along_trajectory(raw)
    assert np.all(smoothed.position_sigma >= raw.position_sigma - 1e-12)


def test_a_stall_and_a_reversal_are_followed():
    t = np.arange(60, dtype=float)
    truth = np.where(t < 20, 5.0 + t, np.where(t < 35, 25.0, 25.0 - 0.8 * (t - 35)))
    smoothed = along_trajectory(noisy_track(truth, noise=0.2, seed=3))
    assert np.median(np.abs(smoothed.position - truth)) < 0.2
    assert np.max(np.abs(smoothed.position - truth)) < 1.0


def test_bandwidth_grows_with_the_scatter_of_a_smooth_track():
    frames = np.arange(60, dtype=float)
    truth = 0.01 * (frames - 30) ** 2
    quiet = truth + np.random.default_rng(4).normal(scale=0.01, size=60)
    loud = truth + np.random.default_rng(4).normal(scale=2.0, size=60)
    ones = np.ones(60)
    assert bandwidth(frames, quiet, ones) < bandwidth(frames, loud, ones)


def test_frames_not_measured_stay_so():
    truth = 10.0 + 0.4 * np.arange(40)
    raw = noisy_track(truth)
    gaps = raw.position.copy()
    gaps[[0, 7, 8, 30, 39]] = np.nan
    smoothed = along_trajectory(
        FrontTrack(
            gaps,
            np.where(np.isfinite(gaps), raw.position_sigma, np.nan),
            raw.confidence,
            raw.width,
            np.isfinite(gaps),
            1,
            position_noise=np.where(np.isfinite(gaps), raw.position_noise, np.nan),
        )
    )
    np.testing.assert_array_equal(np.isfinite(smoothed.position), np.isfinite(gaps))


def test_a_frame_at_a_sharp_turn_keeps_its_own_fit():
    t = np.arange(40, dtype=float)
    truth = np.where(t < 20, 10.0, 10.0 + 2.0 * (t - 20))
    raw = noisy_track(truth, noise=0.05, seed=5)
    smoothed = along_trajectory(raw)
    assert np.max(np.abs(smoothed.position - raw.position)[18:23]) < 0.05
    assert np.max(np.abs(smoothed.position - truth)) < 0.2


def test_a_frame_off_its_path_on_both_sides_is_read_from_the_others():
    truth = 10.0 + 0.4 * np.arange(40)
    raw = noisy_track(truth, noise=0.05, seed=5)
    astray = raw.position.copy()
    astray[20] += 3.0
    smoothed = along_trajectory(FrontTrack(**{**vars(raw), "position": astray}))
    assert abs(smoothed.position[20] - truth[20]) < 0.1
    assert np.max(np.abs(smoothed.position - truth)) < 0.15
    assert smoothed.position_sigma[20] < 0.1


def test_one_sided_rows_use_only_the_frames_on_that_side():
    frames = np.arange(15, dtype=float)
    line = 2.0 - 0.3 * frames
    for side in (-1, 1):
        rows = local_linear_weights(frames, np.ones(15), 3, side=side)
        usable = np.isfinite(rows).all(axis=1)
        assert usable.sum() == 13
        offsets = frames[None, :] - frames[:, None]
        assert np.all(rows[usable][np.sign(offsets[usable]) != side] == 0.0)
        np.testing.assert_allclose(rows[usable] @ line, line[usable], atol=1e-9)


def test_too_few_frames_or_no_scatter_leave_the_track_unchanged():
    raw = noisy_track(np.arange(MIN_FRAMES - 1, dtype=float))
    assert along_trajectory(raw) is raw
    bare = FrontTrack(**{**vars(noisy_track(np.arange(30.0))), "position_noise": None})
    assert along_trajectory(bare) is bare
