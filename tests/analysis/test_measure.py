"""Ruler, angle, line profile with width and region statistics on images with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.analysis.measure import (
    angle_between,
    line_profile,
    region_statistics,
    segment,
)


def test_segment_length_and_direction_use_each_axis_scale():
    s = segment((10, 10), (4, 18), scale=(0.5, 0.25), units="nm")
    assert s.length == pytest.approx(np.hypot(6 * 0.5, 8 * 0.25)) and s.units == "nm"
    assert s.angle_deg == pytest.approx(np.degrees(np.arctan2(3.0, 2.0)))


def test_angle_between_two_drawn_lines():
    horizontal = segment((5, 0), (5, 10))
    diagonal = segment((5, 0), (0, 5))
    down = segment((0, 0), (10, 0))
    assert angle_between(horizontal, diagonal) == pytest.approx(45.0)
    assert angle_between(diagonal, horizontal) == pytest.approx(45.0)
    assert angle_between(horizontal, down) == pytest.approx(90.0)
    assert angle_between(segment((0, 10), (0, 0)), horizontal) == pytest.approx(180.0)


def test_profile_along_a_ramp_reads_the_ramp_in_calibrated_distance():
    image = np.tile(np.arange(40, dtype=float) * 3.0, (30, 1))
    profile = line_profile(image, (15, 5), (15, 25), scale=(0.2, 0.2), units="nm")
    assert len(profile.values) == 21
    np.testing.assert_allclose(profile.values, 3.0 * np.arange(5, 26))
    np.testing.assert_allclose(profile.distance, np.linspace(0, 4.0, 21))


def test_profile_width_averages_across_the_line():
    image = np.zeros((20, 20))
    image[9, :] = 9.0
    one = line_profile(image, (10, 2), (10, 17), width_px=1)
    three = line_profile(image, (10, 2), (10, 17), width_px=3)
    assert np.all(one.values == 0.0)
    np.testing.assert_allclose(three.values, 3.0)
    with pytest.raises(ValueError, match="at least 1 px"):
        line_profile(image, (0, 0), (5, 5), width_px=0)


def test_profile_csv_has_units(tmp_path):
    profile = line_profile(np.ones((8, 8)), (1, 1), (1, 6), scale=(2.0, 2.0), units="nm")
    profile.to_csv(tmp_path / "p.csv")
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0].startswith("distance (nm)") and len(lines) == 7
    assert lines[-1].split(",")[0] == "10.0"


def test_region_statistics_on_known_pixels():
    image = np.arange(100, dtype=np.uint16).reshape(10, 10)
    stats = region_statistics(image, (2, 3, 4, 7), scale=(0.5, 0.5), units="nm")
    block = np.arange(100).reshape(10, 10)[2:4, 3:7]
    assert stats.n_pixels == 8 and stats.area == pytest.approx(2.0) and stats.area_units == "nm²"
    assert stats.mean == pytest.approx(block.mean()) and stats.std == pytest.approx(
        block.std(ddof=1)
    )
    assert (stats.minimum, stats.maximum, stats.total) == (23.0, 36.0, float(block.sum()))
    clipped = region_statistics(image, (8, 8, 30, 30))
    assert clipped.n_pixels == 4
    with pytest.raises(ValueError, match="no pixel"):
        region_statistics(image, (20, 20, 30, 30))


def test_a_reciprocal_ruler_reads_the_lattice_spacing():
    g = segment((0, 0), (3, 4), scale=(0.1, 0.1), units="1/nm")
    assert g.length == pytest.approx(0.5) and g.d_A == pytest.approx(20.0)
    assert segment((0, 0), (0, 4), scale=(0.05, 0.05), units="1/Å").d_A == pytest.approx(5.0)
    assert segment((0, 0), (0, 4), scale=(0.5, 0.5), units="nm").d_A is None
    assert segment((1, 1), (1, 1), units="1/nm").d_A is None
