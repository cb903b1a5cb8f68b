"""The drift correction's error enters the front position's 1σ along the line (and across it
through the front's tilt); frames whose drift is unknown, or uncertain by more than the band's
half-width, are not measured."""

import numpy as np

from insitu_tem.analysis.movie.drift import DriftResult
from insitu_tem.analysis.movie.front import FrontTrack
from insitu_tem.analysis.movie.front_line import DRIFT_UNKNOWN, with_drift_error
from insitu_tem.analysis.movie.kymograph import sample_line


def _track(n):
    return FrontTrack(
        np.linspace(5, 30, n),
        np.full(n, 0.3),
        np.full(n, 0.9),
        np.full(n, 2.0),
        np.ones(n, bool),
        1,
    )


def _drift(covariance):
    n = covariance.shape[0]
    return DriftResult(np.zeros((n, 2)), np.ones(n), "static", True, "", covariance)


def test_drift_error_along_the_line_adds_in_quadrature_and_across_it_through_the_shear():
    covariance = np.tile(np.diag([0.2**2, 0.5**2]), (4, 1, 1))
    along_cols = sample_line([(10.0, 0.0), (10.0, 40.0)], width=9)
    track = with_drift_error(_track(4), along_cols, _drift(covariance))
    np.testing.assert_allclose(track.position_sigma, np.hypot(0.3, 0.5))
    sheared = sample_line([(10.0, 0.0), (10.0, 40.0)], width=9, shear=2.0)
    track = with_drift_error(_track(4), sheared, _drift(covariance))
    np.testing.assert_allclose(track.position_sigma, np.sqrt(0.3**2 + 0.5**2 + (2 * 0.2) ** 2))


def test_a_frame_without_a_drift_covariance_is_not_measured():
    covariance = np.tile(np.eye(2) * 0.01, (4, 1, 1))
    covariance[2] = np.inf
    sampling = sample_line([(0.0, 0.0), (30.0, 30.0)], width=5)
    track = with_drift_error(_track(4), sampling, _drift(covariance))
    assert np.isnan(track.position[2]) and not track.present[2] and track.confidence[2] == 0
    assert np.isfinite(track.position[[0, 1, 3]]).all()


def test_a_frame_whose_drift_is_uncertain_beyond_the_half_width_is_not_measured():
    covariance = np.tile(np.eye(2) * 0.01, (4, 1, 1))
    covariance[1] = np.diag([4.4**2, 0.01])
    covariance[3] = np.diag([4.6**2, 0.01])
    sampling = sample_line([(10.0, 0.0), (10.0, 40.0)], width=9)
    track = with_drift_error(_track(4), sampling, _drift(covariance))
    assert track.present.tolist() == [True, True, True, False]
    assert np.isnan(track.position[3]) and np.isfinite(track.position[:3]).all()


def test_without_a_measured_drift_the_track_is_unchanged():
    track = _track(3)
    sampling = sample_line([(0.0, 0.0), (0.0, 30.0)])
    assert with_drift_error(track, sampling, None) is track


def test_a_frame_declined_for_its_drift_says_so():
    covariance = np.tile(np.eye(2) * 0.01, (4, 1, 1))
    covariance[2] = np.inf
    sampling = sample_line([(0.0, 0.0), (30.0, 30.0)], width=5)
    track = FrontTrack(**{**vars(_track(4)), "frame_reason": ("",) * 4})
    track = with_drift_error(track, sampling, _drift(covariance))
    assert track.frame_reason == ("", "", DRIFT_UNKNOWN, "")
