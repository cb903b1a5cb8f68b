"""The bundled EELS line scan: format, calibration, consistency with the shared experiment,
determinism."""

import json

import numpy as np
import pytest

from insitu_tem.io.load import load
from insitu_tem.samples import EXPERIMENT
from insitu_tem.samples import eels as sample_module


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eels_sample")
    return sample_module.write(folder)


def test_files_and_size_budget(written):
    data_path, truth_path = written
    assert data_path.name == "eels_linescan.hspy" and truth_path.name == "eels_linescan.truth.json"
    assert data_path.stat().st_size + truth_path.stat().st_size < 1.5e6


def test_loads_as_a_calibrated_line_scan(written):
    dataset = load(written[0])
    assert dataset.kind == "spectrum_series" and dataset.shape == (46, 2048)
    position, energy = dataset.axes
    assert (position.name, position.units, position.offset) == ("position", "nm", 0.0)
    assert position.scale == pytest.approx(EXPERIMENT.scan.step_px() * EXPERIMENT.pixel_nm)
    assert (energy.units, energy.scale, energy.offset) == ("eV", 0.05, -10.0)
    assert dataset.metadata["beam_energy_kV"] == 300.0
    assert not dataset.warnings


def test_truth_follows_the_shared_experiment(written):
    truth = json.loads(written[1].read_text())
    distance = np.array(truth["distance_from_front_nm"])
    assert np.allclose(distance, EXPERIMENT.scan_distance_from_front_nm())
    shift = np.array(truth["w_o23_shift_eV"])
    assert np.all(shift[distance < -60] < -1.45) and np.all(np.abs(shift[distance > 60]) < 0.05)
    li = np.array(truth["li_k_fraction"])
    assert li[0] > 0.99 and li[-1] < 0.01 and np.all(np.diff(li) <= 0)
    assert np.ptp(truth["zlp_offset_eV"]) > 0.2
    for key in ("plasmon_energy_eV", "plasmon_peak_eV", "t_over_lambda", "log_ratio_in_range"):
        assert len(truth[key]) == 46


def test_deterministic_and_matches_the_committed_copy(written, sample_data):
    committed = sample_data / "eels_linescan.hspy"
    if not committed.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    assert np.array_equal(load(committed).array, load(written[0]).array)
    committed_truth = json.loads((sample_data / "eels_linescan.truth.json").read_text())
    written_truth = json.loads(written[1].read_text())
    assert committed_truth.keys() == written_truth.keys()
    for key, value in committed_truth.items():
        # float sums may differ in the last bit with the BLAS build
        if isinstance(value, list) and value and isinstance(value[0], float):
            assert np.allclose(written_truth[key], value, rtol=1e-12, atol=1e-12), key
        else:
            assert written_truth[key] == value, key
