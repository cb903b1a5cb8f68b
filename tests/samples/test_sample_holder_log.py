"""The sample holder log: consistent with the sample movie's front, deterministic, committed
copy."""

import json
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.analysis.timeline.charge import charge_passed, lithium_per_formula_unit
from insitu_tem.analysis.timeline.sync import current_in_amperes, find_current_channel, log_times
from insitu_tem.io.holder_logs import load_log
from insitu_tem.samples import EXPERIMENT, holder_log

ROOT = Path(__file__).resolve().parents[2]


def test_committed_copy_is_what_the_generator_writes(tmp_path):
    written = holder_log.write(tmp_path)
    assert written[0].read_text() == (ROOT / "sample_data" / "holder_log.csv").read_text()


def test_charge_at_frames_matches_truth_within_its_uncertainty():
    log = load_log(ROOT / "sample_data" / "holder_log.csv")
    truth = json.loads((ROOT / "sample_data" / "holder_log.truth.json").read_text())
    charge = charge_passed(log.time_s, current_in_amperes(log, find_current_channel(log)))
    frames = np.array(truth["frame_times_s"][1:])
    measured, sigma = charge.at(
        log_times(frames, log, movie_start=None, offset_s=truth["offset_s"])
    )
    error = (measured - np.array(truth["charge_at_frames_C"][1:])) / sigma
    assert np.all(np.abs(error) < 3)


def test_lithium_per_formula_unit_behind_the_front_is_recovered():
    truth = json.loads((ROOT / "sample_data" / "holder_log.truth.json").read_text())
    time = EXPERIMENT.times_s()[-1]
    advance_nm = (EXPERIMENT.front.position_px(time) - EXPERIMENT.front.x0_px) * EXPERIMENT.pixel_nm
    volume = advance_nm * truth["film_height_nm"] * truth["lamella_depth_nm"]
    x = lithium_per_formula_unit(truth["charge_at_frames_C"][-1], volume)
    assert x == pytest.approx(truth["lithium_per_WO3"], rel=1e-9)
