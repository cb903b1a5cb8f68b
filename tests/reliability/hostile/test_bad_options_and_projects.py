"""Cases 3 (batch writes to the wrong place), 7 (options that blow up), 8 (--workers 0 hangs),
11 (exit 1 where exit 2 belongs), 12 (argparse usage, negative numbers) and 15 (bad input
accepted silently)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from insitu_tem.cli.batch import Pipeline, Step, load_pipeline, result_folder


@pytest.mark.parametrize(
    "argv, contains",
    [
        (["radial", "{p}", "--bins", "1000000000"], "--bins"),
        (["rings", "--phase", "W", "--grain-size", "3", "--points", "100000000"], "--points"),
        (["rings", "--phase", "W", "--grain-size", "1e6"], "--grain-size"),
        (["front", "{m}", "--line", "0,0,1000000,1000000"], "leaves the"),
        (["front", "{m}", "--line", "5,30,60,30", "--width", "100000"], "--width"),
        (["front", "{m}", "--line", "nan,nan,nan,nan"], "non-finite"),
        (["nbd", "{s}", "--components", "1000"], "--components"),
        (["batch", "{toml}", "--workers", "0"], "--workers"),
        (["batch", "{toml}", "--workers", "-1"], "--workers"),
        (["info", "{m}", "--scale", "1e300"], "--scale"),
        (["drift", "{m}", "--roi", "-10:20,0:64"], "must lie inside the"),
        (["drift", "{m}", "--roi", "0,10,40,60"], "here --roi 0:10,40:60"),
        (["lattice", "{m}", "--roi", "0,40,10,60"], "here --roi 0:10,40:60"),
        (
            ["front", "{m}", "--line", "5,30,60,30", "--drift-correct", "--roi", "0:4,0:64"],
            "smaller than 8 × 8",
        ),
        (["phases", "--d", "2.05", "--d-min", "0.0001"], "--d-min"),
    ],
)
def test_options_out_of_range_are_refused_up_front(raw, refuse, argv, contains):
    toml = raw.parent / "p.toml"
    toml.write_text('[pipeline]\ninputs = ["raw/m.tif"]\n[[step]]\ncommand = "info"\n')
    values = {"m": raw / "m.tif", "p": raw / "pattern.npy", "s": raw / "patterns.npy", "toml": toml}
    refuse(*[a.format(**values) for a in argv], contains=contains)


def test_a_huge_cell_cif_is_refused(tmp_path, refuse):
    cif = tmp_path / "huge.cif"
    cif.write_text(
        "data_huge\n_cell_length_a 5000\n_cell_length_b 5000\n_cell_length_c 5000\n"
        "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
        "_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n"
        "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nW1 W 0 0 0\n"
    )
    refuse("rings", "--phase", cif, "--grain-size", "3", contains="cell edges")


def test_argparse_errors_are_one_line_and_negative_numbers_are_values(raw, refuse, capsys):
    refuse("radial", raw / "pattern.npy", "--bins", "many", contains="invalid int value")
    refuse("front", raw / "m.tif", contains="--line")
    refuse("no-such-option-either", "--frobnicate", contains="unrecognized arguments")
    refuse("front", raw / "m.tif", "--line", "-50,10,20,10", contains="leaves the")
    from insitu_tem.cli.main import main

    assert main(["radial", str(raw / "pattern.npy"), "--centre", "-5,-5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["centre_px"] == [-5.0, -5.0]


@pytest.mark.parametrize("dtype", ["U3", "S3", "datetime64[s]", "V4", "i4,f4"])
def test_non_numeric_npy_data_are_refused(tmp_path, refuse, dtype):
    np.save(tmp_path / "odd.npy", np.zeros((8, 8), dtype=dtype))
    refuse("radial", tmp_path / "odd.npy", contains="not numbers")


def project_with(tmp_path, raw, **fields):
    document = {
        "schema_version": 2,
        "files": [{"role": "movie", "path": "raw/m.tif", "sha256": "", "signal": None}],
    }
    document.update(fields)
    path = tmp_path / "p.itproj"
    path.write_text(json.dumps(document, allow_nan=True))
    return path


@pytest.mark.parametrize(
    "fields",
    [
        {"schema_version": math.inf},
        {"schema_version": math.nan},
        {"schema_version": "2"},
        {"files": [{"role": "movie", "path": ["m.tif"]}]},
        {"files": [{"role": "movie", "path": {"a": 1}}]},
        {"files": [{"role": "movie", "path": 5}]},
        {"files": {"role": "movie"}},
        {"parameters": {"calibration": "x"}},
        {"parameters": {"cursor": None}},
        {"parameters": {"cursor": {"frame": -3}}},
        {"parameters": {"cursor": {"frame": 99}}},
        {"scan_lines": {"eels": {"start_rc": [math.nan, 1], "end_rc": [2, 3], "n_positions": 5}}},
        {
            "scan_lines": {
                "eels": {"start_rc": [0, 1], "end_rc": [2, 3], "n_positions": 400_000_000}
            }
        },
    ],
)
def test_projects_with_wrong_fields_are_one_line_errors(tmp_path, raw, refuse, fields):
    refuse("export", project_with(tmp_path, raw, **fields), "--out", tmp_path / "x.png")


def test_project_nesting_bombs_and_huge_files_are_refused(tmp_path, refuse):
    (tmp_path / "deep.itproj").write_text(
        '{"schema_version": 2, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    refuse("export", tmp_path / "deep.itproj", "--out", tmp_path / "x.png", contains="nested")
    (tmp_path / "big.itproj").write_bytes(b" " * (65 * 2**20))
    refuse("export", tmp_path / "big.itproj", "--out", tmp_path / "x.png", contains="MB")
    (tmp_path / "digits.itproj").write_text('{"schema_version": 2, "x": ' + "9" * 5000 + "}")
    refuse(
        "export",
        tmp_path / "digits.itproj",
        "--out",
        tmp_path / "x.png",
        contains="no project does",
    )


@pytest.mark.parametrize(
    "text, contains",
    [
        ('[pipeline]\ninputs = ["raw/m.tif"]\n[step]\ncommand = "info"\n', "[[step]]"),
        ('[pipeline]\ninputs = 5\n[[step]]\ncommand = "info"\n', "inputs"),
        ('pipeline = 3\n[[step]]\ncommand = "info"\n', "[pipeline]"),
        ('[pipeline]\ninputs = ["raw/m.tif"]\n[[step]]\ncommand = 1\n', "command"),
        ('[pipeline]\ninputs = ["raw/m.tif"]\n[[step]]\ncommand = "info"\nargs = [1]\n', "args"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
        ("# " + "x" * (16 * 2**20) + "\n", "MB"),
    ],
)
def test_bad_pipelines_are_one_line_errors(raw, refuse, text, contains):
    toml = raw.parent / "p.toml"
    toml.write_text(text)
    refuse("batch", toml, contains=contains)


def test_batch_results_never_collide_or_leave_the_output_folder(tmp_path):
    pipeline = Pipeline("p", (), tmp_path / "results", (Step("info"),), tmp_path)
    folders = {
        result_folder(pipeline, tmp_path / name)
        for name in ("a/m.tif", "b/m.tif", "m.tif", "...tif")
    }
    assert len(folders) == 4
    for folder in folders:
        assert folder.is_relative_to(tmp_path / "results") and ".." not in folder.parts
    outside = result_folder(pipeline, Path("/elsewhere/m.tif"))
    assert outside.is_relative_to(tmp_path / "results")


def test_a_batch_step_writing_over_its_input_fails_that_file_only(raw):
    from insitu_tem.cli.batch import run_steps

    outcome = run_steps(
        str(raw / "m.tif"), (Step("drift", ("--out", str(raw / "m.tif"))),), str(raw.parent / "r")
    )
    assert outcome.status == "failed" and "input" in outcome.error


def test_pipeline_inputs_in_two_folders_get_two_result_folders(tmp_path, raw):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "m.tif").write_bytes((raw / "m.tif").read_bytes())
    toml = tmp_path / "p.toml"
    toml.write_text('[pipeline]\ninputs = ["*/m.tif"]\n[[step]]\ncommand = "info"\n')
    pipeline = load_pipeline(toml)
    assert {
        result_folder(pipeline, p).relative_to(pipeline.output).as_posix() for p in pipeline.inputs
    } >= {"a/m", "b/m"}


@pytest.mark.parametrize("command", ["info", "drift", "radial"])
@pytest.mark.parametrize("promised", [(10, 64, 64), (1000, 1024, 1024 * 1024)])
def test_npy_cut_short_or_promising_terabytes_says_so(tmp_path, refuse, command, promised):
    path = tmp_path / "cut.npy"
    with open(path, "wb") as stream:
        header = {"descr": "<u2", "fortran_order": False, "shape": promised}
        np.lib.format.write_array_header_1_0(stream, header)
        stream.write(bytes(40_000))
    line = refuse(command, path, contains="is cut short")
    assert " x ".join(map(str, promised)) in line and "copy it again" in line
