"""The bundled lithiation movie: file layout and calibration as the reader sees it,
ground truth consistent with EXPERIMENT, determinism, counts and size budget."""

import json

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.samples import EXPERIMENT
from insitu_tem.samples import movie as sample_movie


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("movie")
    return folder, sample_movie.write(folder)


def test_write_returns_movie_and_truth_within_the_8_mb_budget(written):
    folder, paths = written
    assert [p.name for p in paths] == ["lithiation_movie.tif", "lithiation_movie.truth.json"]
    assert sum(p.stat().st_size for p in paths) < 8_000_000


def test_reader_calibrates_the_movie(written):
    folder, _ = written
    dataset = load(folder / "lithiation_movie.tif")
    assert (
        dataset.kind == "movie" and dataset.shape == (60, 256, 256) and dataset.dtype == np.uint16
    )
    t, y, x = dataset.axes
    assert (t.scale, t.units) == (0.5, "s")
    assert (y.scale, y.units, x.scale, x.units) == (2.0, "nm", 2.0, "nm")
    assert not dataset.warnings


def test_truth_is_consistent_with_the_shared_experiment(written):
    folder, _ = written
    truth = json.loads((folder / "lithiation_movie.truth.json").read_text())
    law = EXPERIMENT.front
    assert truth["front_law"]["n"] == law.n and truth["expansion"] == EXPERIMENT.expansion
    times = np.array(truth["times_s"])
    np.testing.assert_allclose(truth["front_specimen_px"], law.position_px(times))
    drift = np.array(truth["drift_px"])
    np.testing.assert_allclose(truth["front_px"], law.position_px(times) + drift[:, 1])
    assert drift.shape == (60, 2) and np.all(drift[0] == 0)
    assert 1.0 < np.abs(drift).max() <= 3.0 + 1e-9
    assert np.abs(np.diff(drift, axis=0)).max() < 0.5
    edges = truth["film_edges_px"]
    thickness_ratio = (np.array(edges["bottom"]) - edges["top_reacted"]) / (
        np.array(edges["bottom"]) - edges["top_pristine"]
    )
    np.testing.assert_allclose(thickness_ratio, 1 + EXPERIMENT.expansion)


def test_pixels_show_the_front_film_and_counts(written):
    folder, _ = written
    frames = load(folder / "lithiation_movie.tif").array
    truth = json.loads((folder / "lithiation_movie.truth.json").read_text())
    assert 80 < frames.mean() < 130
    frame = frames[40].astype(float)
    front = truth["front_px"][40]
    reacted = frame[110:150, int(front) - 30 : int(front) - 5].mean()
    pristine = frame[110:150, int(front) + 5 : int(front) + 30].mean()
    assert reacted == pytest.approx(sample_movie.LEVELS["reacted"], rel=0.1)
    assert pristine == pytest.approx(sample_movie.LEVELS["pristine"], rel=0.1)
    assert frame[:60].mean() > frame[110:150].mean() > frame[200:].mean()


def test_generation_is_deterministic(written):
    folder, _ = written
    again, _ = sample_movie.generate()
    np.testing.assert_array_equal(again, load(folder / "lithiation_movie.tif").array)


def test_committed_sample_matches_the_generator(sample_data, written):
    committed = sample_data / "lithiation_movie.tif"
    if not committed.exists():
        pytest.skip("sample_data/lithiation_movie.tif not generated yet (make samples)")
    folder, _ = written
    assert committed.read_bytes() == (folder / "lithiation_movie.tif").read_bytes()
