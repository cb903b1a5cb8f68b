"""The erf fit's shortcuts give the same numbers as the direct evaluation: the coarse grid's
erf looked up per centre-sample distance, and the profile-likelihood bound searched a few
centres at a time, on random fractions with unknown samples."""

import numpy as np

from insitu_tem.analysis.movie.front_profile import (
    MARGIN,
    WIDTH_GRID,
    _grid_start,
    _model,
    _Profile,
)


def random_fraction(rng):
    length = int(rng.integers(8, 150))
    direction = int(rng.choice([-1, 1]))
    s = np.arange(length, dtype=float)
    position, width = rng.uniform(-3, length + 3), rng.uniform(0.3, 8.0)
    phi = _model(s, position, width, direction) + rng.normal(0, rng.uniform(0.01, 0.4), length)
    keep = rng.random(length) > 0.15
    return s[keep], phi[keep], rng.uniform(0.05, 0.5, keep.sum()), direction, length


def direct_grid_start(s, phi, weight, direction, length):
    positions = np.arange(-MARGIN, length + MARGIN, 0.5)
    best, start = np.inf, (float(length) / 2, 2.0)
    for width in WIDTH_GRID:
        model = _model(s[None, :], positions[:, None], width, direction)
        chi2 = ((phi[None, :] - model) ** 2 * weight[None, :]).sum(axis=1)
        i = int(np.argmin(chi2))
        if chi2[i] < best:
            best, start = chi2[i], (float(positions[i]), width)
    return start


def direct_bound(profile, position, side, chi2_min, threshold):
    """The first crossing of ``threshold`` on every stage's offsets evaluated in one call."""
    room = side * (profile.limits[(side + 1) // 2] - position)
    offsets = [0.0]
    for step, reach in profile.STAGES:
        stage = np.arange(offsets[-1] + step, min(reach, room) + step / 2, step)
        if stage.size == 0:
            break
        offsets.extend(stage)
    offsets = np.array(offsets)
    excess = np.r_[0.0, profile.chi2(position + side * offsets[1:]) - chi2_min]
    above = np.flatnonzero(excess[1:] > threshold)
    if not above.size:
        return position + side * max(room, 0.0)
    i = above[0] + 1
    fraction = (threshold - excess[i - 1]) / (excess[i] - excess[i - 1])
    return position + side * (offsets[i - 1] + fraction * (offsets[i] - offsets[i - 1]))


def test_the_grid_start_equals_the_direct_evaluation():
    rng = np.random.default_rng(3)
    for _ in range(200):
        s, phi, sigma, direction, length = random_fraction(rng)
        weight = 1 / sigma**2
        assert _grid_start(s, phi, weight, direction, length) == direct_grid_start(
            s, phi, weight, direction, length
        )


def test_the_interval_bounds_equal_the_search_of_whole_stages():
    rng = np.random.default_rng(4)
    for _ in range(200):
        s, phi, sigma, direction, length = random_fraction(rng)
        profile = _Profile(s, phi, 1 / sigma, direction, length)
        position = rng.uniform(-2, length + 1)
        chi2_min = float(profile.chi2(np.array([position]))[0]) - rng.uniform(0, 3)
        threshold = rng.uniform(1.0, 20.0)
        for side in (-1, 1):
            assert profile._bound(position, side, chi2_min, threshold) == direct_bound(
                profile, position, side, chi2_min, threshold
            )
