"""Project file: atomic writes, relative paths, checksums, moved files, schema checks."""

import json
import shutil

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.core.project import (
    FileReference, Project, autosave_path, has_newer_autosave, load_project, locate, reference_for, save_project,
)


@pytest.fixture
def raw_file(tmp_path):
    path = tmp_path / "data" / "movie.npy"
    path.parent.mkdir()
    np.save(path, np.arange(24, dtype=np.uint16).reshape(2, 3, 4))
    return path


def test_round_trip_keeps_everything(tmp_path, raw_file):
    project_path = tmp_path / "session.itproj"
    project = Project(files=[reference_for("movie", raw_file, project_path)],
                      scan_lines={"eels": {"start_rc": [1.0, 2.0]}}, annotations={"movie": {"front": [[0, 1, 2]]}},
                      parameters={"calibration": {"movie": {"scale": 0.5, "units": "nm"}},
                                  "cursor": {"frame": 1, "scan_index": 4}},
                      results={"front": {"value": {"n": 0.5}, "parameters": {}, "inputs": {},
                                         "program_version": "0.1.0"}})
    save_project(project, project_path)
    again = load_project(project_path)
    assert again == project
    assert again.files[0].path == "data/movie.npy" and len(again.files[0].sha256) == 64


def test_atomic_save_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    project_path = tmp_path / "session.itproj"
    save_project(Project(scan_lines={"eels": {"version": 1}}), project_path)
    import insitu_tem.core.project as module

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(module.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        save_project(Project(scan_lines={"eels": {"version": 2}}), project_path)
    assert load_project(project_path).scan_lines == {"eels": {"version": 1}}
    assert [p.name for p in tmp_path.iterdir()] == ["session.itproj"]


def test_moved_raw_file_is_found_by_name_and_checksum(tmp_path, raw_file):
    project_path = tmp_path / "session.itproj"
    reference = reference_for("movie", raw_file, project_path)
    moved = tmp_path / "archive" / "2026" / "movie.npy"
    moved.parent.mkdir(parents=True)
    shutil.move(raw_file, moved)
    assert locate(reference, project_path) == moved
    moved.write_bytes(b"another file with the same name")
    assert locate(reference, project_path) is None


def test_schema_and_damage_are_reported(tmp_path):
    newer = tmp_path / "newer.itproj"
    newer.write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(DataError, match="newer insitu-tem"):
        load_project(newer)
    broken = tmp_path / "broken.itproj"
    broken.write_text('{"schema_version": 1, "files": [')
    with pytest.raises(DataError, match="autosave"):
        load_project(broken)
    odd = tmp_path / "odd.itproj"
    odd.write_text(json.dumps({"schema_version": 1, "files": [{"colour": "red"}]}))
    with pytest.raises(DataError, match="unexpected file entry"):
        load_project(odd)


def test_autosave_sidecar_is_newer(tmp_path):
    project_path = tmp_path / "a.itproj"
    save_project(Project(), project_path)
    assert not has_newer_autosave(project_path)
    save_project(Project(scan_lines={"x": {}}), autosave_path(project_path))
    assert has_newer_autosave(project_path)
    assert autosave_path(project_path).name == "a.itproj.autosave"


def test_file_reference_fields():
    reference = FileReference("eels", "x.hspy")
    assert (reference.sha256, reference.signal) == ("", None)


def test_schema_1_projects_are_migrated(tmp_path):
    old = tmp_path / "old.itproj"
    old.write_text(json.dumps({"schema_version": 1, "files": [{"role": "movie", "path": "m.tif", "sha256": "",
                                                                 "signal": None}],
                               "scan_lines": {}, "annotations": {}, "parameters": {"cursor": {"frame": 3}},
                               "results": {}}))
    project = load_project(old)
    assert project.schema_version == 3 and project.program_version == "unknown (schema 1)"
    assert project.files[0].path == "m.tif" and project.parameters["cursor"]["frame"] == 3
    save_project(project, old)
    assert json.loads(old.read_text())["schema_version"] == 3


def test_new_projects_record_the_program_version():
    from insitu_tem import __version__

    assert Project().program_version == __version__
