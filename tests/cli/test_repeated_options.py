"""An option given twice: `eels --edge A --edge B` measures both edges (one document each, in the
order given); `phases --d` given twice matches every spacing; any other option of one value given
twice with different values is refused in one line (exit 2) instead of keeping the last."""

import json

import pytest

from insitu_tem.cli.main import main
from insitu_tem.cli.parsing import build_command_parser


@pytest.fixture
def scan(sample_data):
    path = sample_data / "eels_linescan.hspy"
    if not path.exists():
        pytest.skip("sample_data/eels_linescan.hspy not generated")
    return str(path)


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("insitu-tem: error: ")
    return err


def test_eels_measures_every_edge_given(capsys, scan):
    assert main(["eels", scan, "--edge", "Li-K", "--json", "--quiet"]) == 0
    li_alone = json.loads(capsys.readouterr().out)
    assert main(["eels", scan, "--edge", "W-O23", "--edge", "Li-K", "--json", "--quiet"]) == 0
    documents = json.loads(capsys.readouterr().out)
    assert [d["edge"] for d in documents] == ["W-O23", "Li-K"]
    assert documents[1] == li_alone
    assert documents[0]["edge_ok"] and set(documents[0]["maps"]) == {"W-O23"}


def test_eels_text_has_the_lines_of_each_edge(capsys, scan):
    assert main(["eels", scan, "--edge", "W-O23", "--edge", "Li-K", "--quiet"]) == 0
    blocks = capsys.readouterr().out.split("\n\n")
    assert [b.count('\nedge: "') for b in blocks] == [1, 1]
    assert 'edge: "W-O23"' in blocks[0] and 'edge: "Li-K"' in blocks[1]
    assert all("edge_onset_eV: " in b and "map_ok: " in b for b in blocks)


def test_one_edge_windows_with_several_edges_are_refused(capsys, scan):
    argv = ["eels", scan, "--edge", "W-O23", "--edge", "Li-K", "--window", "55,65"]
    assert main(argv) == 2
    assert "--window and --background are one edge's" in one_error_line(capsys)


def test_an_option_of_one_value_given_twice_is_refused(capsys, scan):
    assert main(["eels", scan, "--model", "power_law", "--model", "exponential"]) == 2
    assert "argument --model: given twice with different values" in one_error_line(capsys)
    assert main(["--size", "1280x800", "--size", "1920x1200"]) == 2
    assert "argument --size: given twice" in one_error_line(capsys)


def test_the_same_value_twice_is_no_conflict_and_a_parser_forgets_between_lines():
    parser = build_command_parser()
    args = parser.parse_args(["eels", "f", "--model", "exponential", "--model", "exponential"])
    assert args.model == "exponential"
    assert parser.parse_args(["eels", "f", "--model", "polynomial"]).model == "polynomial"


def test_phases_matches_every_spacing_given(capsys):
    assert main(["phases", "--d", "2.05,2.35", "--json"]) == 0
    joined = json.loads(capsys.readouterr().out)
    assert main(["phases", "--d", "2.05", "--d", "2.35", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == joined
