"""`insitu-tem eds` and `eels` on EDS spectrum images they cannot use: one line naming the file
and what to do."""

import json

import numpy as np

from insitu_tem.cli.main import main
from tests.gui.test_line_scan_bad_input import write_hspy


def eds_cube(path, cube=None):
    """A 4 × 4 px EDS spectrum image of 512 channels (0–10 keV) marked EDS_TEM."""
    if cube is None:
        cube = np.random.default_rng(0).poisson(5, (4, 4, 512)).astype(np.float32)
    position = [("y", 1.0, "nm", 0.0), ("x", 1.0, "nm", 0.0)]
    return write_hspy(path, cube, position, [("E", 0.02, "keV", 0.0)], "EDS_TEM")


def test_a_spectrum_image_with_nan_is_refused_naming_it(capsys, tmp_path):
    cube = np.random.default_rng(0).poisson(5, (4, 4, 512)).astype(np.float32)
    cube[1, 2, 100:110] = np.nan
    path = eds_cube(tmp_path / "e.hspy", cube)
    assert main(["eds", str(path), "--elements", "Si,O"]) == 2
    assert capsys.readouterr().err == (
        "insitu-tem: error: e.hspy: holds 10 NaN or infinite values, which the line maps cannot "
        "use; replace them (e.g. by 0) and export the spectrum image again\n"
    )


def test_eels_refuses_eds_spectra_naming_the_file(capsys, tmp_path):
    path = eds_cube(tmp_path / "e.hspy")
    for edge in ([], ["--edge", "W-O23"]):
        assert main(["eels", str(path), *edge]) == 2
        assert capsys.readouterr().err == (
            "insitu-tem: error: e.hspy: holds EDS (X-ray) spectra, not electron energy-loss "
            "spectra — map its X-ray lines with insitu-tem eds, or open EELS data\n"
        )


def test_bad_kfactors_are_refused_in_one_sentence_before_any_work(capsys, tmp_path):
    path = eds_cube(tmp_path / "e.hspy")
    refused = {
        ("--kfactors", "Si=0"): "--kfactors 'Si=0': type ELEMENT=k pairs with k > 0, e.g. Si=1, "
        "O=1.9",
        ("--kfactors", "Si=-1.2"): "--kfactors 'Si=-1.2': type ELEMENT=k pairs with k > 0, e.g. "
        "Si=1, O=1.9",
        ("--kfactors", "=1.5"): "--kfactors '=1.5': type ELEMENT=k pairs with k > 0, e.g. Si=1, "
        "O=1.9",
        ("--kfactors", "Si=one"): "--kfactors 'Si=one': type ELEMENT=k pairs with k > 0, e.g. "
        "Si=1, O=1.9",
        ("--kfactors", "Xx=1"): "--kfactors 'Xx' is not an element; type symbols such as Fe, O, Si",
        ("--kfactors", "Si=1,si=2"): "--kfactors 'Si' is given twice; give each element once",
        ("--kfactor-sigmas", "O=-0.1"): "--kfactor-sigmas 'O=-0.1': type ELEMENT=σ pairs with "
        "σ ≥ 0, e.g. Si=0.05, O=0.1",
        ("--kfactor-sigmas", "O=inf"): "--kfactor-sigmas 'O=inf': type ELEMENT=σ pairs with "
        "σ ≥ 0, e.g. Si=0.05, O=0.1",
    }
    for (option, value), message in refused.items():
        out = tmp_path / "maps"
        assert main(["eds", str(path), "--elements", "Si,O", option, value, "--out", str(out)]) == 2
        assert capsys.readouterr().err == f"insitu-tem: error: {message}\n"
        assert not out.exists()


def test_zero_kfactor_sigma_is_valid_and_symbols_are_read_as_elements(capsys, tmp_path):
    path = eds_cube(tmp_path / "e.hspy")
    argv = ["eds", str(path), "--elements", "Si,O", "--kfactors", "si=1.5; O=2"]
    assert main([*argv, "--kfactor-sigmas", "Si=0,O=0.1", "--json"]) == 0
    quantification = json.loads(capsys.readouterr().out)["quantification"]
    assert quantification["kfactors"] == {"Si": 1.5, "O": 2.0}
    assert quantification["kfactor_sigmas"]["Si"] == 0.0
