"""The front against the charge: the charge when the front reaches a position and the Li per
formula unit behind it, with 1σ, on synthetic tracks with known answers."""

import numpy as np
import pytest
from scipy import constants

from insitu_tem.analysis.timeline.frames import FrameTimeline
from insitu_tem.analysis.timeline.front_charge import (
    FilmGeometry,
    charge_when_front_reaches,
    lithium_behind_front,
)

FARADAY = constants.physical_constants["Faraday constant"][0]


def timeline_with(charge, sigma=None):
    charge = np.asarray(charge, float)
    sigma = np.zeros_like(charge) if sigma is None else np.asarray(sigma, float)
    time = np.arange(charge.size, dtype=float)
    return FrameTimeline(time, time, 0.0, "I", charge, sigma)


def test_charge_at_a_position_is_interpolated_between_the_bracketing_frames():
    timeline = timeline_with(-1e-12 * np.arange(10.0), np.full(10, 1e-14))
    position = 100.0 - 5.0 * np.arange(10.0)
    crossing = charge_when_front_reaches(timeline, position, np.zeros(10), 82.5)
    assert crossing.ok and crossing.time_s == pytest.approx(3.5)
    assert crossing.charge_C == pytest.approx(-3.5e-12) and crossing.frame in (3, 4)
    assert crossing.charge_sigma_C == pytest.approx(1e-14)


def test_position_uncertainty_adds_the_charge_passed_while_the_front_moves_by_it():
    timeline = timeline_with(1e-12 * np.arange(10.0))
    crossing = charge_when_front_reaches(timeline, 2.0 * np.arange(10.0), np.full(10, 1.0), 7.0)
    assert crossing.charge_sigma_C == pytest.approx(0.5e-12)


def test_positions_the_front_never_reaches_or_has_passed_are_not_measurable():
    timeline = timeline_with(np.arange(5.0))
    position = np.array([10.0, 12.0, np.nan, 16.0, 18.0])
    assert not charge_when_front_reaches(timeline, position, np.zeros(5), 30.0).ok
    early = charge_when_front_reaches(timeline, position, np.zeros(5), 5.0)
    assert not early.ok and "already past" in early.reason
    assert charge_when_front_reaches(timeline, position, np.zeros(5), 15.0).time_s == 2.5


def test_lithium_behind_a_front_with_a_known_charge_and_its_uncertainty():
    geometry = FilmGeometry(height_nm=160.0, depth_nm=100.0, height_sigma_nm=16.0)
    advance = 4.0 * np.arange(20.0)
    volume_cm3 = advance * 160.0 * 100.0 * 1e-21
    charge = -0.3 * volume_cm3 / geometry.molar_volume_cm3 * FARADAY
    timeline = timeline_with(charge, np.abs(charge) * 0.02)
    result = lithium_behind_front(timeline, 50.0 + advance, np.zeros(20), geometry=geometry)
    assert result.ok and np.isnan(result.x[0])
    assert result.x[1:] == pytest.approx(0.3)
    assert result.x_sigma[5] == pytest.approx(0.3 * np.hypot(0.1, 0.02 * np.sqrt(1)), rel=1e-6)
    assert geometry.molar_volume_cm3 == pytest.approx(32.38, abs=0.01)


def test_a_still_front_or_a_bad_geometry_is_refused():
    timeline = timeline_with(np.arange(4.0))
    still = lithium_behind_front(
        timeline, np.full(4, 3.0), np.zeros(4), geometry=FilmGeometry(height_nm=1, depth_nm=1)
    )
    assert not still.ok and "did not move" in still.reason
    with pytest.raises(ValueError, match="positive"):
        FilmGeometry(height_nm=0.0, depth_nm=100.0)
