"""Alignment against known shifts and tilt-axis offset of the phantom."""

import numpy as np
import pytest

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.analysis.tomo.alignment_result import apply_alignment
from insitu_tem.analysis.tomo.geometry import gauge_shifts, to_axis_frame
from insitu_tem.samples.tomo import Phantom, make_series

PHANTOM = Phantom(
    size=64, tilts_deg=tuple(np.arange(-60.0, 60.1, 7.5)), counts=200.0, shift_rms_px=3.0
)


@pytest.fixture(scope="module")
def series():
    return make_series(PHANTOM)


def rms(a, b):
    return float(np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))))


def test_auto_alignment_recovers_shifts_and_axis(series):
    result = align_tilt_series(series["haadf"], series["tilts_deg"], axis_angle_deg=0.0)
    assert result.ok, result.reason
    assert rms(result.shifts_px, series["shifts_px"]) < 0.5
    assert rms(np.zeros_like(series["shifts_px"]), series["shifts_px"]) > 2.5
    assert abs(result.axis_offset_px - PHANTOM.axis_offset_px) < 1.0
    error, sigma = result.shifts_px - series["shifts_px"], result.shifts_sigma_px
    assert sigma.shape == error.shape and np.all(sigma > 0)
    assert np.median(sigma[:, 0]) > 3 * np.median(sigma[:, 1])
    assert 0.5 <= np.mean(np.abs(error) <= sigma) and np.mean(np.abs(error) <= 3 * sigma) >= 0.95


def test_shift_sigma_turns_with_the_axis():
    from insitu_tem.analysis.tomo.alignment import image_frame_sigma

    axis_frame = np.array([[0.4, 0.03], [0.2, 0.1]])
    np.testing.assert_allclose(image_frame_sigma(axis_frame, 0.0), axis_frame)
    np.testing.assert_allclose(image_frame_sigma(axis_frame, 90.0), axis_frame[:, ::-1])
    turned = image_frame_sigma(axis_frame, 30.0)
    np.testing.assert_allclose(np.sum(turned**2, axis=1), np.sum(axis_frame**2, axis=1))


def test_com_alignment_is_right_across_the_axis(series):
    result = align_tilt_series(
        series["haadf"], series["tilts_deg"], method="com", axis_angle_deg=0.0, axis_offset_px=0.0
    )
    assert result.axis_offset_px == 0.0 and result.axis_offset_sigma_px == 0.0
    across = result.shifts_px[:, 1] - series["shifts_px"][:, 1]
    assert np.sqrt(np.mean(across**2)) < 0.5 < np.sqrt(np.mean(series["shifts_px"][:, 1] ** 2))
    assert np.all(np.isnan(result.shifts_sigma_px))
    assert rms(result.shifts_px, series["shifts_px"]) < 1.5


def test_alignment_applies_to_another_channel(series):
    result = align_tilt_series(
        series["haadf"], series["tilts_deg"], method="xcorr", axis_angle_deg=0.0
    )
    aligned = apply_alignment(series["oxygen"], result)
    truth = to_axis_frame(series["oxygen"], shifts_px=series["shifts_px"])
    raw_r = np.corrcoef(series["oxygen"].ravel(), truth.ravel())[0, 1]
    assert np.corrcoef(aligned.ravel(), truth.ravel())[0, 1] > raw_r + 0.05
    with pytest.raises(ValueError, match="tilts"):
        apply_alignment(series["oxygen"][:-1], result)


def test_gauge_removes_only_the_unmeasurable_modes():
    tilts = np.arange(-60.0, 61.0, 10.0)
    theta = np.deg2rad(tilts)
    random = np.random.default_rng(1).normal(0, 1, (tilts.size, 2))
    gauged = gauge_shifts(random, tilts, 0.0)
    modes = np.stack([3 + 0 * theta, 2 + np.cos(theta) - 4 * np.sin(theta)], axis=1)
    np.testing.assert_allclose(gauge_shifts(gauged + modes, tilts, 0.0), gauged, atol=1e-9)
    np.testing.assert_allclose(gauge_shifts(gauged, tilts, 0.0), gauged, atol=1e-9)


def test_bad_series_raise():
    with pytest.raises(ValueError, match="one angle per projection"):
        align_tilt_series(np.ones((3, 32, 32)), [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        align_tilt_series(np.full((3, 32, 32), np.nan), [0, 1, 2])


def test_profiles_with_a_repeating_pattern_keep_to_the_neighbour_estimate():
    from insitu_tem.analysis.tomo.neighbour_chain import profile_shifts

    rng = np.random.default_rng(5)
    position = np.arange(120.0)
    truth = rng.uniform(-7, 7, 12)
    truth -= truth.mean()
    voids = np.arange(15.0, 110.0, 10.0)
    profiles = np.array(
        [
            -np.exp(-0.5 * ((position[:, None] - voids[None, :] - t) / 1.5) ** 2).sum(axis=1)
            for t in truth
        ]
    )
    guided = profile_shifts(profiles, start=truth + rng.uniform(-1, 1, 12), reach=3.0)
    np.testing.assert_allclose(guided, truth, atol=0.1)
    assert np.abs(profile_shifts(profiles) - truth).max() > 3.0
