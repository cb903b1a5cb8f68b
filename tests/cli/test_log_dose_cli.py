"""`insitu-tem log` and `insitu-tem dose` from the command line."""

import json
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"


def run_json(capsys, argv):
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_log_json_contract_on_the_sample_log(capsys):
    result = run_json(capsys, ["log", str(SAMPLES / "holder_log.csv")])
    truth = json.loads((SAMPLES / "holder_log.truth.json").read_text())
    assert result["start"] == truth["log_start"]
    assert set(result["channels"]) >= {"Channel A Current", "Channel A Voltage"}
    assert result["channels"]["Channel A Voltage"]["units"] == "V"
    assert len(result["time_s"]) == len(result["channels"]["Channel A Current"]["values"])
    assert result["notes"] == [{"time_s": truth["offset_s"], "text": "bias on"}]


def test_dose_from_beam_current_and_counts(capsys):
    movie = str(SAMPLES / "lithiation_movie.tif")
    current = run_json(capsys, ["dose", movie, "--beam-current-nA", "1", "--area-nm2", "100"])
    assert current["rate_e_per_A2_s"][0] == pytest.approx(6.2415e5, rel=1e-4)
    assert np.all(np.diff(current["cumulative_e_per_A2"]) > 0)
    for key in ("rate_e_per_A2_s", "frame_dose_e_per_A2", "cumulative_e_per_A2"):
        sigma_key = key.replace("_e_per", "_sigma_e_per")
        assert np.allclose(current[sigma_key], 0.05 * np.array(current[key]))
    counts = run_json(capsys, ["dose", movie, "--counts-per-electron", "10"])
    assert counts["source"] == "counts" and len(counts["time_s"]) == 60
    peak = np.array(counts["peak_pixel_cumulative_e_per_A2"])
    counting = np.array(counts["peak_pixel_counting_sigma_e_per_A2"])
    assert np.all(counting > 0) and np.all(peak >= np.array(counts["cumulative_e_per_A2"]) * 0.9)
    np.testing.assert_allclose(
        counts["peak_pixel_cumulative_sigma_e_per_A2"], np.hypot(counting, 0.05 * peak)
    )


def test_bad_options_and_files_are_one_line(capsys, tmp_path):
    movie = str(SAMPLES / "lithiation_movie.tif")
    assert main(["dose", movie, "--counts-per-electron", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing here\n")
    assert main(["log", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("insitu-tem: error: bad.csv: ") and err.count("\n") == 1


def test_front_with_log_adds_charge_per_frame_matching_the_sample_truth(capsys):
    truth = json.loads((SAMPLES / "holder_log.truth.json").read_text())
    result = run_json(
        capsys,
        [
            "front",
            str(SAMPLES / "lithiation_movie.tif"),
            "--line",
            "20,128,250,128",
            "--log",
            str(SAMPLES / "holder_log.csv"),
            "--log-offset",
            str(truth["offset_with_start_times_s"]),
        ],
    )
    assert result["log"]["current_channel"] == "Channel A Current" and result["log"]["ok"]
    charge, sigma = np.array(result["charge_C"][1:]), np.array(result["charge_sigma_C"][1:])
    expected = np.array(truth["charge_at_frames_C"][1:])
    assert np.all(np.abs(charge - expected) < 3 * sigma)
    assert len(result["position_vs_charge"]["position"]) == len(result["charge_C"])


def test_front_with_a_bad_log_names_the_log(capsys, tmp_path):
    bad = tmp_path / "bias.csv"
    bad.write_text("time,t\n0,0\n")
    code = main(
        [
            "front",
            str(SAMPLES / "lithiation_movie.tif"),
            "--line",
            "20,128,250,128",
            "--log",
            str(bad),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("insitu-tem: error: bias.csv: ") and err.count("\n") == 1
