"""Project file: atomic writes, relative paths, checksums, moved files, schema checks."""

import json
import shutil

import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.core.project import (
    FileReference,
    autosave_path,
    has_newer_autosave,
    load_session,
    locate,
    save_session,
    session_to_document,
)
from insitu_tem.core.results import sha256_of
from insitu_tem.core.session import DataSource, Session


@pytest.fixture
def raw_file(tmp_path):
    path = tmp_path / "data" / "movie.npy"
    path.parent.mkdir()
    np.save(path, np.arange(24, dtype=np.uint16).reshape(2, 3, 4))
    return path


def session_with(line: dict) -> Session:
    session = Session()
    session.set_scan_line("eels", line)
    return session


def test_paths_are_relative_and_checksummed(tmp_path, raw_file):
    session = Session()
    session.add_source("movie", DataSource(str(raw_file)))
    document = session_to_document(session, tmp_path / "session.itproj")
    assert document["datasets"]["movie"]["path"] == "data/movie.npy"
    assert document["datasets"]["movie"]["sha256"] == sha256_of(raw_file)


def test_atomic_save_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    project_path = tmp_path / "session.itproj"
    save_session(session_with({"version": 1}), project_path)
    import insitu_tem.core.project as module

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(module.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        save_session(session_with({"version": 2}), project_path)
    assert load_session(project_path).scan_lines == {"eels": {"version": 1}}
    assert [p.name for p in tmp_path.iterdir()] == ["session.itproj"]


def test_moved_raw_file_is_found_by_name_and_checksum(tmp_path, raw_file):
    project_path = tmp_path / "session.itproj"
    reference = FileReference("movie", "data/movie.npy", sha256_of(raw_file))
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
        load_session(newer)
    broken = tmp_path / "broken.itproj"
    broken.write_text('{"schema_version": 1, "files": [')
    with pytest.raises(DataError, match="autosave"):
        load_session(broken)
    odd = tmp_path / "odd.itproj"
    odd.write_text(json.dumps({"schema_version": 1, "files": [{"colour": "red"}]}))
    with pytest.raises(DataError):
        load_session(odd)


def test_autosave_sidecar_is_newer(tmp_path):
    project_path = tmp_path / "a.itproj"
    save_session(Session(), project_path)
    assert not has_newer_autosave(project_path)
    save_session(session_with({}), autosave_path(project_path), mark_clean=False)
    assert has_newer_autosave(project_path)
    assert autosave_path(project_path).name == "a.itproj.autosave"


def test_file_reference_fields():
    reference = FileReference("eels", "x.hspy")
    assert (reference.sha256, reference.signal) == ("", None)


def test_schema_1_projects_are_migrated(tmp_path):
    old = tmp_path / "old.itproj"
    old.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "files": [{"role": "movie", "path": "m.tif", "sha256": "", "signal": None}],
                "scan_lines": {},
                "annotations": {},
                "parameters": {"cursor": {"frame": 3}},
                "results": {},
            }
        )
    )
    session = load_session(old)
    assert session.source("movie").path == str(tmp_path / "m.tif") and session.frame == 3
    save_session(session, old)
    document = json.loads(old.read_text())
    assert document["schema_version"] == 4 and document["datasets"]["movie"]["path"] == "m.tif"


def test_new_projects_record_the_program_version(tmp_path):
    from insitu_tem import __version__

    assert session_to_document(Session(), tmp_path / "a.itproj")["program_version"] == __version__
