"""The Session model: events, dependencies, dirty state, and the project file as its
serialisation."""

import json
import subprocess
import sys

import numpy as np
import pytest

from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.project import load_session, save_session, session_to_json
from insitu_tem.core.results import Result, same
from insitu_tem.core.session import Session


def movie(path, n=5) -> Dataset:
    array = np.arange(n * 4 * 6, dtype=np.uint16).reshape(n, 4, 6)
    np.save(path, array)
    axes = (Axis("t", n, 0.5, 0.0, "s"), Axis("y", 4, 2.0, 0.0, "nm"), Axis("x", 6, 2.0, 0.0, "nm"))
    return Dataset("movie", array, axes, source=str(path))


def scan(path, n=7) -> Dataset:
    array = np.ones((n, 32))
    np.save(path, array)
    return Dataset(
        "spectrum_series",
        array,
        (Axis("x", n, 1.0, 0.0, "nm"), Axis("E", 32, 0.5, 30.0, "eV")),
        source=str(path),
    )


@pytest.fixture
def session(tmp_path) -> Session:
    s = Session()
    s.set_dataset("movie", movie(tmp_path / "movie.npy"))
    s.set_dataset("eels", scan(tmp_path / "eels.npy"))
    s.set_calibration("movie", scale=0.25, units="nm")
    s.set_scan_line(
        "eels", {"start_rc": [1.0, 1.0], "end_rc": [3.0, 5.0], "n_positions": 7, "time_s": 1.0}
    )
    s.set_analysis_line([(0.0, 0.5), (3.0, 5.5)])
    s.set_marks({2: [(1.0, 2.0), (2.0, 3.0)]})
    s.set_measurements(
        "movie",
        {"tools": {"Ruler": [(0.5, 1.0), (2.5, 9.0)], "Region": [(0.0, 0.0), (4.0, 4.0)]}},
    )
    s.set_measurement_readout("movie", "ruler: 8.246 nm, direction 14.0°")
    s.set_parameters("front", {"width_px": 9.0})
    front = Result(
        {"position_nm": [np.nan, 0.1 + 0.2, 1 / 3, 2e-17], "fit": {"n": 0.4999999999999999}},
        {"width_px": 9.0},
        s.fingerprints(["movie", "analysis_line"]),
    )
    s.store_result("front", front)
    s.store_result(
        "across", Result({"shift_eV": [-1.495, 0.0]}, {}, s.fingerprints(["eels", "result.front"]))
    )
    s.store_result("eels", Result({"zlp_eV": [0.01]}, {}, s.fingerprints(["eels"])))
    s.set_frame(3)
    s.set_probe(5)
    s.set_view("eels.log", True)
    s.set_view("nbd.cmap", "gray")
    s.set_panel_state("fft", {"snr": 5.0})
    return s


def test_events_fire_once_per_change_and_catch_all_sees_every_change(session):
    seen, everything = [], []
    session.events.connect("probe", seen.append)
    session.events.connect("*", lambda name, *payload: everything.append(name))
    session.set_probe(2)
    session.set_probe(2)
    session.set_probe(99)
    assert seen == [2, 6]
    assert everything == ["probe", "probe"]
    with pytest.raises(ValueError, match="unknown event"):
        session.events.connect("prob", print)


def test_dirty_flag_and_revision(session):
    flags = []
    session.events.connect("dirty", flags.append)
    session.mark_clean()
    revision = session.revision
    session.set_view("eels.log", True)
    assert not session.dirty and session.revision == revision
    session.set_view("eels.log", False)
    assert session.dirty and session.revision == revision + 1 and flags == [False, True]


def test_calibration_override_applies_and_makes_results_stale(session):
    assert session.dataset("movie").axes[-1].scale == 0.25
    assert session.raw_dataset("movie").axes[-1].scale == 2.0
    assert session.result_status("front") == "current"
    assert session.result_status("front", {"width_px": 11.0}) == "stale"
    session.set_calibration("movie", scale=0.5, units="nm")
    assert session.result_status("front") == "stale"
    assert session.result_status("eels") == "current"


