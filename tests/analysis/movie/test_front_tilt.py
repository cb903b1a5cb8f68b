"""Oblique fronts: the tilt across a straight line's band is measured from when its strips
change, and sampling the band along the front gives the width-averaged position."""

import numpy as np
import pytest

from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.analysis.movie.front_tilt import front_tilt
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import Axis

LINE = np.array([(48.0, 16.0), (48.0, 80.0)])
WIDTH = 21.0


def oblique_movie(angle_deg: float, *, n=30, counts=200.0, seed=0):
    """A straight front at ``angle_deg`` to the line (rows = across) moving along it; returns
    the movie and the width-averaged truth (px along the line)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices((96, 96), dtype=float)
    tan = np.tan(np.radians(angle_deg))
    truth = 10.0 + 1.5 * np.arange(n)
    frames = []
    for p in truth:
        crossing = LINE[0, 1] + p - (rows - LINE[0, 0]) * tan
        level = np.where(cols < crossing, 60.0, 100.0)
        frames.append(rng.poisson(level * counts / 100.0))
    return np.asarray(frames, dtype=float), truth


@pytest.mark.parametrize("angle", [0.0, 30.0, 55.0])
def test_tilt_is_the_tangent_of_the_front_angle(angle):
    movie, _ = oblique_movie(angle)
    tilt = front_tilt(movie, LINE, width=WIDTH)
    assert tilt.ok and tilt.n_points >= 50
    assert tilt.shear == pytest.approx(-np.tan(np.radians(angle)), abs=0.08)


def test_sheared_band_sees_a_sharp_front_where_the_straight_band_sees_a_ramp():
    movie, _ = oblique_movie(55.0)
    straight = kymograph(movie, LINE, width=WIDTH).image[15]
    sheared = kymograph(movie, LINE, width=WIDTH, shear=-np.tan(np.radians(55.0))).image[15]
    assert np.max(np.abs(np.diff(sheared))) > 3 * np.max(np.abs(np.diff(straight)))


def test_oblique_front_positions_are_the_width_averaged_ones():
    movie, truth = oblique_movie(50.0)
    axes = (Axis("y", 96), Axis("x", 96))
    analysis = analyse_front(movie, LINE, axes=axes, times=np.arange(truth.size), width=WIDTH)
    assert analysis.tilt is not None and analysis.tilt.ok
    error = analysis.track.position - truth
    assert np.isfinite(error).sum() >= 20
    assert np.nanmedian(np.abs(error)) < 0.3


def test_a_band_where_nothing_changes_has_no_tilt():
    rng = np.random.default_rng(1)
    tilt = front_tilt(rng.poisson(100.0, (20, 96, 96)).astype(float), LINE, width=WIDTH)
    assert not tilt.ok and tilt.shear == 0.0 and tilt.reason
    assert tilt.declined_shear == 0.0


def test_a_front_too_steep_for_the_straight_band_is_declined_with_its_cause():
    movie, truth = oblique_movie(70.0, counts=50.0)
    axes = (Axis("y", 96), Axis("x", 96))
    analysis = analyse_front(movie, LINE, axes=axes, times=np.arange(truth.size), width=WIDTH)
    assert analysis.tilt.shear == 0.0
    assert analysis.tilt.declined_shear == pytest.approx(-np.tan(np.radians(70.0)), abs=0.2)
    assert not analysis.track.ok and not analysis.track.present.any()
    assert "steep angle (about 70°" in analysis.track.reason
    assert "draw the line along the front's motion" in analysis.track.reason
