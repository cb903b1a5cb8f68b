"""Commands that read a holder log say, in one warning line naming it, that a last row with no
line break (the file may have been cut there) was left out; the result still comes."""

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.commands._log_options import log_fields
from insitu_tem.cli.main import main
from tests.io.test_holder_log_cut import SAMPLE, cut_in_last_number

WARNING = "insitu-tem: warning: holder_log.csv: ends without a line break"


@pytest.fixture
def cut_log(tmp_path) -> Path:
    return cut_in_last_number(SAMPLE, tmp_path / "holder_log.csv")


def test_log_warns_in_one_line_and_lists_the_warning(cut_log, capsys):
    assert main(["log", str(cut_log), "--json"]) == 0
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert line.startswith(WARNING) and "left out" in line
    assert json.loads(out)["warnings"] == [line.split("holder_log.csv: ", 1)[1]]


def test_a_movie_command_with_log_warns_and_records_it(cut_log, capsys):
    args = argparse.Namespace(log=str(cut_log), log_offset=0.0, current_channel=None)
    fields = log_fields(args, np.arange(4.0), np.zeros(4))
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(WARNING)
    assert fields["log"]["warnings"] == [line.split("holder_log.csv: ", 1)[1]]


def test_export_of_the_timeline_warns(cut_log, capsys):
    frames = np.random.default_rng(3).integers(0, 4000, (4, 48, 48)).astype(np.uint16)
    tifffile.imwrite(cut_log.with_name("movie.tif"), frames, imagej=True, metadata={"axes": "TYX"})
    project = cut_log.with_name("p.itproj")
    project.write_text(
        json.dumps(
            {
                "schema_version": 3,
                "datasets": {"movie": {"path": "movie.tif", "sha256": ""}},
                "analysis_line": [[24.0, 4.0], [24.0, 44.0]],
                "panels": {"timeline": {"log_path": "holder_log.csv", "offset_s": 0.0}},
            }
        )
    )
    out = project.with_name("timeline.png")
    assert (
        main(["export", str(project), "--view", "timeline", "--out", str(out), "--dpi", "30"]) == 0
    )
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(WARNING) and out.is_file()
