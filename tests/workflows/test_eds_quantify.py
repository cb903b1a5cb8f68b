"""The Cliff–Lorimer composition the EDS panel and ``insitu-tem eds`` share
(workflows.eds_quantify): at.% is the wt % turned into atom fractions by gemmi's atomic weights,
with its 1σ, and the command line says why a composition is biased once, not twice."""

import json

import numpy as np
import pytest

from insitu_tem.analysis.eds.lines import xray_line
from insitu_tem.analysis.eds.maps import line_maps
from insitu_tem.cli.main import main
from insitu_tem.workflows.eds_quantify import quantify
from tests.cli.test_eds_bad_input import eds_cube


def test_atomic_percent_is_the_weight_percent_in_atom_fractions():
    energies = 10.0 * np.arange(1024)
    rng = np.random.default_rng(3)
    cube = rng.poisson(20.0, (5, 5, 1024)).astype(np.float32)
    lines = tuple(xray_line(name) for name in ("Si_Ka", "Fe_Ka"))
    for line, counts in zip(lines, (900.0, 1500.0)):
        cube += counts * np.exp(-0.5 * ((energies - line.energy_ev) / 55.0) ** 2) / 13.8
    found = quantify(line_maps(cube, energies, lines), ("Si", "Fe"))
    moles = found.weight_percent / np.array([28.0855, 55.845])
    assert found.atomic_percent == pytest.approx(100.0 * moles / moles.sum(), rel=1e-4)
    assert found.weight_percent.sum() == pytest.approx(100.0)
    assert 0 < found.atomic_percent_sigma[0] < 0.1 * found.atomic_percent[0]
    assert found.ok and found.reason == ""


def test_the_command_line_says_why_once(tmp_path, capsys):
    path = eds_cube(tmp_path / "e.hspy")
    assert main(["eds", str(path), "--elements", "Mg,Al,Si", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert not document["ok"]
    assert document["reason"].count("windows on another line's peak") == 1


def test_the_panels_composition_is_quantified_from_the_fitted_net_counts_and_their_sigma():
    """The identification's fitted counts ± 1σ, not the windows' counting statistics: the at.%
    1σ is as wide as the fit's (main: window sums, e.g. O Kα ± 0.3 at.% on 0.bcf beside a
    fitted 35 400 ± 8 700 counts)."""
    from insitu_tem.workflows.eds_quantify import composition_value, fitted_counts

    energies = 10.0 * np.arange(1024)
    spectra = np.random.default_rng(4).poisson(20.0, (3, 1024)).astype(float)
    lines = tuple(xray_line(name) for name in ("Si_Ka", "Fe_Ka"))
    findings = [
        {"element": "Si", "status": "present", "lines": ["Si_Ka", "Si_Kb"],
         "net_counts": 10000.0, "net_counts_sigma": 1000.0},
        {"element": "Fe", "status": "present", "lines": ["Fe_Ka", "Fe_Kb"],
         "net_counts": 20000.0, "net_counts_sigma": 300.0},
        {"element": "Cu", "status": "ambiguous", "lines": ["Cu_Ka"],
         "net_counts": 50.0, "net_counts_sigma": 20.0},
    ]  # fmt: skip
    fitted = fitted_counts(findings)
    assert set(fitted) == {"Si", "Fe"}
    value = composition_value(spectra, energies, lines, fitted=fitted)
    assert value["counts_from"] == "fitted" and value["overlapped"] == []
    assert value["totals"] == {"Si": 10000.0, "Fe": 20000.0}
    assert value["totals_sigma"] == {"Si": 1000.0, "Fe": 300.0}
    moles = np.array([10000.0 / 28.0855, 20000.0 / 55.845])
    fraction = moles[0] / moles.sum()
    relative = np.hypot(1000.0 / 10000.0, 300.0 / 20000.0)
    assert value["atomic_percent"]["Si"] == pytest.approx(100.0 * fraction, rel=1e-4)
    expected_sigma = 100.0 * fraction * (1.0 - fraction) * relative
    assert value["atomic_percent_sigma"]["Si"] == pytest.approx(expected_sigma, rel=1e-3)
