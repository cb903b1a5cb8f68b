"""``export`` of a project whose holder log is gone: the overview is drawn with one warning line
naming the log; the timeline, which needs it, refuses in one line."""

import json

import numpy as np
import pytest
import tifffile

from insitu_tem.cli.main import main


@pytest.fixture
def project(tmp_path):
    """A movie-only project whose Timeline panel refers to ``holder_log.csv`` (not there)."""
    frames = np.random.default_rng(3).integers(0, 4000, (4, 48, 48)).astype(np.uint16)
    tifffile.imwrite(tmp_path / "movie.tif", frames, imagej=True, metadata={"axes": "TYX"})
    path = tmp_path / "p.itproj"
    path.write_text(
        json.dumps(
            {
                "schema_version": 3,
                "datasets": {"movie": {"path": "movie.tif", "sha256": ""}},
                "panels": {"timeline": {"log_path": "holder_log.csv", "offset_s": 0.0}},
            }
        )
    )
    return path


def test_the_overview_is_drawn_and_the_missing_log_is_named_once(project, capsys):
    out = project.with_name("overview.png")
    assert main(["export", str(project), "--out", str(out), "--dpi", "30"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "insitu-tem: warning: holder_log.csv: the project's holder log is missing (moved or "
        "renamed?); exported without it — put it back, or open it again in the GUI and save the "
        "project"
    ]
    assert out.is_file() and str(project.with_name("holder_log.csv")) in captured.out


def test_the_timeline_view_refuses_without_its_log(project, capsys):
    out = project.with_name("timeline.png")
    assert main(["export", str(project), "--view", "timeline", "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("insitu-tem: error: holder_log.csv: ")
    assert "--options" in lines[0] and not out.exists()
