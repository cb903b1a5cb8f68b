"""Drift on what does not change: a strong moving front does not drag the estimate, the
changing pixels are found from the data, a user ROI is honoured, the search stays near the
previous frame, the sample movie's known drift is recovered, and the frames' images kept between
passes change nothing."""

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.movie import drift_static
from insitu_tem.analysis.movie.drift_registration import PhaseCorrelator, dilated
from insitu_tem.analysis.movie.drift_change import static_mask
from insitu_tem.analysis.movie.drift_static import measure_static_drift
from tests.analysis.movie.test_drift import random_walk, rms, textured_movie

pytestmark = pytest.mark.slow


def front_movie(n=16, *, contrast=0.15, speed=5.0, seed=5):
    """Weak static texture with a strong straight front sweeping across the whole frame."""
    truth = random_walk(n, seed=seed, scale=0.5)
    movie = textured_movie(truth, counts=200.0, contrast=contrast).astype(float)
    cols = np.arange(128)[None, :]
    for i in range(n):
        edge = 30 + speed * i + truth[i, 1]
        movie[i] = np.where(cols < edge, movie[i] * 0.5, movie[i])
    return movie, truth


def test_a_strong_front_across_the_field_and_fixed_illumination_do_not_drag_the_drift():
    movie, truth = front_movie(contrast=0.05)
    rows, cols = np.indices(movie.shape[1:])
    movie *= 1 - 0.15 * ((rows - 50) ** 2 + (cols - 70) ** 2) / 64**2
    static = measure_static_drift(movie)
    assert static.ok and static.reference == "static"
    assert rms(static.shifts_px, truth) <= 0.12


def test_the_swept_band_is_found_changing_and_the_rest_static():
    movie, truth = front_movie()
    mask = static_mask(movie, truth)
    swept = slice(40, 100)
    assert mask is not None
    assert mask[:, swept].mean() < 0.05
    assert mask[:, 8:24].mean() > 0.8 and mask[:, 116:124].mean() > 0.8


def test_a_user_roi_is_kept():
    movie, truth = front_movie()
    result = measure_static_drift(movie, reference="previous", roi=(0, 128, 0, 25))
    assert result.reference == "previous"
    assert rms(result.shifts_px, truth) <= 0.2


def test_search_radius_keeps_the_peak_near_the_given_shift():
    movie = textured_movie([(0.0, 0.0), (3.0, -2.0)], counts=1000.0)
    correlator = PhaseCorrelator(movie.shape[1:])
    reference, moving = (correlator.spectrum(f) for f in movie)
    np.testing.assert_allclose(
        correlator.measure(reference, moving, near=(2.0, -1.0), radius=3.0).shift_px,
        [3.0, -2.0],
        atol=0.05,
    )
    far = correlator.measure(reference, moving, near=(-20.0, 20.0), radius=3.0).shift_px
    assert np.hypot(far[0] + 20, far[1] - 20) <= 3.0 + 1.5


@pytest.mark.parametrize("reference", ["first", "running"])
def test_sample_movie_drift_is_recovered(reference, generated_sample_movie):
    frames, truth = generated_sample_movie
    assert rms(measure_static_drift(frames, reference=reference).shifts_px, truth.drift_px) <= 0.1


def test_images_kept_for_only_some_frames_give_the_same_drift(monkeypatch):
    movie, _ = front_movie(n=8)
    kept = measure_static_drift(movie)
    frame_bytes = 4 * movie.shape[1] * movie.shape[2]
    monkeypatch.setattr(drift_static, "HELD_BYTES", 3 * frame_bytes)
    partly = measure_static_drift(movie)
    monkeypatch.setattr(drift_static, "HELD_BYTES", 0)
    none = measure_static_drift(movie)
    for other in (partly, none):
        assert np.array_equal(other.shifts_px, kept.shifts_px)
        assert np.array_equal(other.covariance_px2, kept.covariance_px2)
        assert np.array_equal(other.peak, kept.peak)


@pytest.mark.parametrize("iterations", [1, 3, 5])
def test_dilation_by_slices_is_the_binary_dilation(iterations):
    rng = np.random.default_rng(iterations)
    for shape, density in (((40, 57), 0.02), ((33, 20), 0.3), ((1, 9), 0.2)):
        mask = rng.random(shape) < density
        expected = ndimage.binary_dilation(mask, iterations=iterations)
        assert np.array_equal(dilated(mask, iterations), expected)


def test_a_drift_the_noise_hides_is_not_measured_and_a_visible_one_is():
    truth = random_walk(16, seed=2, scale=0.5)
    hidden = measure_static_drift(textured_movie(truth, counts=50.0, contrast=0.004))
    assert not hidden.ok and "below detection" in hidden.reason
    assert np.all(np.isinf(hidden.covariance_px2))
    seen = measure_static_drift(textured_movie(truth, counts=50.0, contrast=0.03))
    assert seen.ok and rms(seen.shifts_px, truth) <= 0.25
    assert np.all(np.isfinite(seen.covariance_px2))
