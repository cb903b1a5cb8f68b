"""The EELS data's default edge lives in the session: computed once per data (the panel, the
views and the exports ask on every redraw), the same for the workflow and the figures, and kept
in the project, so a reopened project opens on the edge the user saw."""

import pytest

from insitu_tem.analysis.eels import edge_choice
from insitu_tem.core.project import save_session
from insitu_tem.core.session import Session
from insitu_tem.figures import eels_display
from insitu_tem.io.load import load
from insitu_tem.workflows import eels
from insitu_tem.workflows.project import open_session


@pytest.fixture
def counted(monkeypatch):
    """The edge search, counting its calls (``counted.calls``); ``counted.answer`` overrides
    the edge it finds."""

    class Counter:
        calls = 0
        answer = None

    original = edge_choice.strongest_edge

    def strongest_edge(spectrum, energy):
        Counter.calls += 1
        return Counter.answer or original(spectrum, energy)

    monkeypatch.setattr(edge_choice, "strongest_edge", strongest_edge)
    return Counter


def test_the_default_edge_is_computed_once_per_data_and_calibration(sample_data, counted):
    session = Session()
    session.set_dataset("eels", load(sample_data / "eels_linescan.hspy"))
    session.set_calibration("eels", scale=0.05, units="eV")
    for _ in range(3):
        assert eels.session_parameters(session)["edge"] == "W-O23"
        assert eels_display.session_value(session) is None
    assert counted.calls == 1
    session.set_calibration("eels", scale=0.1, units="eV")
    eels.session_parameters(session)
    eels.session_parameters(session)
    assert counted.calls == 2


def test_keeping_the_default_edge_is_not_an_unsaved_change(sample_project, counted):
    session = open_session(sample_project)
    assert not session.dirty
    assert eels.session_parameters(session)["edge"] == "W-O23" and counted.calls == 1
    assert not session.dirty


def test_a_reopened_project_opens_on_the_edge_the_user_saw(sample_data, tmp_path, counted):
    session = Session()
    session.set_dataset("eels", load(sample_data / "eels_linescan.hspy"))
    assert eels.session_parameters(session)["edge"] == "W-O23"
    save_session(session, tmp_path / "kept.itproj")
    counted.answer, counted.calls = "Li-K", 0
    reopened = open_session(tmp_path / "kept.itproj")
    assert eels.session_parameters(reopened)["edge"] == "W-O23"
    assert counted.calls == 0
    replaced = Session()
    replaced.set_dataset("eels", load(sample_data / "eels_linescan.hspy"))
    assert eels.session_parameters(replaced)["edge"] == "Li-K" and counted.calls == 1


def test_drawing_the_views_reads_the_kept_edge_and_changes_nothing(sample_data, counted):
    session = Session()
    session.set_dataset("eels", load(sample_data / "eels_linescan.hspy"))
    eels_display.session_value(session)
    assert session.parameters(edge_choice.DEFAULT_EDGE) == {} and counted.calls == 1
    eels.session_parameters(session)
    counted.answer = "Li-K"
    eels_display.session_value(session)
    assert session.parameters(edge_choice.DEFAULT_EDGE)["edge"] == "W-O23"
    assert counted.calls == 2


def test_an_export_snapshot_computes_the_edge_without_changing_the_session(sample_data):
    session = Session()
    session.set_dataset("eels", load(sample_data / "eels_linescan.hspy"))
    revision = session.revision
    assert eels.session_parameters(session.snapshot())["edge"] == "W-O23"
    assert session.parameters(edge_choice.DEFAULT_EDGE) == {} and session.revision == revision