def test_replacing_the_movie_removes_its_dependents_and_undo_reinstates_them(session, tmp_path):
    before = json.loads(session_to_json(session, tmp_path / "p.itproj"))
    old_movie = session.raw_dataset("movie")
    preview = session.dependents("movie")
    assert set(preview.results) == {"front", "across"} and preview.scan_lines.keys() == {"eels"}
    removed = []
    session.events.connect("result", removed.append)
    lost = session.set_dataset("movie", movie(tmp_path / "other.npy", n=6))
    assert set(lost.results) == {"front", "across"} and set(removed) == {"front", "across"}
    assert (
        session.result_names == ["eels"]
        and not session.scan_lines
        and session.analysis_line is None
    )
    assert session.calibration("movie") is None and not session.marks
    assert session.measurements("movie") == {} and session.measurement_panels == []
    assert "front result" in lost.describe() and "analysis line" in lost.describe()
    assert "movie measuring tools" in lost.describe()
    session.set_dataset("movie", old_movie)
    session.reinstate(lost)
    after = json.loads(session_to_json(session, tmp_path / "p.itproj"))
    assert same(after, before)


def test_reloading_the_same_file_keeps_results(session, tmp_path):
    lost = session.set_dataset("movie", movie(tmp_path / "movie.npy"))
    assert not lost and "front" in session.result_names


def test_save_then_load_gives_an_equal_session(session, tmp_path):
    path = tmp_path / "project.itproj"
    save_session(session, path)
    assert not session.dirty
    again = load_session(path)
    assert not again.dirty
    assert again.source("movie").path == str(tmp_path / "movie.npy")
    assert again.source("movie").sha256 == session.source("movie").sha256 != ""
    for name in session.result_names:
        assert again.result(name).same_as(session.result(name))
    assert again.result("front").value["position_nm"][1] == 0.1 + 0.2
    assert (again.frame, again.probe) == (3, 5)
    assert again.view("eels.log") is True and again.analysis_line == session.analysis_line
    assert again.marks == session.marks and again.calibration("movie") == {
        "scale": 0.25,
        "units": "nm",
    }
    assert again.measurements("movie") == session.measurements("movie")
    assert again.measurements("movie")["readout"] == "ruler: 8.246 nm, direction 14.0°"
    assert session_to_json(again, path) == session_to_json(session, path)


def test_measuring_tools_are_annotations_whose_readout_is_not_an_unsaved_change(session):
    events = []
    session.events.connect("measurements", lambda *payload: events.append(payload))
    session.mark_clean()
    session.set_measurement_readout("movie", "ruler: 9 nm")
    assert not session.dirty and events == [("movie", "readout")]
    entry = session.measurements("movie")
    entry["tools"]["Ruler"][0] = [7.0, 7.0]
    assert session.measurements("movie")["tools"]["Ruler"][0] == [0.5, 1.0]
    session.set_measurements("movie", {**entry, "width_px": 5})
    assert session.dirty and events[-1] == ("movie", "geometry")
    assert session.measurements("movie")["readout"] == "ruler: 9 nm"
    assert session.measurements("movie")["width_px"] == 5
    session.set_measurements("movie", {"tools": {}})
    assert session.measurement_panels == []


def test_a_schema_3_project_without_measuring_tools_still_opens(session, tmp_path):
    path = tmp_path / "older.itproj"
    document = json.loads(session_to_json(session, path))
    del document["measurements"]
    path.write_text(json.dumps(document))
    assert load_session(path).measurement_panels == []
    document["measurements"] = {"movie": {"tools": {"Ruler": [[1, "a"]]}}}
    path.write_text(json.dumps(document))
    with pytest.raises(DataError, match="measurements.movie.tools.Ruler"):
        load_session(path)


