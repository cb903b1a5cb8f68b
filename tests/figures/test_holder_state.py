"""The holder's state at the line scan's time, on the across-the-front figure: bias, current and
charge from the timeline's log (sample truth), cumulative dose from the dose result; a log that
ends before the scan says so instead of showing NaN readings."""

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.core.results import Result
from insitu_tem.core.session import Session
from insitu_tem.figures.holder_state import HolderState, holder_state_at, scan_time_s
from insitu_tem.figures.kinetics import across_views
from insitu_tem.io.load import load
from insitu_tem.samples.experiment import EXPERIMENT
from insitu_tem.workflows import dose

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
TRUTH = json.loads((SAMPLES / "holder_log.truth.json").read_text())


@pytest.fixture(scope="module")
def session():
    session = Session(checksums=False)
    session.set_dataset("movie", load(SAMPLES / "lithiation_movie.tif"))
    session.set_scan_line("eels", asdict(EXPERIMENT.scan))
    session.set_panel_state(
        "timeline", {"log_path": "holder_log.csv", "offset_s": TRUTH["offset_with_start_times_s"]}
    )
    dose.run(session, beam_current_nA=2.0)
    return session


def test_bias_current_charge_and_dose_at_the_scan_time(session):
    time_s = scan_time_s(session)
    assert time_s == EXPERIMENT.scan.time_s
    state = holder_state_at(session, time_s)
    assert state.channels["Channel A Voltage"] == (pytest.approx(TRUTH["bias_V"]), "V")
    truth_q = np.interp(time_s, TRUTH["frame_times_s"], TRUTH["charge_at_frames_C"])
    assert abs(state.charge_C - truth_q) < 3 * state.charge_sigma_C
    rate = session.result("dose").value["rate_e_per_A2_s"][0]
    assert state.dose_e_per_A2 == pytest.approx(rate * (time_s + 0.5), rel=1e-9)
    assert state.dose_sigma_e_per_A2 == pytest.approx(0.05 * state.dose_e_per_A2)


def test_the_across_figure_notes_the_holder_state(session):
    session.store_result(
        "across",
        Result(value={"distance_nm": [-10.0, 0.0, 10.0], "columns": {"crystalline": [1, 1, 0]}}),
    )
    note = across_views(session)[0].note
    assert note.startswith("holder at scan, t = 29.5 s") and "Q = " in note and "dose" in note
    assert "front position 1σ" not in note
    session.set_panel_state("timeline", {"log_path": "missing.csv"})
    assert "Channel A Voltage" not in across_views(session)[0].note
    value = {**session.result("across").value, "front_along_sigma_nm": 0.324}
    session.store_result("across", Result(value=value))
    assert (
        "front position 1σ 0.32 nm (shifts every distance alike)" in across_views(session)[0].note
    )


def test_a_log_that_ends_before_the_scan_says_so(session, tmp_path):
    lines = (SAMPLES / "holder_log.csv").read_text().splitlines()
    cut = tmp_path / "holder_log.csv"
    cut.write_text("\n".join(lines[: len(lines) // 3]) + "\n")
    timeline = session.panel_state("timeline")
    session.set_panel_state("timeline", {**timeline, "log_path": str(cut)})
    try:
        text = holder_state_at(session, scan_time_s(session)).text()
    finally:
        session.set_panel_state("timeline", timeline)
    assert text.startswith("t = 29.5 s: outside the holder log (its readings cover movie time ")
    assert "nan" not in text and "dose " in text


def test_tiny_currents_and_the_charge_read_with_si_prefixes():
    state = HolderState(
        29.5,
        {"Channel A Current": (-8.17e-14, "A"), "Channel A Voltage": (-0.8, "V")},
        charge_C=-4.67e-12,
        charge_sigma_C=5.9e-14,
    )
    assert state.text() == (
        "t = 29.5 s: Channel A Current -81.7 fA, Channel A Voltage -0.8 V, Q = -4.670 ± 0.059 pC"
    )
