"""A stopped front's partly reacted samples read to their end level in the per-frame fits, only
when the front is shown stopped there."""

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front import track_front_levels
from insitu_tem.analysis.movie.front_stall import changed_after, stall_start
from insitu_tem.analysis.movie.front_states import PURE, StateModel

N_FRAMES, N_SAMPLES, WIDTH = 60, 48, 2.0
FRAME = np.arange(N_FRAMES, dtype=float)
SAMPLE = np.arange(N_SAMPLES, dtype=float)


def band(truth, *, seed=0):
    """(n_frames, n_samples, 8 rows) band of an erf front at ``truth`` (px), textured rows,
    noise."""
    rng = np.random.default_rng(seed)
    pristine = 200 + 15 * rng.standard_normal((N_SAMPLES, 8))
    reacted = pristine - 40 + 8 * rng.standard_normal((N_SAMPLES, 8))
    frames = [pristine + (reacted - pristine) * ndtr((p - SAMPLE[:, None]) / WIDTH) for p in truth]
    return np.asarray(frames) + rng.normal(scale=5.0, size=(len(truth), N_SAMPLES, 8))


def test_a_front_stopped_inside_its_diffuse_zone_is_read_within_its_1_sigma():
    # moves at 0.7 px per frame, stops at 30 px at frame 37; main read the 20 stall frames from
    # frame 40 on 2.5-2.8 px too far along (5σ): their reacted level is the partial one
    truth = np.minimum(4 + 0.7 * FRAME, 30.0)
    own, model, _ = track_front_levels(band(truth).mean(axis=2), follows_specimen=True)
    stall = FRAME >= 40
    error = np.abs(own.position - truth)[stall]
    assert model.end is not None and np.all(np.isfinite(error))
    assert np.median(error) < 0.4 and np.mean(error <= own.position_sigma[stall]) >= 0.75


def levels(end, direction=1):
    """A state model with unit contrast, unit beam and the given end state."""
    ones = np.ones(N_SAMPLES)
    return StateModel(ones, 2 * ones, np.ones(N_FRAMES), 0.05 * ones, 0 * ones, direction, end)


def kymograph(truth, seed=1):
    """(n_frames, n_samples) intensities 1 + φ of a front at ``truth`` (reacted side at low
    index), noise 0.05."""
    rng = np.random.default_rng(seed)
    phi = ndtr((np.asarray(truth)[:, None] - SAMPLE) / WIDTH)
    return 1 + phi + rng.normal(scale=0.05, size=phi.shape)


def end_state(position):
    reached = ndtr((position - SAMPLE) / WIDTH)
    return np.where(reached < PURE, reached, 1.0)


def test_a_front_still_moving_slowly_is_not_shown_stopped_one_that_stopped_is():
    slow = 14 + 0.3 * FRAME  # 4008's speed; its last tenth alone reads as stopped
    assert stall_start(kymograph(slow), levels(end_state(slow[-1]))) is None
    stopped = np.minimum(4 + 0.7 * FRAME, 30.0)
    start = stall_start(kymograph(stopped), levels(end_state(30.0)))
    assert start is not None and 37 <= start <= 45


def test_samples_the_front_reached_after_the_stall_began_are_not_partly_reacted_by_it():
    moving = 10 + 0.5 * FRAME
    model = levels(end_state(moving[-1]))
    late = changed_after(kymograph(moving), model, 40)
    assert late.size and np.all(SAMPLE[late] > 10 + 0.5 * 40 - 3 * WIDTH)
    assert changed_after(kymograph(np.minimum(4 + 0.7 * FRAME, 30.0)), model, 40).size == 0
