"""Commands that take a project, given a microscope data file instead: one line that says it is
a data file, not a damaged project to recover from its autosave."""

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main


@pytest.mark.parametrize("argv", [["export", "--out", "x.png"], ["across"]])
def test_a_data_file_is_no_project(tmp_path, capsys, argv):
    movie = tmp_path / "movie.tif"
    tifffile.imwrite(movie, np.zeros((3, 16, 16), np.uint16), imagej=True)
    command, *options = argv
    options = [str(tmp_path / o) if o.endswith(".png") else o for o in options]
    assert main([command, str(movie), *options]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"insitu-tem: error: movie.tif: is a data file, not a project; `{command}` takes a "
        "project (.itproj) saved from the workbench (File ▸ Save Project) — see the file itself "
        "with `insitu-tem info`"
    ]
