"""Charge passed, Li per formula unit, dose and synchronisation: known answers and coverage."""

import dataclasses
from datetime import datetime

import numpy as np
import pytest
from scipy import constants

from insitu_tem.analysis.timeline.charge import charge_passed, lithium_per_formula_unit
from insitu_tem.analysis.timeline.dose import (
    dose_from_beam_current,
    dose_from_counts,
    frame_counts,
    frame_intervals,
)
from insitu_tem.analysis.timeline.sync import channel_at, log_times, offset_from_event
from insitu_tem.core.holder_log import HolderLog, LogChannel


def test_constant_current_integrates_exactly_on_uneven_time_stamps():
    time = np.cumsum(np.r_[0, np.random.default_rng(0).uniform(0.05, 0.2, 200)])
    result = charge_passed(time, np.full(time.size, -2e-9))
    assert result.ok and result.charge_C == pytest.approx(-2e-9 * (time - time[0]), rel=1e-12)


def test_charge_uncertainty_covers_about_68_percent_of_noise_draws():
    rng = np.random.default_rng(3)
    time = np.cumsum(rng.uniform(0.08, 0.12, 1500))
    inside = []
    for _ in range(200):
        current = 1e-9 * (1 + 0.5 * np.sin(time / 20)) + rng.normal(0, 5e-11, time.size)
        truth = 1e-9 * ((time - time[0]) - 10 * (np.cos(time / 20) - np.cos(time[0] / 20)))
        result = charge_passed(time, current)
        inside.append(np.abs(result.charge_C[-1] - truth[-1]) <= result.sigma_C[-1])
    assert 0.60 <= np.mean(inside) <= 0.76


def test_charge_uncertainty_covers_steps_between_samples():
    """A pulsed current switched at random instants between 1 s samples (instantaneous
    readings): the trapezoid's error is within ±1σ in 60–75 % of draws."""
    rng = np.random.default_rng(5)
    time = np.arange(0.0, 120.0)
    inside = []
    for _ in range(300):
        edges = np.sort(rng.uniform(1, 119, 24))
        level = np.where(np.arange(25) % 2, 18e-3, 0.0)
        current = level[np.searchsorted(edges, time)] + rng.normal(0, 1e-5, time.size)
        truth = np.sum(level[1::2] * (edges[1::2] - edges[0::2]))
        result = charge_passed(time, current)
        inside.append(abs(result.charge_C[-1] - truth) <= result.sigma_C[-1])
    assert 0.60 <= np.mean(inside) <= 0.75


def test_meter_accuracy_adds_a_relative_term_and_nan_samples_are_skipped():
    time = np.arange(10.0)
    current = np.r_[np.full(5, 1e-9), np.nan, np.full(4, 1e-9)]
    result = charge_passed(time, current, relative_accuracy=0.02)
    assert result.time_s.size == 9 and result.charge_C[-1] == pytest.approx(9e-9)
    assert result.sigma_C[-1] == pytest.approx(0.02 * 9e-9)
    assert not charge_passed(np.arange(3.0), np.full(3, np.nan)).ok


def test_lithium_per_formula_unit_from_faraday():
    molar_volume_cm3 = 32.4
    volume_nm3 = 1e6
    formula_units_mol = volume_nm3 * 1e-21 / molar_volume_cm3
    charge = 0.25 * formula_units_mol * constants.physical_constants["Faraday constant"][0]
    assert lithium_per_formula_unit(-charge, volume_nm3) == pytest.approx(0.25)
    assert np.isnan(lithium_per_formula_unit(charge, 0.0))


def test_dose_from_beam_current_matches_one_nanoamp_rule():
    time = np.arange(5) * 0.5
    dose = dose_from_beam_current(time, beam_current_nA=1.0, illuminated_area_nm2=100.0)
    assert dose.rate_e_per_A2_s == pytest.approx(np.full(5, 6.2415e9 / 1e4), rel=1e-4)
    assert dose.cumulative_e_per_A2[-1] == pytest.approx(5 * 0.5 * 6.2415e9 / 1e4, rel=1e-4)


def test_dose_from_counts_and_per_pixel_map():
    time = np.arange(3) * 0.1
    frames = np.full((3, 4, 4), 200.0)
    frames[:, 0, 0] = 400.0
    dose = dose_from_counts(
        time, frames.mean(axis=(1, 2)), counts_per_electron=2.0, pixel_area_nm2=0.01
    )
    assert dose.frame_dose_e_per_A2[0] == pytest.approx(frames[0].mean() / 2.0 / 1.0)
    means, peak, sigma = frame_counts(frames, counts_per_electron=2.0)
    assert means == pytest.approx(frames.mean(axis=(1, 2)))
    assert peak == pytest.approx([400.0, 800.0, 1200.0])
    assert sigma == pytest.approx(np.sqrt(2.0 * peak))
    with pytest.raises(ValueError):
        frame_intervals(np.array([0.0, 0.0]))


def make_log(start):
    time = np.arange(0.0, 20.0, 0.5)
    return HolderLog(
        source="x",
        format="csv",
        start=start,
        time_s=time,
        channels={"bias": LogChannel("bias", "V", np.where(time >= 7.0, -0.8, 0.0))},
    )


def test_frames_map_to_log_times_through_start_times_and_offset():
    log = make_log(datetime(2026, 1, 1, 12, 0, 0))
    movie_start = datetime(2026, 1, 1, 12, 0, 5)
    assert log_times(np.array([0.0, 1.0]), log, movie_start=movie_start) == pytest.approx(
        [5.0, 6.0]
    )
    offset = offset_from_event(movie_event_s=1.5, log_event_s=7.0, frame_time_base_s=5.0)
    assert offset == pytest.approx(0.5)
    times = log_times(np.array([1.5]), log, movie_start=movie_start, offset_s=offset)
    assert channel_at(log, "bias", times) == pytest.approx([-0.8])
    assert np.isnan(channel_at(log, "bias", np.array([100.0]))[0])
    assert log_times(
        np.array([2.0]), make_log(None), movie_start=movie_start, offset_s=1.0
    ) == pytest.approx([3.0])


def test_charge_of_the_real_protochips_current_log_matches_an_independent_read(realdata):
    """The real electrical log (18 mA pulses at 40 V, 0.5 s on/off, 15 s): the charge integrates
    the recorded times, checked against the columns read with numpy."""
    from insitu_tem.io.holder_logs import load_log

    path = realdata("holder_logs/protochips_electrical.csv")
    raw = np.genfromtxt(path, delimiter=",", skip_header=9, usecols=(0, 2))
    log = load_log(path)
    result = charge_passed(log.time_s, log.channels["Channel A Current"].values)
    assert result.charge_C[-1] == pytest.approx(np.trapezoid(raw[:, 1], raw[:, 0] / 1000.0))
    assert result.charge_C[-1] == pytest.approx(0.1339, abs=1e-4)


def test_a_channel_with_no_reading_reads_nan_and_leaves_the_others_readable():
    log = make_log(datetime(2026, 1, 1, 12, 0, 0))
    empty = LogChannel("resistance", "Ohm", np.full(log.time_s.size, np.nan))
    log = dataclasses.replace(log, channels={**log.channels, "r": empty})
    assert np.isnan(channel_at(log, "r", np.array([1.0, 8.0]))).all()
    assert np.isnan(channel_at(log, "r", 8.0))
    assert channel_at(log, "bias", np.array([8.0])) == pytest.approx([-0.8])
