"""Across-the-front view on the sample project against its ground truth."""

import json

import numpy as np

from insitu_tem.cli.main import main
from insitu_tem.samples.experiment import EXPERIMENT


def test_distances_and_profiles_match_the_truth(sample_project, sample_data, tmp_path, capsys):
    csv_path, figure = tmp_path / "across.csv", tmp_path / "across.svg"
    code = main(
        ["across", str(sample_project), "--csv", str(csv_path), "--figure", str(figure), "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    distance = np.array(result["distance_nm"])
    np.testing.assert_allclose(distance, EXPERIMENT.scan_distance_from_front_nm(), atol=1.0)
    front_sigma = result["front_along_sigma_nm"]
    offset = np.mean(distance - EXPERIMENT.scan_distance_from_front_nm())
    assert 0 < front_sigma < 1.0 and abs(offset) < 3 * front_sigma
    truth = json.loads((sample_data / "eels_linescan.truth.json").read_text())
    shift = np.array(result["columns"]["W_O23_shift"], dtype=float)
    true_shift = (
        np.array(truth["w_o23_shift_eV"]) - truth["w_o23_shift_eV"][int(np.argmax(distance))]
    )
    assert np.sqrt(np.mean((shift - true_shift) ** 2)) < 0.05
    lithium = np.array(result["columns"]["Li_K_intensity"], dtype=float)
    assert lithium[distance < -50].mean() > 5 * abs(lithium[distance > 50].mean())
    strain = np.array(result["columns"]["lattice_strain"], dtype=float)
    assert abs(np.nanmean(strain[distance > 50])) < 1e-3 and np.nanmax(strain[distance < 0]) > 5e-3
    strain_sigma = np.array(result["columns"]["lattice_strain_stderr"], dtype=float)
    assert np.array_equal(np.isnan(strain_sigma), np.isnan(strain))
    assert np.nanmax(strain_sigma) < 3e-3 and result["units"]["lattice_strain_stderr"] == ""
    li_sigma = np.array(result["columns"]["Li_K_intensity_stderr"], dtype=float)
    assert np.all((li_sigma > 0) & (li_sigma < 0.1 * lithium[distance < -50].mean()))
    fraction_names = [n for n in result["columns"] if n.startswith("fraction_")]
    for name in (n for n in fraction_names if not n.endswith("_stderr")):
        sigma = np.array(result["columns"][f"{name}_stderr"], dtype=float)
        measured = np.isfinite(sigma)
        assert np.count_nonzero(~measured) == 2, f"{name}: NaN only at the fixed end members"
        assert np.all(sigma[measured] >= 0) and np.median(sigma[measured]) < 0.1, name
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("distance_from_front_nm,W_O23_shift (eV)") and len(rows) == 47
    assert "Li_K_intensity_stderr (counts)" in rows[0] and "fraction_free 1_stderr ()" in rows[0]
    assert b"insitu-tem" in figure.read_bytes()
