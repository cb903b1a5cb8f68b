"""The no-front decline: what was measured (samples changed with and against the front's sign,
their order) and the advice those numbers support."""

import numpy as np

from insitu_tem.analysis.movie.front import track_front

N_FRAMES, N_SAMPLES = 40, 100


def stepped(change_frame, step, *, noise=1.0, seed=0):
    """(frames, samples) at 100 plus ``step`` from each sample's ``change_frame`` on
    (no change where ``step`` is 0), with Gaussian noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_FRAMES)[:, None]
    level = 100 + np.where(t >= np.asarray(change_frame)[None, :], np.asarray(step), 0.0)
    return level + rng.normal(scale=noise, size=(N_FRAMES, N_SAMPLES))


def test_noise_alone_is_declined_as_within_the_noise_with_the_counts():
    flat = stepped(np.zeros(N_SAMPLES, int), np.zeros(N_SAMPLES))
    reason = track_front(flat, polarity=1).reason
    assert reason.startswith("no step-like front found along the line (0 of 100 samples")
    assert "fewer than 4 samples change beyond their noise" in reason
    assert "widen the band" in reason


def test_a_front_only_at_the_line_end_asks_for_a_longer_line():
    frame, step = np.zeros(N_SAMPLES, int), np.zeros(N_SAMPLES)
    frame[96:], step[96:] = [30, 25, 20, 15], -20.0
    track = track_front(stepped(frame, step))
    assert not track.ok
    assert "0 against it" in track.reason
    assert "lie at the line's end (samples 96–99 of 100); lengthen the line" in track.reason


def test_changes_of_both_signs_point_to_texture_or_drift():
    rng = np.random.default_rng(1)
    frame = rng.integers(5, 35, N_SAMPLES)
    step = np.where(np.arange(N_SAMPLES) % 2 == 0, 20.0, -20.0)
    track = track_front(stepped(frame, step))
    assert not track.ok and "50 against it" in track.reason
    assert "many samples change against the front's sign" in track.reason
    assert "check the drift correction" in track.reason
