"""Oblique fronts: the tilt across a straight line's band is measured from when its strips
change, and sampling the band along the front gives the width-averaged position."""

import re

import numpy as np
import pytest

from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.analysis.movie.front_states import ORDER_Z
from insitu_tem.analysis.movie.front_tilt import FrontTilt, declined_reason, front_tilt
from insitu_tem.analysis.movie.kymograph import kymograph
from insitu_tem.core.model import Axis

LINE = np.array([(48.0, 16.0), (48.0, 80.0)])
WIDTH = 21.0


def oblique_movie(angle_deg: float, *, n=30, counts=200.0, seed=0, rough=(0.0, 1.0, 0.0)):
    """A straight front at ``angle_deg`` to the line (rows = across) moving along it; returns
    the movie and the width-averaged truth (px along the line). ``rough`` (amplitude px along
    the line, period px along the front, phase) makes it rough, fixed in the specimen."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices((96, 96), dtype=float)
    tan = np.tan(np.radians(angle_deg))
    amplitude, period, phase = rough
    along_front = (rows - LINE[0, 0]) / np.cos(np.radians(angle_deg))
    shape = amplitude * np.sin(2 * np.pi * along_front / period + phase)
    truth = 10.0 + 1.5 * np.arange(n)
    frames = []
    for p in truth:
        crossing = LINE[0, 1] + p - (rows - LINE[0, 0]) * tan + shape
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
    reason = analysis.track.reason
    changed, samples, order = re.search(
        r"(\d+) of (\d+) samples .* in order at ([\d.-]+)σ", reason
    ).groups()
    assert int(changed) <= int(samples) and float(order) < ORDER_Z
    angle, sigma = map(float, re.search(r"tilt of (\d+) ± ([\d.]+)° from square", reason).groups())
    assert abs(angle - 70.0) <= 3 * sigma + 1
    smear = float(re.search(r"over (\d+) px along the band", reason).group(1))
    assert smear == pytest.approx(abs(analysis.tilt.declined_shear) * WIDTH, abs=0.5)
    assert "draw the line along the front's motion" in reason


def test_a_decline_the_straight_band_does_not_explain_is_not_blamed_on_the_tilt():
    rng = np.random.default_rng(2)
    samples = np.arange(40)
    kymo = np.array([np.where(samples < 5 + t, 60.0, 100.0) for t in range(30)])
    tilt = FrontTilt(0.0, np.nan, 0, False, "no front changes the band", 1.0, 0.1)
    reason = declined_reason(tilt, rng.poisson(kymo).astype(float), polarity="auto", width=WIDTH)
    assert reason is None
    flat = rng.poisson(np.full((30, 40), 100.0)).astype(float)
    reason = declined_reason(tilt, flat, polarity="auto", width=WIDTH)
    assert "samples change with its sign" in reason and "45 ± 2.9°" in reason


def test_the_tilt_of_a_front_rough_on_the_band_scale_covers_its_mean_angle():
    angle = 35.0
    z = []
    for k, phase in enumerate(np.linspace(0, 2 * np.pi, 8, endpoint=False)):
        movie, _ = oblique_movie(angle, seed=k, rough=(3.0, 30.0, phase))
        tilt = front_tilt(movie, LINE, width=WIDTH)
        z.append((tilt.shear + np.tan(np.radians(angle))) / tilt.shear_sigma)
    assert np.sum(np.abs(z) <= 1) >= 4 and np.max(np.abs(z)) < 3
