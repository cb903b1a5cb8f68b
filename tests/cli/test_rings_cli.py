"""`insitu-tem rings` and `insitu-tem phases`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from insitu_tem.cli.main import main

BIN = Path(sys.executable).parent / "insitu-tem"


def run(capsys, *args):
    code = main([*map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rings_json_document(capsys):
    code, out, err = run(capsys, "rings", "--phase", "W", "--grain-size", "3")
    assert code == 0 and err == ""
    document = json.loads(out)
    assert {"q_per_A", "intensity", "peaks"} <= set(document)
    assert len(document["q_per_A"]) == len(document["intensity"]) == 741
    first = document["peaks"][0]
    assert set(first) == {"d_A", "hkl", "fwhm_per_A"}
    assert first["hkl"] == [1, 1, 0] and first["d_A"] == pytest.approx(2.238, rel=0.01)
    assert first["fwhm_per_A"] == pytest.approx(0.03, rel=0.25)


def test_rings_for_a_unit_cell_cluster_and_other_energy(capsys):
    code, out, _ = run(
        capsys,
        "rings",
        "--phase",
        "W",
        "--grain-size",
        "0.3",
        "--energy",
        "200",
        "--q-max",
        "1.2",
        "--points",
        "200",
    )
    document = json.loads(out)
    assert code == 0 and document["energy_kV"] == 200 and document["n_atoms"] == 9
    assert document["peaks"][0]["fwhm_per_A"] > 0.1


@pytest.mark.parametrize(
    "args, expected",
    [
        (("rings", "--phase", "unobtainium", "--grain-size", "3"), "unknown phase"),
        (("rings", "--phase", "W", "--grain-size", "-1"), "positive"),
    ],
)
def test_rings_bad_input_is_one_line_exit_2(capsys, args, expected):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert (
        err.startswith("insitu-tem: error: ")
        and expected in err
        and len(err.strip().splitlines()) == 1
    )


def test_phases_lists_the_library(capsys):
    code, out, _ = run(capsys, "phases")
    names = [p["name"] for p in json.loads(out)["phases"]]
    assert code == 0 and {"γ-WO3", "LixWO3", "W", "Li", "Li2O", "LiH", "LiF", "Cu", "Si"} <= set(
        names
    )
    code, out, _ = run(capsys, "phases", "--phase", "Si", "--d-min", "1.5")
    reflections = json.loads(out)["phases"][0]["reflections"]
    assert [r["hkl"] for r in reflections] == [[1, 1, 1], [2, 2, 0], [3, 1, 1]]


def test_phases_matches_spacings_and_angles(capsys):
    code, out, _ = run(
        capsys,
        "phases",
        "--d",
        "2.05,2.35",
        "--angles",
        "0,54.74",
        "--phase",
        "LiH",
        "--phase",
        "LiF",
    )
    document = json.loads(out)
    assert code == 0 and document["ok"]
    best = document["matches"][0]
    assert best["phase"] == "LiH" and best["hkl"][0] == [2, 0, 0]
    code, out, _ = run(
        capsys,
        "phases",
        "--d",
        "2.30",
        "--tolerance",
        "0.03",
        "--phase",
        "LiH",
        "--phase",
        "LiF",
        "--phase",
        "W",
    )
    document = json.loads(out)
    assert document["ambiguous"] and "ambiguous" in document["note"]


def test_rings_console_script_in_a_subprocess():
    result = subprocess.run(
        [str(BIN), "rings", "--phase", "Li2O", "--grain-size", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["peaks"][0]["hkl"] == [1, 1, 1]
