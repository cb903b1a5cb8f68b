"""The corpus cache: its band is the kymograph before its mean across the width, and it scores
frames as the validation does."""

from types import SimpleNamespace

import numpy as np

from insitu_tem.analysis.movie.kymograph import kymograph
from validation.movie_cache import band, score


def test_band_averages_to_the_kymograph():
    rng = np.random.default_rng(3)
    movie = rng.poisson(100.0, (5, 48, 48)).astype(np.float32)
    shifts = rng.normal(0.0, 1.5, (5, 2))
    line = np.array([[12.0, 10.0], [30.0, 40.0]])
    kymo = kymograph(movie, line, width=7, shear=0.3, shifts_px=shifts)
    values = band(movie, kymo.sampling, shifts)
    assert values.shape == (5, kymo.image.shape[1], 7)
    np.testing.assert_allclose(values.mean(axis=2), kymo.image, rtol=1e-5)
    assert np.ptp(values, axis=2).max() > 0


def test_score_counts_on_line_frames_it_did_not_measure():
    truth = np.array([-5.0, 5.0, 10.0, 20.0, 60.0])
    movie = SimpleNamespace(truth=truth, properties={"length_px": 40.0})
    position = np.array([np.nan, 5.5, np.nan, 19.0, 61.0])
    errors, sigmas, missed = score({"movie": movie}, position, np.full(5, 0.5))
    np.testing.assert_allclose(errors, [0.5, -1.0, 1.0])
    assert missed == 1 and sigmas.size == 3
