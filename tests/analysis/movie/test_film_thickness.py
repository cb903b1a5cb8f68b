"""Expansion: strain from two markers, film thickness across a line, and the
sample movie's ~3 % thickening behind the front."""

import numpy as np
import pytest
from scipy.special import ndtr

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.film_edges import fit_edge
from insitu_tem.analysis.movie.film_thickness import film_thickness, strain_from_lengths
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.samples import EXPERIMENT


def test_marker_strain_relative_to_the_first_frames():
    result = strain_from_lengths([10, 10, 10, 10], [110, 110, 112, 113], n_reference=2)
    assert result.ok and result.reference_px == 100.0
    np.testing.assert_allclose(result.strain, [0, 0, 0.02, 0.03])
    assert not strain_from_lengths([np.nan, 1.0], [np.nan, 2.0], n_reference=1).ok
    with pytest.raises(ValueError, match="same length"):
        strain_from_lengths([1.0], [1.0, 2.0])


def test_film_thickness_follows_edges_even_when_one_edge_reverses_contrast():
    s = np.arange(120, dtype=float)
    rows = []
    for t in range(10):
        top, bottom = 30.0 - 0.2 * t, 90.0
        film = 110.0 - 8.0 * t
        rows.append(
            160 + (film - 160) * ndtr((s - top) / 1.2) + (85 - film) * ndtr((s - bottom) / 1.2)
        )
    result = film_thickness(np.asarray(rows))
    expected = (90.0 - (30.0 - 0.2 * np.arange(10))) / 60.0 - 1.0
    np.testing.assert_allclose(result.strain, expected - expected[:3].mean() + 0.0, atol=2e-3)
    with pytest.raises(ValueError, match="kymograph"):
        film_thickness(np.zeros((3, 10)))


def test_sample_movie_film_expands_three_percent_behind_the_front(generated_sample_movie):
    frames, truth = generated_sample_movie
    shifts = measure_drift(frames).shifts_px
    column = 120.0
    kymo = kymograph(frames, [(60.0, column), (200.0, column)], width=41, shifts_px=shifts)
    result = film_thickness(kymo.image)
    assert result.reference_px == pytest.approx(80.0, abs=0.5)
    passed = truth.front_specimen_px > column + 5
    ahead = truth.front_specimen_px < column - 5
    assert np.nanmean(result.strain[ahead]) == pytest.approx(0.0, abs=0.005)
    assert np.nanmean(result.strain[passed]) == pytest.approx(EXPERIMENT.expansion, abs=0.005)


def noisy_film(seed: int, *, frames: int = 12, noise: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """A kymograph of a film between edges at 30 and 80 (+0.1 px a frame), white noise."""
    rng = np.random.default_rng(seed)
    s = np.arange(120, dtype=float)
    top, bottom = np.full(frames, 30.3), 80.6 + 0.1 * np.arange(frames)
    rows = [
        100 + 60 * ndtr((s - a) / 1.5) - 90 * ndtr((s - b) / 2.0) + rng.normal(0, noise, s.size)
        for a, b in zip(top, bottom)
    ]
    return np.asarray(rows), bottom - top


def test_edge_fits_state_a_one_sigma_that_covers_their_errors_on_noisy_films():
    z_length, z_strain = [], []
    for seed in range(40):
        image, length = noisy_film(seed)
        result = film_thickness(image)
        truth = length / length[:3].mean() - 1
        z_length.append((result.length_px - length) / result.length_sigma_px)
        z_strain.append((result.strain - truth) / result.strain_sigma)
    for z in (np.concatenate(z_length), np.concatenate(z_strain)):
        assert 0.55 <= np.mean(np.abs(z) <= 1) <= 0.82 and np.mean(np.abs(z) <= 2) >= 0.88


def test_strain_sigma_counts_the_reference_once_and_grows_with_the_noise():
    result = strain_from_lengths(
        [0.0] * 5, [100.0] * 5, n_reference=3, start_sigma_px=[0.3] * 5, end_sigma_px=[0.4] * 5
    )
    assert result.reference_sigma_px == pytest.approx(0.5 / np.sqrt(3))
    inside, after = 0.5 * np.sqrt(1 - 2 / 3 + 1 / 3) / 100, 0.5 * np.sqrt(1 + 1 / 3) / 100
    np.testing.assert_allclose(result.strain_sigma, [inside] * 3 + [after] * 2)
    assert result.mean_strain_sigma([3, 4]) == pytest.approx(0.5 * np.sqrt(0.5 + 1 / 3) / 100)
    quiet, loud = (film_thickness(noisy_film(1, noise=n)[0]) for n in (2.0, 8.0))
    assert np.nanmedian(loud.strain_sigma) > 2 * np.nanmedian(quiet.strain_sigma)
    assert strain_from_lengths([0.0, 0.0], [5.0, 6.0]).strain_sigma is None


def test_fit_edge_finds_a_subpixel_edge():
    s = np.arange(40, dtype=float)
    profile = 10 + 30 * ndtr((s - 17.3) / 2.0)
    fit = fit_edge(profile, 15.0, half_window=8)
    assert fit.ok and fit.position == pytest.approx(17.3, abs=1e-3)
    assert fit.width == pytest.approx(2.0, abs=1e-3) and fit.amplitude == pytest.approx(
        30.0, abs=1e-3
    )
    assert not fit_edge(np.full(4, np.nan), 2.0).ok
