"""Front positions from each band pixel's own passage: a rough front whose rows differ in
contrast, where the width-averaged kymograph weighs the rows by their contrast."""

from dataclasses import replace
from functools import cache

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front import track_front_levels
from insitu_tem.analysis.movie.front_trajectory import along_trajectory
from insitu_tem.analysis.movie.front_passage import MAX_FRAMES, passage_positions, with_passages

N_FRAMES, N_SAMPLES, N_ROWS = 40, 48, 8


def rough_band(seed=0):
    """(band, truth): a front moving 0.7 px a frame, each row's front ``±2.5`` px from the
    mean, the rows' contrast 10-60 counts (high where the front is ahead), textured levels and a
    reacted texture that drifts in time; truth the rows' equal-weight mean front."""
    rng = np.random.default_rng(seed)
    offset = np.linspace(-2.5, 2.5, N_ROWS)
    contrast = np.linspace(10.0, 60.0, N_ROWS)
    pristine = 200 + 15 * rng.standard_normal((N_SAMPLES, N_ROWS))
    texture = 8 * rng.standard_normal((N_SAMPLES, N_ROWS))
    s = np.arange(N_SAMPLES, dtype=float)[:, None]
    truth = 8 + 0.7 * np.arange(N_FRAMES)
    frames = []
    for t, p in enumerate(truth):
        reacted = pristine - contrast + texture * (1 + t / N_FRAMES)
        phi = ndtr((p + offset - s) / 0.7)
        frames.append(pristine + (reacted - pristine) * phi)
    band = np.asarray(frames) + rng.normal(scale=5.0, size=(N_FRAMES, N_SAMPLES, N_ROWS))
    return band, truth


@cache
def tracked(seed):
    """(band, truth, erf track, levels, fits) of :func:`rough_band` ``seed``."""
    band, truth = rough_band(seed)
    return band, truth, *track_front_levels(band.mean(axis=2), follows_specimen=True)


def test_passages_read_the_rows_with_equal_weight_where_the_width_average_does_not():
    band, truth, track, model, fits = tracked(0)
    assert track.ok
    position = passage_positions(band, model, fits, track.position)
    inner = slice(3, N_FRAMES - 3)
    passage_error = np.abs(position - truth)[inner]
    erf_error = np.abs(track.position - truth)[inner]
    assert np.median(passage_error) < 0.3
    assert np.median(passage_error) < 0.5 * np.nanmedian(erf_error)


def test_frames_take_the_mean_of_both_readings_where_they_agree_and_stay_absent_if_absent():
    band, truth, own, model, fits = tracked(1)
    track = along_trajectory(own)
    position = passage_positions(band, model, fits, own.position)
    kept = with_passages(track, band, model, fits, own.position)
    assert np.array_equal(np.isfinite(kept.position), np.isfinite(track.position))
    agree = np.abs(position - track.position) <= 3 * np.sqrt(2) * track.position_sigma
    assert agree.sum() >= N_FRAMES // 2
    np.testing.assert_allclose(kept.position[agree], (position + track.position)[agree] / 2)
    np.testing.assert_array_equal(kept.position[~agree], track.position[~agree])
    np.testing.assert_array_equal(kept.position_sigma, track.position_sigma)
    inner = slice(3, N_FRAMES - 3)
    assert np.median(np.abs(kept.position - truth)[inner]) < np.median(
        np.abs(track.position - truth)[inner]
    )


def test_a_track_without_a_measured_frame_is_returned_unchanged():
    band, _, own, model, fits = tracked(1)
    absent = replace(own, position=np.full(N_FRAMES, np.nan))
    assert with_passages(absent, band, model, fits, own.position) is absent


def test_a_movie_longer_than_the_grid_is_read_on_binned_frames():
    rng = np.random.default_rng(3)
    n_frames, n_samples, n_rows = MAX_FRAMES + 31, 40, 4
    pristine = 200 + 10 * rng.standard_normal((n_samples, n_rows))
    s = np.arange(n_samples, dtype=float)[:, None]
    truth = 6 + 28 * np.arange(n_frames) / n_frames
    band = np.asarray([pristine - 50 * ndtr((p - s) / 0.7) for p in truth])
    band += rng.normal(scale=5.0, size=band.shape)
    track, model, fits = track_front_levels(band.mean(axis=2), follows_specimen=True)
    position = passage_positions(band, model, fits, track.position)
    assert position.shape == (n_frames,)
    assert np.median(np.abs(position - truth)[20:-20]) < 0.3


def stalled_band(seed=0):
    """(band, truth): a diffuse front (erf width 3 px) that moves 1 px a frame from 8 px, then
    stops at 28 px for the rest of the movie, its samples ahead left partly reacted."""
    rng = np.random.default_rng(seed)
    n_frames = 60
    pristine = 200 + 15 * rng.standard_normal((N_SAMPLES, N_ROWS))
    reacted = pristine - 40 + 8 * rng.standard_normal((N_SAMPLES, N_ROWS))
    s = np.arange(N_SAMPLES, dtype=float)[:, None]
    truth = np.minimum(8 + np.arange(n_frames, dtype=float), 28)
    frames = [pristine + (reacted - pristine) * ndtr((p - s) / 3.0) for p in truth]
    return np.asarray(frames) + rng.normal(scale=5.0, size=(n_frames, N_SAMPLES, N_ROWS)), truth


def test_a_front_stopped_inside_its_diffuse_zone_is_not_read_past_its_partly_reacted_samples():
    band, truth = stalled_band()
    track, model, fits = track_front_levels(band.mean(axis=2), follows_specimen=True)
    assert model.end is not None and 0 < model.end[31] < 0.98 and model.end[10] == 1
    position = passage_positions(band, model, fits, track.position)
    stall = truth == truth[-1]
    assert abs(np.median(position[stall] - truth[stall])) < 1.5
    read_as_passed = passage_positions(band, replace(model, end=None), fits, track.position)
    assert np.median(read_as_passed[stall] - truth[stall]) > 3
