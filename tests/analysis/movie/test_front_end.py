"""The samples a stopped front leaves partly reacted, kept only when the front has stopped and
the band's rows share them."""

from functools import cache

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front import track_front_levels
from insitu_tem.analysis.movie.front_end import rows_disagree, still_moving

N_FRAMES, N_SAMPLES = 60, 48


def ar1(rng, rho, n=N_FRAMES):
    """AR(1) noise of unit variance and lag-1 correlation ``rho``."""
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    for i in range(1, n):
        x[i] = rho * x[i - 1] + np.sqrt(1 - rho**2) * e[i]
    return x


def test_correlated_noise_on_a_stopped_area_is_rarely_read_as_motion():
    rng = np.random.default_rng(0)
    alarms = [still_moving(0.3 * ar1(rng, 0.7), frames=6) for _ in range(200)]
    assert np.mean(alarms) <= 0.05


def test_an_area_that_still_changes_at_the_end_is_moving():
    rng = np.random.default_rng(1)
    area = 0.5 * np.arange(N_FRAMES) + 0.3 * ar1(rng, 0.3)
    assert still_moving(area, frames=6)


def band(truth, *, offsets=np.zeros(8), width=3.0, seed=0):
    """(n_frames, n_samples, n_rows) band of a front at ``truth`` (px) plus each row's
    ``offsets``, an erf of ``width`` px, on textured rows with noise."""
    rng = np.random.default_rng(seed)
    pristine = 200 + 15 * rng.standard_normal((N_SAMPLES, offsets.size))
    reacted = pristine - 40 + 8 * rng.standard_normal((N_SAMPLES, offsets.size))
    s = np.arange(N_SAMPLES, dtype=float)[:, None]
    frames = [pristine + (reacted - pristine) * ndtr((p + offsets - s) / width) for p in truth]
    return np.asarray(frames) + rng.normal(scale=5.0, size=(len(truth), N_SAMPLES, offsets.size))


def kymograph(truth, **options):
    """The width-averaged kymograph of :func:`band`."""
    return band(truth, **options).mean(axis=2)


FRAME = np.arange(N_FRAMES, dtype=float)
STALLED = np.minimum(8 + FRAME, 28)


@cache
def stalled_front():
    """(band, levels) of a diffuse front that stops at 28 px from frame 20 to the end."""
    stalled = band(STALLED)
    return stalled, track_front_levels(stalled.mean(axis=2), follows_specimen=True)[1]


def test_a_front_stopped_to_the_end_leaves_partly_reacted_samples_one_moving_again_does_not():
    _, model = stalled_front()
    assert model.end is not None and 0 < model.end[30] < 0.98 and model.end[20] == 1
    restarted = np.where(FRAME < 50, STALLED, 28 + (FRAME - 49))
    _, model, _ = track_front_levels(kymograph(restarted), follows_specimen=True)
    assert model.end is None


def test_a_rough_front_whose_rows_each_passed_or_not_does_not_share_its_end_fraction():
    assert not rows_disagree(*stalled_front())
    rough = band(STALLED, offsets=np.linspace(-4, 4, 8), width=0.5)
    _, model, _ = track_front_levels(rough.mean(axis=2), follows_specimen=True)
    assert model.end is not None and rows_disagree(rough, model)
