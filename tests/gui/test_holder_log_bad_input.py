"""A project's holder log that cannot be read is refused on the Timeline panel's status line,
naming the file and what to do: no error dialog, and the across view's holder readout says it
was not read."""

import json

import pytest

from tests.gui.test_line_scan_bad_input import eels_counts, line_scan_project


def project_with_log(tmp_path, movie_file, log: bytes):
    (tmp_path / "holder_log.csv").write_bytes(log)
    project = tmp_path / "log.itproj"
    project.write_text(
        json.dumps(
            {
                "schema_version": 3,
                "datasets": {
                    "movie": {"path": movie_file.name, "sha256": "", "signal": None, "kind": None}
                },
                "panels": {"timeline": {"log_path": "holder_log.csv", "offset_s": 0.0}},
            }
        )
    )
    return project


@pytest.mark.parametrize(
    "log, says",
    [
        (b"", "holder_log.csv: is empty; give a holder log with a header row and data"),
        (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "holder_log.csv: is a binary file"),
    ],
)
def test_an_unreadable_holder_log_is_named_on_the_timeline(
    qtbot, window, wait_idle, tmp_path, movie_file, log, says
):
    window.open_paths([project_with_log(tmp_path, movie_file, log)])
    wait_idle(window)
    assert window.workbench().timeline.panel.status.text().startswith(says)
    assert window.reporter.reports == []
    assert window.panels["movie"].dataset is not None


def test_the_across_view_says_the_holder_state_was_not_read(
    qtbot, window, wait_idle, tmp_path, front_movie
):
    project = line_scan_project(tmp_path, front_movie, eels_counts(5))
    saved = json.loads(project.read_text())
    saved["panels"] = {"timeline": {"log_path": "holder_log.csv", "offset_s": 0.0}}
    project.write_text(json.dumps(saved))
    (tmp_path / "holder_log.csv").write_bytes(b"")
    window.open_paths([project])
    wait_idle(window)
    qtbot.waitUntil(lambda: "holder" in window.panels["across"].status.text(), timeout=5000)
    expected = (
        "; holder state not read (holder_log.csv: is empty; give a holder log with a header "
        "row and data)"
    )
    assert window.panels["across"].status.text().endswith(expected)
    assert window.reporter.reports == []
