"""The project file: which raw files play which role, and everything the user added.

A project is JSON (``*.itproj``): a schema version, references to raw files
(path relative to the project, SHA-256, signal index), scan lines placed on the
movie, annotations, analysis parameters and results. Saving is atomic (write a
temporary file, fsync, rename); raw files are only ever read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from insitu_tem import __version__
from insitu_tem.core.model import DataError

SCHEMA_VERSION = 2
PROJECT_SUFFIX = ".itproj"


@dataclass(frozen=True)
class FileReference:
    """A raw file used by a project.

    Attributes
    ----------
    role : str
        "movie", "hrtem", "nbd" or "eels".
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


@dataclass
class Project:
    """Everything a session adds to raw data; see the module docstring."""

    files: list[FileReference] = field(default_factory=list)
    scan_lines: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    program_version: str = __version__
    schema_version: int = SCHEMA_VERSION

    def resolve(self, reference: FileReference, project_path: str | Path) -> Path:
        """Absolute path of a referenced file, relative to the project file."""
        path = Path(reference.path)
        return path if path.is_absolute() else (Path(project_path).resolve().parent / path)


def sha256_of(path: str | Path, *, chunk_bytes: int = 2**22) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk_bytes), b""):
            digest.update(block)
    return digest.hexdigest()


def reference_for(role: str, data_path: str | Path, project_path: str | Path, *,
                  signal: int | None = None, checksum: bool = True) -> FileReference:
    """A FileReference with a path relative to the project's folder."""
    data_path = Path(data_path).resolve()
    folder = Path(project_path).resolve().parent
    try:
        relative = os.path.relpath(data_path, folder)
    except ValueError:
        relative = str(data_path)
    digest = sha256_of(data_path) if checksum and data_path.is_file() else ""
    return FileReference(role, Path(relative).as_posix(), digest, signal)


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


def project_to_json(project: Project) -> str:
    """Serialise a project (sorted keys, stable for diffs)."""
    return json.dumps(asdict(project), indent=1, sort_keys=True)


def save_project(project: Project, path: str | Path) -> None:
    """Write ``project`` to ``path`` atomically."""
    write_atomic(path, project_to_json(project))


def _from_schema_1(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 records which insitu-tem wrote the project."""
    return {**document, "program_version": "unknown (schema 1)", "schema_version": 2}


MIGRATIONS = {1: _from_schema_1}


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring a project document of any older schema up to :data:`SCHEMA_VERSION`."""
    version = int(document.get("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise DataError(f"was saved by a newer insitu-tem (project schema {version}); update insitu-tem")
    if version < 1:
        raise DataError("is not an insitu-tem project (no schema_version)")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version = int(document["schema_version"])
    return document


def project_from_dict(document: dict[str, Any]) -> Project:
    """Build a Project from its JSON document, migrating older schemas."""
    document = migrate(document)
    files = [FileReference(**entry) for entry in document.get("files", [])]
    return Project(
        files=files,
        scan_lines=dict(document.get("scan_lines", {})),
        annotations=dict(document.get("annotations", {})),
        parameters=dict(document.get("parameters", {})),
        results=dict(document.get("results", {})),
        program_version=str(document.get("program_version", "")),
        schema_version=SCHEMA_VERSION,
    )


def load_project(path: str | Path) -> Project:
    """Read a project file; raise DataError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such project file; check the path")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"is not a readable project file ({error}); open its autosave or a backup") from error
    if not isinstance(document, dict):
        raise DataError("is not an insitu-tem project (top level is not an object)")
    try:
        return project_from_dict(document)
    except TypeError as error:
        raise DataError(f"has an unexpected file entry ({error}); the project may be damaged") from error


AUTOSAVE_SUFFIX = ".autosave"


def autosave_path(project_path: str | Path) -> Path:
    """The sidecar written by autosave: ``<project>.itproj.autosave`` beside the project."""
    project_path = Path(project_path)
    return project_path.with_name(project_path.name + AUTOSAVE_SUFFIX)


def has_newer_autosave(project_path: str | Path) -> bool:
    """True when an autosave sidecar exists and is newer than the project (or the project is gone)."""
    sidecar = autosave_path(project_path)
    if not sidecar.exists():
        return False
    project_path = Path(project_path)
    return not project_path.exists() or sidecar.stat().st_mtime_ns >= project_path.stat().st_mtime_ns


def locate(reference: FileReference, project_path: str | Path, *, max_depth: int = 3) -> Path | None:
    """Find a referenced raw file, also after it was moved.

    Looks at the recorded path first, then for a file of the same name below the
    project's folder (``max_depth`` levels) whose SHA-256 matches.

    Returns
    -------
    Path or None
        The file, or None when it cannot be found (ask the user).
    """
    recorded = Project().resolve(reference, project_path)
    if recorded.exists() and (not reference.sha256 or not recorded.is_file()
                              or sha256_of(recorded) == reference.sha256):
        return recorded
    folder = Path(project_path).resolve().parent
    name = Path(reference.path).name
    for depth in range(max_depth + 1):
        for candidate in folder.glob("/".join(["*"] * depth + [name])):
            if candidate.is_file() and (not reference.sha256 or sha256_of(candidate) == reference.sha256):
                return candidate
    return None
