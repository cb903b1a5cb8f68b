"""Frames whose fitted front is far wider than the movie's are flagged (front_width)."""

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front_width import log_width_sigma, too_wide


def _fractions(widths, positions, n_samples=60, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    s = np.arange(n_samples, dtype=float)
    clean = ndtr((positions[:, None] - s[None, :]) / widths[:, None])
    return clean + rng.normal(0, noise, clean.shape)


def test_log_width_sigma_matches_scatter_of_refits():
    s = np.arange(60, dtype=float)
    phi = ndtr((30.0 - s) / 2.0)
    sigma = np.full(60, 0.05)
    stated = log_width_sigma(phi, sigma, 30.0, 2.0, 1)
    rng = np.random.default_rng(1)
    logs = []
    for _ in range(200):
        noisy = phi + rng.normal(0, 0.05, 60)
        widths = np.linspace(1.0, 4.0, 301)
        chi2 = [np.sum((noisy - ndtr((30.0 - s) / w)) ** 2) for w in widths]
        logs.append(np.log(widths[int(np.argmin(chi2))]))
    assert 0.7 < stated / np.std(logs) < 1.4


def test_only_the_frame_far_wider_than_the_front_is_flagged():
    n_frames = 30
    positions = np.linspace(10.0, 50.0, n_frames)
    widths = np.full(n_frames, 2.0)
    widths[17] = 9.0
    phi = _fractions(widths, positions)
    wide = too_wide(phi, np.full(60, 0.05), positions, widths, 1)
    assert np.flatnonzero(wide).tolist() == [17]


def test_a_front_that_broadens_slowly_is_kept():
    n_frames = 30
    positions = np.linspace(10.0, 50.0, n_frames)
    widths = np.linspace(1.5, 3.0, n_frames)
    phi = _fractions(widths, positions)
    assert not too_wide(phi, np.full(60, 0.05), positions, widths, 1).any()


def test_frames_without_a_front_are_ignored():
    positions = np.array([np.nan, 20.0, 25.0, np.nan])
    widths = np.array([np.nan, 2.0, 2.0, np.nan])
    phi = _fractions(np.array([2.0] * 4), np.array([20.0] * 4))
    assert not too_wide(phi, np.full(60, 0.05), positions, widths, 1).any()
