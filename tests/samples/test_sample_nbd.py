"""The bundled NBD line scan: file layout, calibration and ground truth consistent with
EXPERIMENT."""

import json

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.samples import EXPERIMENT
from insitu_tem.samples import nbd


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nbd")
    paths = nbd.write(folder)
    return folder, paths


def test_write_returns_the_data_file_and_truth_within_budget(written):
    folder, paths = written
    assert [p.name for p in paths] == ["nbd_linescan.hspy", "nbd_linescan.truth.json"]
    assert sum(p.stat().st_size for p in paths) < 3 * 2**20


def test_file_loads_as_a_calibrated_pattern_series(written):
    folder, _ = written
    dataset = load(folder / "nbd_linescan.hspy")
    assert dataset.kind == "pattern_series"
    assert dataset.shape == (46, 128, 128)
    position, ky, kx = dataset.axes
    assert (position.name, position.units, position.offset) == ("position", "nm", 0.0)
    assert position.scale == pytest.approx(EXPERIMENT.scan.step_px() * EXPERIMENT.pixel_nm)
    assert (ky.name, kx.name, ky.units, kx.units) == ("ky", "kx", "1/nm", "1/nm")
    assert kx.scale == pytest.approx(nbd.SCALE_PER_NM)
    assert dataset.metadata["beam_energy_kV"] == 300.0
    assert not dataset.warnings


def test_truth_follows_the_shared_experiment(written):
    folder, _ = written
    truth = json.loads((folder / "nbd_linescan.truth.json").read_text())
    distance = np.array(truth["distance_from_front_nm"])
    np.testing.assert_allclose(distance, EXPERIMENT.scan_distance_from_front_nm())
    strain = np.array([np.nan if v is None else v for v in truth["lattice_strain"]])
    ahead = distance > 0
    assert np.all(strain[ahead] == 0.0)
    assert np.nanmax(strain) == pytest.approx(nbd.STRAIN_MAX)
    spots = np.array(truth["phase_fractions"]["WO3 spots"])
    total = sum(np.array(v) for v in truth["phase_fractions"].values())
    np.testing.assert_allclose(total, 1.0)
    assert spots[ahead].min() == 1.0 and spots[distance < -130].max() == 0.0
    crystalline = np.array(truth["crystalline"])
    assert crystalline[ahead].all() and crystalline[0] and not crystalline[10] and crystalline[18]
    assert truth["w_grain_nm"][0] == 3.0 and truth["w_grain_nm"][10] == 0.3


def test_patterns_are_deterministic_and_show_the_descanning_beam(written):
    folder, _ = written
    first = np.asarray(load(folder / "nbd_linescan.hspy").array)
    again, truth = nbd.generate()
    np.testing.assert_array_equal(first, again)
    for i in (0, 45):
        bright = np.argwhere(first[i] > first[i].max() / 2)
        np.testing.assert_allclose(bright.mean(axis=0), truth["centre_rc"][i], atol=0.3)
    assert np.ptp(truth["centre_rc"][:, 1]) > 0.5


def test_spots_sit_where_the_strained_lattice_puts_them():
    strain = 0.01
    pattern = nbd.render_pattern(centre_rc=(64.0, 64.0), strain=strain)
    spot = max(nbd.wo3_010_reflections(q_max_per_nm=4.0), key=lambda s: s.weight)
    expected = np.array([64.0, 64.0]) + np.array(spot.g_rc) / (1 + strain) / nbd.SCALE_PER_NM
    r, c = (int(round(v)) for v in expected)
    window = pattern[r - 2 : r + 3, c - 2 : c + 3]
    assert window.min() > 0.8 * 400.0 * spot.weight + 10.0


def test_committed_sample_matches_the_generator(sample_data):
    path = sample_data / "nbd_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/nbd_linescan.hspy not generated yet")
    patterns, _ = nbd.generate()
    np.testing.assert_array_equal(np.asarray(load(path).array), patterns)
