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
