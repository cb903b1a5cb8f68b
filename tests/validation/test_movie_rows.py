"""Stage (v) of the movie error budget (:mod:`validation.movie_rows`): each row of the band read
as an area, whatever its shape and contrast, and the rows averaged evenly as the truth is."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front_profile import fit_profile
from validation.movie_rows import band_position, row_positions

SAMPLES = 60


def _step(centre: float) -> np.ndarray:
    return ndtr((centre - np.arange(SAMPLES, dtype=float)) / 1.5)


def test_a_folded_row_is_read_as_its_area():
    folded = _step(20.0) - _step(26.0) + _step(31.0)
    phi = np.column_stack([folded, _step(24.0)])
    positions = row_positions(
        phi, np.full(phi.shape, 0.01), direction=1, window=(12.0, 38.0), erf=(24.5, 3.0)
    )
    np.testing.assert_allclose(positions, [25.0, 24.0], atol=0.05)


def test_rows_count_evenly_whatever_their_contrast():
    crossings = np.array([18.0, 21.0, 24.0, 27.0, 30.0])
    contrast = np.array([1.0, 1.0, 0.1, 0.1, 0.1])
    phi = np.column_stack([_step(c) for c in crossings])
    sigma = 0.01 / contrast[None, :] * np.ones((SAMPLES, 1))
    offsets = np.arange(5.0) - 2
    counts = phi * contrast[None, :]
    width_average = counts.mean(axis=1) / contrast.mean()
    erf = fit_profile(width_average, np.full(SAMPLES, 0.01), direction=1, interval=False)
    assert abs(erf.position - crossings.mean()) > 1.0
    position = band_position(
        phi,
        sigma,
        direction=1,
        window=(10.0, 38.0),
        erf=(erf.position, erf.width),
        offsets=offsets,
        shear=0.0,
    )
    assert abs(position - crossings.mean()) < 0.05


def test_a_sheared_row_is_placed_along_the_line():
    along, shear = 30.0, 0.8
    offsets = np.arange(5.0) - 2
    phi = np.column_stack([_step(along - shear * v) for v in offsets])
    phi[:, 0] = np.nan
    position = band_position(
        phi,
        np.full(phi.shape, 0.01),
        direction=1,
        window=(20.0, 40.0),
        erf=(along, 1.5),
        offsets=offsets,
        shear=shear,
    )
    assert abs(position - along) < 0.05


def test_a_noisy_straight_front_keeps_the_erf_s_precision():
    rng = np.random.default_rng(0)
    noise = 0.2
    phi = _step(30.3)[:, None] + rng.normal(0.0, noise, (SAMPLES, 20))
    sigma = np.full(phi.shape, noise)
    erf = fit_profile(phi.mean(axis=1), sigma[:, 0] / np.sqrt(20), direction=1)
    position = band_position(
        phi,
        sigma,
        direction=1,
        window=(15.0, 45.0),
        erf=(erf.position, erf.width),
        offsets=np.arange(20.0) - 9.5,
        shear=0.0,
    )
    assert abs(position - 30.3) < 2 * erf.sigma
