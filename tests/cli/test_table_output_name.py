"""A command that writes a CSV table refuses an --out named like a microscope data file: a table
saved as ``drift.TIF`` would be taken for raw data by every later run (and refused as an --out)."""

import pytest

from insitu_tem.cli.main import main


@pytest.mark.parametrize("name", ["drift.TIF", "shifts.dm4", "track.mrc"])
@pytest.mark.parametrize("command", ["drift", "front"])
def test_a_table_under_a_data_file_name_is_refused_before_any_work(
    movie_sample, tmp_path, capsys, command, name
):
    path, _ = movie_sample
    out = tmp_path / name
    options = ["--line", "128,20,128,236"] if command == "front" else []
    code = main([command, str(path), *options, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("insitu-tem: error: ")
    assert "writes a CSV table" in err and f"--out {out.stem}.csv" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_table_under_a_csv_name_is_written(movie_sample, tmp_path, capsys):
    path, _ = movie_sample
    out = tmp_path / "drift.csv"
    assert main(["drift", str(path), "--out", str(out)]) == 0, capsys.readouterr().err
    assert out.read_text().startswith("frame,")
