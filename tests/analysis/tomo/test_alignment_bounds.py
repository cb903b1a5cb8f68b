"""Shifts beyond half the image are not measurements: a series without common structure gives
bounded shifts, ok=False and the reason (before: 1e15 px from near-singular registrations)."""

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.analysis.tomo.geometry import beyond_half_field


def within_half(shifts, shape):
    return np.all(np.abs(shifts) <= np.array(shape) / 2)


def test_projection_matching_on_noise_stops_inside_the_image():
    stack = np.random.default_rng(1).random((5, 24, 24)).astype(np.float32)
    result = align_tilt_series(stack, np.arange(-40.0, 40.1, 20.0), axis_angle_deg=None)
    assert within_half(result.shifts_px, (24, 24))
    assert not result.ok and "more than half the image" in result.reason


def test_cross_correlation_drifting_out_of_the_image_leaves_those_unshifted():
    smooth = ndimage.gaussian_filter(np.random.default_rng(1).random((61, 32, 32)), (0, 4, 4))
    result = align_tilt_series(
        smooth.astype(np.float32), np.linspace(-60, 60, 61), method="xcorr", axis_angle_deg=0.0
    )
    assert within_half(result.shifts_px, (32, 32))
    assert not result.ok and "beyond half the 32 × 32 px image" in result.reason
    unshifted = np.flatnonzero(np.all(result.shifts_px == 0, axis=1))
    assert unshifted.size and np.all(np.isnan(result.shifts_sigma_px[unshifted]))


def test_beyond_half_field_counts_rows_and_columns_apart_and_nan():
    shifts = np.array([[7.9, 0.0], [8.1, 0.0], [0.0, 15.9], [0.0, -16.1], [np.nan, 0.0]])
    assert beyond_half_field(shifts, (16, 32)).tolist() == [1, 3, 4]