def test_a_fresh_process_reads_identical_numbers(session, tmp_path):
    path = tmp_path / "project.itproj"
    save_session(session, path)
    script = (
        "import sys; from insitu_tem.core.project import load_session, session_to_json; "
        f"sys.stdout.write(session_to_json(load_session({str(path)!r}), {str(path)!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output == session_to_json(session, path)
    front = json.loads(output)["results"]["front"]["value"]
    assert front["position_nm"][2] == 1 / 3 and front["fit"]["n"] == 0.4999999999999999


def test_schema_2_project_migrates_into_the_session(tmp_path):
    document = {
        "schema_version": 2,
        "program_version": "0.1.0",
        "files": [{"role": "movie", "path": "m.tif", "sha256": "ab", "signal": 1}],
        "scan_lines": {"eels": {"start_rc": [1, 2]}},
        "annotations": {
            "movie": {
                "front": {
                    "line_rc": [[1, 2], [3, 4]],
                    "width_px": 9,
                    "front_keyframes": {"4": [[5, 6]]},
                }
            }
        },
        "parameters": {
            "calibration": {"movie": {"scale": 0.5, "units": "nm"}},
            "cursor": {"frame": 48, "scan_index": 19},
        },
        "results": {},
    }
    path = tmp_path / "old.itproj"
    path.write_text(json.dumps(document))
    session = load_session(path)
    assert (
        session.source("movie").path == str(tmp_path / "m.tif")
        and session.source("movie").signal == 1
    )
    assert (session.frame, session.probe) == (48, 19)
    assert session.analysis_line == [[1.0, 2.0], [3.0, 4.0]] and session.marks == {4: [[5.0, 6.0]]}
    assert session.calibration("movie") == {"scale": 0.5, "units": "nm"}
    assert session.panel_state("movie")["front"]["width_px"] == 9


def test_a_snapshot_keeps_what_the_session_held_and_cannot_be_changed(session):
    snapshot = session.snapshot()
    session.set_frame(1)
    session.set_view("eels.log", False)
    session.set_marks({})
    session.clear_result("front")
    assert (snapshot.frame, snapshot.view("eels.log"), snapshot.marks) == (
        3,
        True,
        {2: [[1.0, 2.0], [2.0, 3.0]]},
    )
    assert snapshot.result("front") is not None and session.result("front") is None
    assert snapshot.dataset("movie") is not None and snapshot.result_status("across") == "current"
    with pytest.raises(RuntimeError, match="snapshot"):
        snapshot.set_probe(0)


def test_a_result_derived_on_opening_is_not_an_unsaved_change(session):
    session.mark_clean()
    session.store_result(
        "nbd", Result({"strain": [0.0]}, {}, session.fingerprints(["eels"])), dirty=False
    )
    assert not session.dirty and session.result("nbd") is not None
    session.store_result("nbd", Result({"strain": [0.1]}, {}, {}))
    assert session.dirty


def test_a_reference_probe_kept_as_view_state_by_older_versions_is_dropped():
    s = Session()
    s.restore_view({"frame": 2, "probe": 1, "reference_probe": 7, "eels.log": True})
    assert s.view_state == {"frame": 2, "probe": 1, "eels.log": True}
    assert not hasattr(s, "reference_probe")


def test_the_session_is_composed_of_facets_and_forwards_their_api(session):
    from insitu_tem.core.session import FORWARDED

    assert Session.__mro__ == (Session, object)
    own = [name for name, value in vars(Session).items() if callable(value)]
    assert sorted(own) == ["__init__", "_emit", "mark_clean", "snapshot"]
    for facet, names in FORWARDED.items():
        for name in names:
            assert hasattr(type(getattr(session, facet)), name), f"{facet}.{name}"
    assert session.result("front") is session.results.result("front")
    assert session.frame == session.views.frame == 3
    assert session.dataset("movie") is not session.datasets.raw_dataset("movie")
    with pytest.raises(AttributeError, match="set_frame|views"):
        session.frame = 1
