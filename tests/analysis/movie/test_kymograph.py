"""Kymographs: known-answer profiles along lines and polylines, width averaging,
calibrated distance, drift following, lazy input and bad input."""

import dask.array as da
import numpy as np
import pytest

from insitu_tem.analysis.movie.kymograph import kymograph, sample_line
from insitu_tem.core.model import Axis


def ramp_movie(n=4, shape=(40, 60)):
    """Frame t holds value 100 * t + col (a ramp along x that brightens over time)."""
    cols = np.arange(shape[1], dtype=float)[None, None, :]
    frames = np.arange(n, dtype=float)[:, None, None] * 100 + cols
    return np.broadcast_to(frames, (n,) + shape).astype(np.float32)


def test_horizontal_line_reads_the_ramp_in_every_frame():
    kymo = kymograph(ramp_movie(), [(20, 5), (20, 45)], width=5)
    assert kymo.image.shape == (4, 41) and kymo.ok
    np.testing.assert_allclose(kymo.distance_px, np.arange(41.0))
    np.testing.assert_allclose(kymo.image[2], 200 + np.arange(5, 46), atol=1e-4)


def test_width_averages_across_the_line():
    frame = np.zeros((1, 30, 30), np.float32)
    frame[0, 10, :] = 9.0
    thin = kymograph(frame, [(11, 0), (11, 29)], width=1)
    wide = kymograph(frame, [(11, 0), (11, 29)], width=3)
    np.testing.assert_allclose(thin.image, 0.0)
    np.testing.assert_allclose(wide.image, 3.0, atol=1e-5)


def test_polyline_follows_both_segments_with_arc_length():
    sampling = sample_line([(0, 0), (0, 10), (10, 10)], width=1)
    assert sampling.distance_px[-1] == pytest.approx(20.0)
    np.testing.assert_allclose(sampling.centres_rc[15], [5.0, 10.0])
    np.testing.assert_allclose(np.abs(sampling.normals_rc[15]), [0.0, 1.0])


def test_calibrated_distance_handles_non_square_pixels():
    sampling = sample_line([(0, 0), (3, 4)], width=1, step=0.5)
    row, col = Axis("y", 10, 2.0, 0, "nm"), Axis("x", 10, 1.0, 0, "nm")
    assert sampling.calibrated_distance(row, col)[-1] == pytest.approx(np.hypot(6.0, 4.0))


def test_shifts_make_the_line_follow_the_specimen():
    movie = ramp_movie(n=3)
    shifts = np.array([[0.0, 0.0], [0.0, 2.5], [1.0, -3.0]])
    kymo = kymograph(movie, [(20, 10), (20, 30)], shifts_px=shifts)
    np.testing.assert_allclose(kymo.image[1], 100 + np.arange(10, 31) + 2.5, atol=1e-3)
    np.testing.assert_allclose(kymo.image[2], 200 + np.arange(10, 31) - 3.0, atol=1e-3)


def test_lazy_movie_matches_numpy_and_stops_early():
    movie = ramp_movie(n=6)
    lazy = da.from_array(movie, chunks=(2, 40, 60))
    eager = kymograph(movie, [(5, 5), (30, 50)], width=3)
    np.testing.assert_allclose(
        kymograph(lazy, [(5, 5), (30, 50)], width=3, chunk=4).image, eager.image
    )
    counter = iter(range(100))
    stopped = kymograph(movie, [(5, 5), (30, 50)], should_stop=lambda: next(counter) >= 2)
    assert (
        not stopped.ok
        and stopped.stopped_at == 2
        and stopped.reason == "stopped at frame 2 of 6"
        and np.isnan(stopped.image[2:]).all()
        and np.isfinite(stopped.image[:2]).all()
    )


@pytest.mark.parametrize(
    "points, kwargs, message",
    [
        ([(0, 0)], {}, "two"),
        ([(0, 0), (0, 0.2)], {}, "shorter"),
        ([(0, 0), (0, 10)], {"width": 0.5}, "width"),
    ],
)
def test_bad_lines_raise_with_a_fix(points, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kymograph(ramp_movie(), points, **kwargs)


def test_shift_shape_is_checked():
    with pytest.raises(ValueError, match="shifts_px"):
        kymograph(ramp_movie(), [(1, 1), (1, 20)], shifts_px=np.zeros((2, 2)))
