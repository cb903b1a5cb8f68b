"""`insitu-tem front`: positions, kinetics and velocity on the sample movie, the same
numbers as the analysis functions, CSV output, errors, and the installed script."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.cli.main import main
from insitu_tem.io.load import load

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent / "insitu-tem"
LINE = "0,128,255,128"


def run(capsys, *args):
    code = main(["front", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_drift_corrected_front_and_kinetics_match_the_truth(movie_sample, capsys):
    path, truth = movie_sample
    code, out, err = run(capsys, path, "--line", LINE, "--width", 41, "--drift-correct", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert {"time_s", "position_px", "position", "units", "confidence", "fit", "velocity"} <= set(
        doc
    )
    assert doc["units"] == "nm" and doc["ok"] and doc["drift_corrected"]
    position_px = np.array(doc["position_px"])
    assert np.sqrt(np.mean((position_px - np.array(truth["front_specimen_px"])) ** 2)) <= 0.5
    np.testing.assert_allclose(doc["position"], position_px * 2.0, rtol=1e-9)
    fit = doc["fit"]
    assert {"x0", "k", "n", "n_stderr", "t0"} <= set(fit)
    assert abs(fit["n"] - truth["front_law"]["n"]) <= 0.02 and 0 < fit["n_stderr"] < 0.02
    assert fit["x0"] == pytest.approx(2.0 * truth["front_law"]["x0_px"], abs=2.0)
    t = np.array(doc["time_s"])
    expected_speed = 2.0 * 30.0 * 0.5 / np.sqrt(t[10:])
    np.testing.assert_allclose(doc["velocity"][10:], expected_speed, rtol=0.05)
    velocity_sigma = np.array(doc["velocity_sigma"][10:], float)
    assert np.all((velocity_sigma > 0) & (velocity_sigma < 0.05 * expected_speed))
    measured_error = np.abs(np.array(doc["velocity_measured"][10:], float) - expected_speed)
    assert np.mean(measured_error <= 2 * np.array(doc["velocity_measured_sigma"][10:])) > 0.8
    assert min(doc["confidence"]) > 0.5


def test_raw_positions_follow_the_raw_frames(movie_sample, capsys):
    path, truth = movie_sample
    code, out, err = run(capsys, path, "--line", LINE, "--width", 41, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert not doc["drift_corrected"]
    assert (
        np.sqrt(np.mean((np.array(doc["position_px"]) - np.array(truth["front_px"])) ** 2)) <= 0.5
    )


def test_cli_gives_the_same_numbers_as_the_analysis(movie_sample, capsys):
    path, _ = movie_sample
    code, out, _ = run(capsys, path, "--line", "10,120,250,130", "--width", 11, "--json")
    assert code == 0
    dataset = load(path)
    direct = analyse_front(
        dataset.array,
        [(120, 10), (130, 250)],
        axes=dataset.signal_axes,
        times=dataset.axes[0].coordinates(),
        width=11,
    )
    doc = json.loads(out)
    np.testing.assert_allclose(np.array(doc["position_px"], float), direct.track.position)
    assert doc["fit"]["n"] == pytest.approx(direct.fit.n)


def test_csv_export(movie_sample, capsys, tmp_path):
    path, _ = movie_sample
    out_csv = tmp_path / "front.csv"
    code, _, err = run(capsys, path, "--line", LINE, "--out", out_csv, "--fix-t0", 0)
    assert code == 0, err
    with open(out_csv, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 60 and list(rows[0]) == [
        "frame",
        "time_s",
        "position_px",
        "position_nm",
        "confidence",
        "position_px_sigma",
        "position_nm_sigma",
        "present",
        "velocity_nm_per_s",
        "velocity_nm_per_s_sigma",
        "velocity_nm_per_s_measured",
        "velocity_nm_per_s_measured_sigma",
        "frame_reason",
    ]
    measured, measured_sigma = (
        np.array([float(row[f"velocity_nm_per_s_measured{k}"]) for row in rows])
        for k in ("", "_sigma")
    )
    fitted, fitted_sigma = (
        np.array([float(row[f"velocity_nm_per_s{k}"]) for row in rows]) for k in ("", "_sigma")
    )
    assert np.all(measured_sigma[np.isfinite(measured)] > 0)
    later = fitted_sigma[30:]
    assert np.all(np.isfinite(later) & (later > 0)) and np.all(fitted[30:] > 0)
    assert float(rows[20]["position_nm"]) == pytest.approx(
        2 * float(rows[20]["position_px"]), rel=1e-4
    )
    present = np.array([row["present"] == "1" for row in rows])
    position_px = np.array([float(row["position_px"]) for row in rows])
    sigma_px = np.array([float(row["position_px_sigma"]) for row in rows])
    sigma_nm = np.array([float(row["position_nm_sigma"]) for row in rows])
    assert present.sum() >= 0.9 * len(rows)
    np.testing.assert_array_equal(np.isfinite(position_px), present)
    np.testing.assert_array_equal(np.isfinite(sigma_px), present)
    assert np.all(sigma_px[present] > 0)
    np.testing.assert_allclose(sigma_nm[present], 2 * sigma_px[present], rtol=1e-3)
    reasons = np.array([row["frame_reason"] for row in rows])
    assert np.all(reasons[present] == "") and np.all(reasons[~present] != "")


def test_no_front_is_not_measured_in_the_json_and_the_csv(capsys, tmp_path):
    import tifffile

    movie = tmp_path / "flat.tif"
    noise = np.random.default_rng(0).poisson(100.0, (12, 64, 64)).astype(np.float32)
    tifffile.imwrite(movie, noise)
    out_csv = tmp_path / "front.csv"
    code, out, err = run(capsys, movie, "--line", "2,32,60,32", "--json", "--out", out_csv)
    assert code == 0, err
    doc = json.loads(out)
    assert not doc["ok"] and "no step-like front" in doc["reason"]
    assert not any(doc["present"]) and not doc["fit"]["ok"] and doc["fit"]["reason"]
    assert all(p is None for p in doc["position_px"] + doc["position_px_sigma"])
    assert len(doc["frame_reason"]) == 12 and all(doc["frame_reason"])
    with open(out_csv, newline="") as stream:
        header, *rows = list(csv.reader(stream))
    assert header == [
        "frame",
        "time_s",
        "position_px",
        "confidence",
        "position_px_sigma",
        "present",
        "velocity_px_per_frame",
        "velocity_px_per_frame_sigma",
        "velocity_px_per_frame_measured",
        "velocity_px_per_frame_measured_sigma",
        "frame_reason",
    ]
    assert {row[5] for row in rows} == {"0"} and {row[2] for row in rows} == {"nan"}
    assert {v for row in rows for v in row[6:10]} == {"nan"}
    assert {row[10] for row in rows} == set(doc["frame_reason"])


@pytest.mark.parametrize("line", ["1,2,3", "a,b,c,d", "1,2,3,4,5"])
def test_bad_line_exits_2_with_the_expected_format(movie_sample, capsys, line):
    path, _ = movie_sample
    code, _, err = run(capsys, path, "--line", line)
    assert code == 2 and "X0,Y0,X1,Y1" in err


def test_installed_script_prints_json(generated_sample_movie, tmp_path):
    import tifffile

    path = tmp_path / "first_frames.tif"
    tifffile.imwrite(path, generated_sample_movie[0][:12])
    result = subprocess.run(
        [str(BIN), "front", str(path), "--line", LINE, "--json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["position_px"]) == 12
