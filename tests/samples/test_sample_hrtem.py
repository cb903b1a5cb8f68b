"""Sample (b): the HRTEM movie across the front — file format, calibration, ground truth,
consistency."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tifffile

from insitu_tem.analysis.hrtem.crystallinity import crystallinity_map
from insitu_tem.analysis.hrtem.lattice_report import measure_lattice
from insitu_tem.io.load import load
from insitu_tem.samples import EXPERIMENT
from insitu_tem.samples import hrtem


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hrtem")
    paths = hrtem.write(folder)
    return paths, json.loads(paths[1].read_text())


def test_files_format_and_budget(written):
    (movie_path, truth_path), _ = written
    assert movie_path.name == "hrtem_movie.tif" and truth_path.name == "hrtem_movie.truth.json"
    assert movie_path.stat().st_size + truth_path.stat().st_size < 4 * 2**20
    with tifffile.TiffFile(movie_path) as tif:
        assert tif.is_imagej and tif.series[0].axes == "TYX" and tif.imagej_metadata["frames"] == 24
        assert tif.imagej_metadata["unit"] == "nm"
        assert tif.imagej_metadata["finterval"] == pytest.approx(0.15)
        assert tif.series[0].dtype == np.uint16


def test_loads_as_a_calibrated_movie(written):
    (movie_path, _), truth = written
    dataset = load(movie_path)
    assert dataset.kind == "movie" and dataset.shape == (24, 256, 256)
    t, y, x = dataset.axes
    assert (y.units, x.units, t.units) == ("nm", "nm", "s")
    assert x.scale == pytest.approx(0.05) and t.scale == pytest.approx(0.15)
    assert truth["pixel_nm"] == 0.05 and len(truth["frames"]) == 24
    assert 90 < dataset.frame(0).mean() < 110


def test_generation_is_deterministic():
    first, truth_a = hrtem.generate()
    second, truth_b = hrtem.generate()
    assert np.array_equal(first, second) and truth_a == truth_b


def test_fronts_follow_the_shared_experiment(written):
    _, truth = written
    scale = EXPERIMENT.pixel_nm / hrtem.PIXEL_NM
    left = hrtem.FIELD_CENTRE_RC[1] - 128 / scale
    for frame in truth["frames"]:
        movie_col = float(EXPERIMENT.front.position_px(frame["time_s"]))
        expected = (movie_col - left) * scale + frame["drift_px"][1]
        assert frame["intercalation_front_col_px"] == pytest.approx(expected)
        assert frame["intercalation_front_col_px"] - frame[
            "conversion_front_col_px"
        ] == pytest.approx(120.0)
        assert frame["time_s"] <= EXPERIMENT.times_s()[-1]
    fractions = [f["crystalline_fraction"] for f in truth["frames"]]
    assert fractions[0] == pytest.approx(1.0) and fractions[-1] < 0.01
    assert all(a >= b - 1e-12 for a, b in zip(fractions, fractions[1:]))
    assert truth["frames"][0]["phases"] == ["WO3"] and "LixWO3" in truth["frames"][12]["phases"]


def test_measured_spacings_and_crystallinity_match_the_truth(written):
    (movie_path, _), truth = written
    dataset = load(movie_path)
    wo3 = measure_lattice(dataset.frame(0), pixel_nm=0.05)
    expected = sorted(truth["phases"]["WO3"]["d_A"].values())
    assert sorted([10 * wo3.fit.d_a_nm, 10 * wo3.fit.d_b_nm]) == pytest.approx(expected, rel=1e-3)
    assert wo3.matches.best.phase == "γ-WO3"
    lithiated = measure_lattice(dataset.frame(16)[40:216, 150:256], pixel_nm=0.05)
    assert [10 * lithiated.fit.d_a_nm, 10 * lithiated.fit.d_b_nm] == pytest.approx(
        [3.72, 3.72], rel=2e-3
    )
    for index in (0, 9, 15, 23):
        result = crystallinity_map(dataset.frame(index), pixel_nm=0.05)
        assert result.crystalline_fraction == pytest.approx(
            truth["frames"][index]["crystalline_fraction"], abs=0.06
        )
