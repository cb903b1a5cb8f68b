"""`insitu-tem info` and the error conventions every command follows."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import _text_lines, main

BIN = Path(sys.executable).parent / "insitu-tem"


def run_info(capsys, *args):
    code = main(["info", *map(str, args), "--json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_info_json_document(tmp_path, capsys):
    path = tmp_path / "movie.tif"
    tifffile.imwrite(
        path,
        np.zeros((4, 16, 16), np.uint16),
        imagej=True,
        resolution=(2.0, 2.0),
        metadata={"axes": "TYX", "unit": "nm", "finterval": 0.5},
    )
    code, out, err = run_info(capsys, path)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert set(document) == {
        "kind",
        "shape",
        "dtype",
        "axes",
        "lazy",
        "signals",
        "warnings",
        "signal_list",
    }
    assert document["signal_list"] == ["--signal 0: movie: movie, 4 × 16 × 16 px, 0.5 nm/px"]
    assert document["kind"] == "movie" and document["shape"] == [4, 16, 16]
    assert document["axes"][2] == {
        "name": "x",
        "size": 16,
        "scale": 0.5,
        "offset": 0.0,
        "units": "nm",
    }
    assert document["axes"][0]["units"] == "s"


@pytest.mark.parametrize(
    "name, kind, scale",
    [
        ("16_STOimage.emi", "image", 0.0100127),
        ("EELS_STO.dm3", "spectrum", 0.25),
        ("test1.blo", "pattern_series", 1.0),
    ],
)
def test_info_on_real_files(realdata, capsys, name, kind, scale):
    code, out, _ = run_info(capsys, realdata(name))
    document = json.loads(out)
    assert code == 0 and document["kind"] == kind
    assert document["axes"][-1]["scale"] == pytest.approx(scale, rel=1e-4)


def test_info_warns_on_odd_calibration(realdata, capsys):
    _, out, _ = run_info(capsys, realdata("Acquisition_18.emd"))
    assert any("n_m" in w for w in json.loads(out)["warnings"])


def test_signal_and_calibration_override(realdata, capsys):
    code, out, _ = run_info(
        capsys, realdata("soot_hrtem.tif"), "--scale", "0.0554958", "--units", "nm"
    )
    axis = json.loads(out)["axes"][1]
    assert code == 0 and axis["units"] == "nm" and axis["scale"] == pytest.approx(0.0554958)
    assert not any("no calibration" in w for w in json.loads(out)["warnings"])
    code, out, _ = run_info(capsys, realdata("FFTComplexEven.emd"), "--signal", "1")
    assert json.loads(out)["kind"] == "image"
    code, out, _ = run_info(capsys, realdata("16_STOimage.emi"), "--scale", "1", "--units", "Å")
    assert json.loads(out)["axes"][0]["scale"] == pytest.approx(0.1)


def test_info_says_what_each_signal_of_a_file_is(realdata, capsys):
    """Velox files title several signals alike ("EDS" six times): the list gives each one's
    kind, size and calibration, so that --signal N can be chosen without the window."""
    code, out, _ = run_info(capsys, realdata("FFTComplexEven.emd"), "--signal", "1")
    assert code == 0 and json.loads(out)["signal_list"] == [
        "--signal 0: Half FFT (HAADF): diffraction pattern, 70 × 36 px, 0.0005269 1/nm per px",
        "--signal 1: HAADF: image, 128 × 128 px, 27.12 nm/px",
    ]
    code, out, _ = run_info(capsys, realdata("edstomo_idp/0.bcf"))
    assert json.loads(out)["signal_list"][1] == (
        "--signal 1: EDX: EDS spectrum series, 256 × 256 × 2048 channels, 10 eV/channel from "
        "-470.9 eV"
    )


def test_text_output_is_readable_and_shows_every_warning_in_full(realdata, capsys):
    """Without --json: characters as they are (not \\u2014 escapes), and a list of warnings
    too long for one line is written whole, one a line, not cut before it says what to do."""
    assert main(["info", str(realdata("FFTComplexEven.emd"))]) == 0
    out = capsys.readouterr().out
    assert "\\u" not in out and "showing 1: HAADF, the first recorded" in out
    assert "2 signals, numbered from 0 as --signal takes them (0: Half FFT, 1: HAADF)" in out
    long = [f"file holds 30 signals ({', '.join(f'{i}: EDS' for i in range(30))}); choose one"]
    assert _text_lines("warnings", long) == ["warnings:", f"  - {long[0]}"]
    assert _text_lines("lines", ["a\nb"]) == ['lines: ["a\\nb"]']
    assert _text_lines("values", list(range(100)))[0].endswith("...")
    matches = [{"phase": name, "note": "x" * 90} for name in ("γ-WO3", "LiH", "VO2")]
    lines = _text_lines("matches", matches)
    assert (
        lines[0] == "matches:" and len(lines) == 4 and lines[1].startswith('  - {"phase": "γ-WO3"')
    )


def test_python_m_insitu_tem_is_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "insitu_tem", "info", str(tmp_path / "nope.ser")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == "insitu-tem: error: nope.ser: no such file or folder; check the path\n"


def written(folder, name, content):
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "setup, expected",
    [
        (lambda d: d / "absent.dm3", "no such file"),
        (lambda d: written(d, "empty.dm3", b""), "empty"),
        (lambda d: written(d, "junk.emd", b"\x89HDF junk" * 50), "cannot be read"),
        (lambda d: d, "folder"),
        (lambda d: written(d, "a.xyz", b"x"), "unsupported file type"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, setup, expected):
    path = setup(tmp_path)
    code, out, err = run_info(capsys, path)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"insitu-tem: error: {Path(path).name}: ")
    assert expected in lines[0] and "Traceback" not in err


def test_bad_scale_override_is_an_input_error(realdata, capsys):
    code, _, err = run_info(capsys, realdata("EELS_STO.dm3"), "--scale", "-1")
    assert code == 2 and "positive" in err


def test_console_script_in_a_subprocess(realdata, tmp_path):
    good = subprocess.run(
        [str(BIN), "info", str(realdata("08_carbon.dm3")), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0 and json.loads(good.stdout)["kind"] == "spectrum"
    bad = subprocess.run(
        [str(BIN), "info", str(tmp_path / "nope.ser"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert (
        bad.stderr.strip() == "insitu-tem: error: nope.ser: no such file or folder; check the path"
    )
    piped = subprocess.run(
        f"'{BIN}' info '{realdata('EELS_STO.dm3')}' | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in piped.stderr
    debug = subprocess.run(
        [str(BIN), "info", str(tmp_path / "nope.ser"), "--debug"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_kind_override_reads_a_movie_of_patterns(tmp_path, capsys):
    path = tmp_path / "patterns.tif"
    tifffile.imwrite(path, np.zeros((4, 32, 32), np.uint16), imagej=True, metadata={"axes": "TYX"})
    code, out, _ = run_info(capsys, path, "--kind", "pattern_series")
    assert code == 0 and json.loads(out)["kind"] == "pattern_series"
    code, _, err = run_info(capsys, path, "--kind", "pattern")
    assert code == 2 and "cannot be opened as a pattern" in err
