"""Tilt-axis direction from the motion between tilts, and the matched (least-squares)
registration."""

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from insitu_tem.analysis.tomo.alignment import align_tilt_series
from insitu_tem.analysis.tomo.axis_direction import estimate_axis_direction
from insitu_tem.analysis.tomo.registration import matched_displacement


REAL = Path(__file__).resolve().parents[3].parent / "shared" / "realdata" / "edstomo_idp"


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realdata is absent")
def test_direction_of_the_real_series_is_near_the_rows():
    from insitu_tem.io.readers.tilt_series import load_tilt_series

    series = load_tilt_series(REAL)
    found = estimate_axis_direction(series.reference, series.tilts_deg)
    assert found.ok, found.reason
    assert abs(found.angle_deg) < 3.0 and 0 < found.sigma_deg < 2.0


def test_no_parallax_is_not_a_direction():
    rng = np.random.default_rng(0)
    flat = ndimage.gaussian_filter(rng.poisson(5.0, (64, 64)).astype(float), 2)
    stack = np.array([rng.poisson(20 * flat) for _ in range(9)], dtype=np.float32)
    found = estimate_axis_direction(stack, np.arange(-40.0, 41.0, 10.0))
    assert not found.ok and "give --tilt-axis-angle" in found.reason
    result = align_tilt_series(stack, np.arange(-40.0, 41.0, 10.0), axis_angle_deg=None)
    assert not result.ok and result.axis_angle_deg == 0.0 and "0° used" in result.reason


def test_matched_displacement_is_subpixel():
    rng = np.random.default_rng(2)
    texture = ndimage.gaussian_filter(rng.uniform(0, 1, (48, 48)), 2.0)
    reference = 40 + 10 * (texture - texture.mean()) / texture.std()
    truth = np.array([0.37, -1.21])
    moving = rng.poisson(ndimage.shift(reference, truth, order=3, mode="nearest")).astype(float)
    shift, peak = matched_displacement(reference, moving, margin=4)
    assert np.abs(shift - truth).max() < 0.1 and peak > 0.5


def test_wire_along_a_turned_axis_is_found_by_the_offset_slope():
    from insitu_tem.samples.tomo import Phantom, make_series

    phantom = Phantom(size=64, tilts_deg=tuple(np.arange(-60.0, 60.1, 7.5)), axis_angle_deg=-30.0)
    series = make_series(phantom)
    found = estimate_axis_direction(series["haadf"], series["tilts_deg"])
    assert found.ok and found.method == "offset slope", found.reason
    assert abs(found.angle_deg + 30.0) < 1.0 and 0 < found.sigma_deg < 1.0
