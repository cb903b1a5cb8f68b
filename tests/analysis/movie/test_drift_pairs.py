"""Drift from frame pairs: the least-squares solution rejects a pair that followed something
else, and a strong front sweeping the frame does not drag the pair registrations."""

import numpy as np

from insitu_tem.analysis.movie.drift_pairs import _level, changed, pair_drift, solve_pairs
from insitu_tem.analysis.movie.drift_change import normalised
from insitu_tem.analysis.movie.drift_static import _highpass, _soft_weight
from tests.analysis.movie.test_drift import random_walk, rms
from tests.analysis.movie.test_drift_static import front_movie


def test_pairs_solve_the_drift_and_an_outlying_pair_is_rejected():
    truth = random_walk(10, seed=3)
    first = np.array([i for lag in (1, 3) for i in range(10 - lag)])
    second = np.array([i + lag for lag in (1, 3) for i in range(10 - lag)])
    shift = truth[second] - truth[first]
    shift[4] += (6.0, -5.0)
    solved = solve_pairs(10, first, second, shift, np.full(shift.shape, 0.01))
    assert rms(solved, truth) <= 1e-6


def test_a_sweeping_front_is_left_out_of_every_pair():
    movie, truth = front_movie(n=12, contrast=0.05)
    band = changed(*(_level(frame) for frame in movie[[5, 4]]))
    assert band[:, 55:60].all() and band[:, 100:].mean() < 0.05
    found = pair_drift(
        movie,
        _soft_weight(movie.shape[1:], None),
        lambda index, frame: _highpass(normalised(frame)),
        upsample=20,
        chunk=4,
    )
    assert rms(found, truth) <= 0.15
