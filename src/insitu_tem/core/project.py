"""The project file: the serialised :class:`~insitu_tem.core.session.Session`.

A project is JSON (``*.itproj``, schema 4): the writing program's version, the
file of each role (path relative to the project, SHA-256, signal index, kind),
calibration overrides, scan lines, the analysis line, front marks, analysis
the measuring tools of each image panel (optional: schema-3 files written
before they were saved have none), analysis
parameters and results (each with the parameters and input fingerprints that
produced it), the view state and free-form panel state. Schemas 1 to 3 are
migrated on reading (schema 4 has the survey role: a map's HAADF image that schema 3 kept as the
HRTEM image moves there). Saving is atomic (temporary file, fsync, rename); raw files
are only ever read. Numbers round-trip exactly (NaN is written as ``NaN``).
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insitu_tem import __version__
from insitu_tem.core.model import DataError
from insitu_tem.core.results import Result, sha256_of
from insitu_tem.core.session import ROLES, DataSource, Session

SCHEMA_VERSION = 4
PROJECT_SUFFIX = ".itproj"


@dataclass(frozen=True)
class FileReference:
    """A raw file used by a project.

    Attributes
    ----------
    role : str
        "movie", "hrtem", "nbd", "eels" or "survey".
    path : str
        Path relative to the project file (absolute when on another drive).
    sha256 : str
        Checksum of the file when it was added ("" when not computed).
    signal : int or None
        Signal index in a multi-signal file.
    """

    role: str
    path: str
    sha256: str = ""
    signal: int | None = None


def resolve_path(recorded: str, project_path: str | Path) -> Path:
    """Absolute path of a path recorded relative to the project file."""
    path = Path(recorded)
    return path if path.is_absolute() else (Path(project_path).resolve().parent / path).resolve()


def relative_path(data_path: str | Path, project_path: str | Path) -> str:
    """``data_path`` relative to the project's folder (absolute when on another drive), POSIX
    form."""
    data_path = Path(data_path).resolve()
    try:
        return Path(os.path.relpath(data_path, Path(project_path).resolve().parent)).as_posix()
    except ValueError:
        return data_path.as_posix()


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically: temp file, fsync, rename."""
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(temp_name, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def session_to_document(session: Session, project_path: str | Path) -> dict[str, Any]:
    """The schema-4 document of ``session``, paths relative to ``project_path``.

    Datasets made in memory (no file) are not recorded; file checksums are computed
    once and kept by the session (not at all for a ``Session(checksums=False)``).
    """
    datasets = {}
    for role in session.roles:
        source = session.source(role)
        if source.path:
            checksum = session.checksum(role) if session.checksums else source.sha256
            datasets[role] = {
                "path": relative_path(source.path, project_path),
                "sha256": checksum,
                "signal": source.signal,
                "kind": source.kind,
            }
    return {
        "schema_version": SCHEMA_VERSION,
        "program_version": __version__,
        "datasets": datasets,
        "calibration": {
            role: session.calibration(role) for role in session.roles if session.calibration(role)
        },
        "scan_lines": session.scan_lines,
        "analysis_line": session.analysis_line,
        "marks": {str(frame): points for frame, points in session.marks.items()},
        "measurements": {
            panel: session.measurements(panel) for panel in session.measurement_panels
        },
        "parameters": {name: session.parameters(name) for name in session.parameter_names},
        "results": {name: session.result(name).to_dict() for name in session.result_names},
        "view": session.view_state,
        "panels": {name: session.panel_state(name) for name in session.panel_names},
    }


def session_from_document(document: dict[str, Any], project_path: str | Path) -> Session:
    """A Session (sources recorded, nothing loaded, not dirty) from a project document of any
    schema."""
    document = migrate(document)
    session = Session()
    with session.events.blocked():
        for role, entry in document.get("datasets", {}).items():
            if role in ROLES:
                session.add_source(
                    role,
                    DataSource(
                        str(resolve_path(entry["path"], project_path)),
                        str(entry.get("sha256", "")),
                        entry.get("signal"),
                        entry.get("kind"),
                    ),
                )
        for role, override in document.get("calibration", {}).items():
            session.set_calibration(role, scale=override.get("scale"), units=override.get("units"))
        for role, line in document.get("scan_lines", {}).items():
            session.set_scan_line(role, line)
        if document.get("analysis_line"):
            session.set_analysis_line(document["analysis_line"])
        session.set_marks(document.get("marks", {}))
        for panel, entry in document.get("measurements", {}).items():
            session.set_measurements(panel, entry)
        for name, parameters in document.get("parameters", {}).items():
            session.set_parameters(name, parameters)
        for name, result in document.get("results", {}).items():
            session.store_result(name, Result.from_dict(result))
        session.restore_view(document.get("view", {}))
        for name, state in document.get("panels", {}).items():
            session.set_panel_state(name, state)
    session.mark_clean()
    return session


def session_to_json(session: Session, project_path: str | Path) -> str:
    """Serialise ``session`` (keys in the session's order, so reopening keeps every table's column
    order; NaN written as ``NaN``)."""
    return json.dumps(session_to_document(session, project_path), indent=1)


def save_session(session: Session, path: str | Path, *, mark_clean: bool = True) -> Path:
    """Write ``session`` to ``path`` atomically; the session is then clean (unless
    ``mark_clean=False``,
    as for an autosave)."""
    write_atomic(path, session_to_json(session, path))
    if mark_clean:
        session.mark_clean()
    return Path(path)


def read_document(path: str | Path) -> dict[str, Any]:
    """The JSON document of a project file, every field checked; raise DataError saying what is
    wrong."""
    from insitu_tem.core.project_validation import read_project_text

    return read_project_text(path)


def load_session(path: str | Path, *, project_path: str | Path | None = None) -> Session:
    """Read a project file into a Session (datasets recorded, not loaded: see
    :func:`insitu_tem.workflows.project.open_session`). ``project_path``: where
    relative paths are resolved from (default ``path``; an autosave passes its project)."""
    document = read_document(path)
    try:
        return session_from_document(document, project_path or path)
    except DataError:
        raise
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        raise DataError(f"has an unexpected entry ({error}); the project may be damaged") from error


def _from_schema_1(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 records which insitu-tem wrote the project."""
    return {**document, "program_version": "unknown (schema 1)", "schema_version": 2}


def _from_schema_2(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 3 is the session: datasets by role, calibration, cursor as view state, the analysis
    line and front marks out of the movie panel's state, results with their provenance."""
    parameters = dict(document.get("parameters", {}))
    calibration = parameters.pop("calibration", {})
    cursor = parameters.pop("cursor", {})
    datasets = {}
    for entry in document.get("files", []):
        reference = FileReference(**entry)
        datasets[reference.role] = {
            "path": reference.path,
            "sha256": reference.sha256,
            "signal": reference.signal,
            "kind": None,
        }
    annotations = dict(document.get("annotations", {}))
    movie = annotations.get("movie")
    front = movie.get("front") if isinstance(movie, dict) else None
    front = front if isinstance(front, dict) else {}
    results = {
        name: value
        for name, value in document.get("results", {}).items()
        if isinstance(value, dict) and isinstance(value.get("value"), dict)
    }
    return {
        "schema_version": 3,
        "program_version": document.get("program_version", ""),
        "datasets": datasets,
        "calibration": calibration,
        "scan_lines": dict(document.get("scan_lines", {})),
        "analysis_line": front.get("line_rc"),
        "marks": front.get("front_keyframes", {}),
        "parameters": {k: v for k, v in parameters.items() if isinstance(v, dict)},
        "results": results,
        "view": {
            "frame": int(cursor.get("frame", 0)),
            "probe": int(cursor.get("scan_index", 0)),
        },
        "panels": annotations,
    }


def _from_schema_3(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 4 has the survey role: an "HRTEM image" read from the spectrum image's own file (the
    HAADF survey of a map opened beside a movie) moves there with its calibration, view keys and
    the result inputs that named it."""
    datasets = dict(document.get("datasets", {}))
    hrtem, spectra = datasets.get("hrtem"), datasets.get("eels")
    moved = "survey" not in datasets and hrtem and spectra and hrtem["path"] == spectra["path"]
    if not moved:
        return {**document, "schema_version": 4}
    datasets["survey"] = datasets.pop("hrtem")
    calibration = dict(document.get("calibration", {}))
    if "hrtem" in calibration:
        calibration["survey"] = calibration.pop("hrtem")
    view = {
        f"survey.{key.removeprefix('hrtem.')}" if key.startswith("hrtem.") else key: value
        for key, value in document.get("view", {}).items()
        if key != "hrtem.frame"
    }
    results = {
        name: {**result, "inputs": _renamed(result.get("inputs"), "hrtem", "survey")}
        for name, result in document.get("results", {}).items()
    }
    return {
        **document,
        "schema_version": 4,
        "datasets": datasets,
        "calibration": calibration,
        "view": view,
        "results": results,
    }


def _renamed(inputs: Any, old: str, new: str) -> Any:
    """A result's inputs with the key ``old`` called ``new`` (anything else as it is)."""
    if not isinstance(inputs, dict):
        return inputs
    return {new if key == old else key: value for key, value in inputs.items()}


MIGRATIONS = {1: _from_schema_1, 2: _from_schema_2, 3: _from_schema_3}


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring a project document of any older schema up to :data:`SCHEMA_VERSION`."""
    version = int(document.get("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise DataError(
            f"was saved by a newer insitu-tem (project schema {version}); update insitu-tem"
        )
    if version < 1:
        raise DataError("is not an insitu-tem project (no schema_version)")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version = int(document["schema_version"])
    return document


AUTOSAVE_SUFFIX = ".autosave"


def autosave_path(project_path: str | Path) -> Path:
    """The sidecar written by autosave: ``<project>.itproj.autosave`` beside the project."""
    project_path = Path(project_path)
    return project_path.with_name(project_path.name + AUTOSAVE_SUFFIX)


def has_newer_autosave(project_path: str | Path) -> bool:
    """True when an autosave sidecar exists and is newer than the project (or the project is
    gone)."""
    sidecar = autosave_path(project_path)
    if not sidecar.exists():
        return False
    project_path = Path(project_path)
    return (
        not project_path.exists() or sidecar.stat().st_mtime_ns >= project_path.stat().st_mtime_ns
    )


def locate(
    reference: FileReference, project_path: str | Path, *, max_depth: int = 3
) -> Path | None:
    """Find a referenced raw file, also after it was moved.

    Looks at the recorded path first, then for a file of the same name below the
    project's folder (``max_depth`` levels) whose SHA-256 matches.

    Returns
    -------
    Path or None
        The file, or None when it cannot be found (ask the user).
    """
    recorded = resolve_path(reference.path, project_path)
    if recorded.exists() and (
        not reference.sha256 or not recorded.is_file() or sha256_of(recorded) == reference.sha256
    ):
        return recorded
    folder = Path(project_path).resolve().parent
    name = Path(reference.path).name
    if name in ("", ".", ".."):
        return None
    for depth in range(max_depth + 1):
        for candidate in folder.glob("/".join(["*"] * depth + [glob.escape(name)])):
            if candidate.is_file() and (
                not reference.sha256 or sha256_of(candidate) == reference.sha256
            ):
                return candidate
    return None
