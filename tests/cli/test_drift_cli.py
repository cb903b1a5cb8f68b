"""`insitu-tem drift`: JSON shifts on the sample movie, CSV output, options and errors."""

import csv
import json

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main


def run(capsys, *args):
    code = main(["drift", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_shifts_match_the_truth_in_px_and_nm(movie_sample, capsys):
    path, truth = movie_sample
    code, out, err = run(capsys, path, "--json")
    assert code == 0, err
    document = json.loads(out)
    shifts_px = np.array(document["shifts_px"])
    assert shifts_px.shape == (60, 2) and document["units"] == "nm" and document["ok"]
    assert np.sqrt(np.mean((shifts_px - np.array(truth["drift_px"])) ** 2)) <= 0.1
    np.testing.assert_allclose(document["shifts"], shifts_px * 2.0)
    sigma = np.array(document["shifts_px_sigma"])
    assert np.all(sigma[0] == 0) and np.all((sigma[1:] > 0.005) & (sigma[1:] < 0.5))
    assert np.mean(np.abs(shifts_px - np.array(truth["drift_px"]))[1:] <= 2 * sigma[1:]) > 0.8
    np.testing.assert_allclose(document["shifts_sigma"], sigma * 2.0)


def test_reference_roi_and_csv(movie_sample, capsys, tmp_path):
    path, truth = movie_sample
    out_csv = tmp_path / "drift.csv"
    code, out, err = run(
        capsys, path, "--reference", "running", "--roi", "175:256,0:256", "--out", out_csv, "--json"
    )
    assert code == 0, err
    assert json.loads(out)["reference"] == "running"
    with open(out_csv, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 60 and set(rows[0]) == {
        "frame",
        "time_s",
        "dy_px",
        "dx_px",
        "dy_nm",
        "dx_nm",
        "dy_px_sigma",
        "dx_px_sigma",
    }
    assert float(rows[10]["time_s"]) == 5.0
    assert float(rows[10]["dx_px"]) == pytest.approx(truth["drift_px"][10][1], abs=0.15)
    assert 0 < float(rows[10]["dx_px_sigma"]) < 0.5


def test_bad_roi_and_non_movie_exit_2_with_a_fix(movie_sample, capsys, tmp_path):
    path, _ = movie_sample
    code, _, err = run(capsys, path, "--roi", "1,2,3")
    assert code == 2 and "R0:R1,C0:C1" in err
    image = tmp_path / "image.tif"
    tifffile.imwrite(image, np.zeros((32, 32), np.uint16))
    code, _, err = run(capsys, image)
    assert code == 2 and "image.tif" in err and "needs a movie" in err


def test_the_frames_of_weak_correlation_are_listed_in_the_json(movie_sample, capsys, tmp_path):
    path, _ = movie_sample
    movie = tifffile.imread(path)
    movie[[3, 6]] = 0
    blanked = tmp_path / "blanked.tif"
    tifffile.imwrite(blanked, movie)
    code, out, err = run(capsys, blanked, "--json")
    document = json.loads(out)
    assert not document["ok"] and document["weak_frames"] == [3, 6], err
    assert "[3, 6]" in document["reason"]
