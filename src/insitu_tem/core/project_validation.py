"""Read and check a project file before anything uses it: size, nesting, and the type
and range of every field, so that a damaged or hostile project is one clear DataError
(naming the field and what to do) rather than a crash deep inside a loader.

:func:`read_project_text` parses; :func:`validate_document` checks a document of any
schema (1 to 4) as stored, before migration.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from insitu_tem.core.model import DataError

MAX_PROJECT_BYTES = 64 * 2**20
MAX_DEPTH = 32
MAX_SCAN_POSITIONS = 1_000_000
MAX_LINE_POINTS = 10_000
KNOWN_SCHEMAS = (1, 2, 3, 4)


def _advice(path: Path) -> str:
    if path.name.endswith(".autosave"):
        return "the autosave is damaged; open the project file itself or a backup"
    return "open its autosave (.itproj.autosave) or a backup"


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def read_project_text(path: str | Path) -> dict[str, Any]:
    """Parse a project file into a dict; raise DataError for a file that is too large,
    not JSON, nested too deeply or not an object."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such project file; check the path")
    if path.stat().st_size > MAX_PROJECT_BYTES:
        raise DataError(
            f"is {path.stat().st_size / 1e6:.0f} MB, far larger than any project "
            f"(limit {MAX_PROJECT_BYTES // 2**20} MiB); {_advice(path)}"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"is not a readable project file ({error}); {_advice(path)}") from None
    except RecursionError:
        raise DataError(f"is nested too deeply to be a project; {_advice(path)}") from None
    except ValueError:
        raise DataError(
            f"holds a number thousands of digits long, which no project does; {_advice(path)}"
        ) from None
    if not isinstance(document, dict):
        raise DataError("is not an insitu-tem project (top level is not an object)")
    if _depth(document) > MAX_DEPTH:
        raise DataError(
            f"is nested more than {MAX_DEPTH} levels deep, which no project is; {_advice(path)}"
        )
    validate_document(document)
    return document


def _fail(field: str, expected: str) -> DataError:
    return DataError(
        f"field {field} must be {expected}; fix it in the project file or open the data again and "
        "save"
    )


def _number(value: Any, field: str, *, positive: bool = False, optional: bool = False) -> None:
    if value is None and optional:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (positive and value <= 0):
        raise _fail(field, "a positive finite number" if positive else "a finite number")


def _index(value: Any, field: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(field, "a whole number ≥ 0")


def _kind(value: Any, field: str, kind: type, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, kind):
        raise _fail(field, name)


def _points(value: Any, field: str) -> None:
    _kind(value, field, list, "a list of [row, col] points")
    if len(value) > MAX_LINE_POINTS:
        raise _fail(field, f"at most {MAX_LINE_POINTS} points")
    for point in value:
        if not (isinstance(point, list) and len(point) == 2):
            raise _fail(field, "a list of [row, col] points")
        for number in point:
            _number(number, field)


def _scan_lines(value: Any) -> None:
    _kind(value, "scan_lines", dict, "an object of role: line")
    for role, line in value.items():
        field = f"scan_lines.{role}"
        _kind(line, field, dict, "an object with start_rc, end_rc, n_positions")
        for key in ("start_rc", "end_rc"):
            if key in line:
                _points([line[key]], f"{field}.{key}")
        if "n_positions" in line:
            count = line["n_positions"]
            _index(count, f"{field}.n_positions")
            if not 1 <= count <= MAX_SCAN_POSITIONS:
                raise _fail(f"{field}.n_positions", f"between 1 and {MAX_SCAN_POSITIONS}")
        _number(line.get("time_s", 0.0), f"{field}.time_s")


def _measurements(value: Any) -> None:
    _kind(value, "measurements", dict, "an object of panel: measuring tools")
    for panel, entry in value.items():
        field = f"measurements.{panel}"
        _kind(entry, field, dict, "an object with view, width_px, tools and readout")
        _kind(entry.get("view", "frame"), f"{field}.view", str, 'an image name such as "frame"')
        _index(entry.get("width_px", 1), f"{field}.width_px")
        _kind(entry.get("readout", ""), f"{field}.readout", str, "text")
        tools = entry.get("tools", {})
        _kind(tools, f"{field}.tools", dict, "an object of tool: points")
        for tool, points in tools.items():
            _points(points, f"{field}.tools.{tool}")


def _calibration(value: Any, field: str) -> None:
    _kind(value, field, dict, "an object of role: {scale, units}")
    for role, entry in value.items():
        _kind(entry, f"{field}.{role}", dict, "an object with scale and units")
        _number(entry.get("scale"), f"{field}.{role}.scale", positive=True, optional=True)
        _kind(
            entry.get("units"),
            f"{field}.{role}.units",
            str,
            'a unit string such as "nm"',
            optional=True,
        )


def _file_entry(entry: Any, field: str) -> None:
    try:
        _kind(entry, field, dict, "an object with path, sha256 and signal")
        _kind(entry.get("path"), f"{field}.path", str, "a file path (text)")
        if not entry["path"].strip() or "\x00" in entry["path"]:
            raise _fail(f"{field}.path", "a file path (text)")
        _kind(entry.get("sha256", ""), f"{field}.sha256", str, "a SHA-256 hex string")
        _index(entry.get("signal"), f"{field}.signal", optional=True)
    except DataError as error:
        raise DataError(f"has an unexpected file entry: {error}") from None


def _schema_version(document: dict) -> int:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataError(
            "is not an insitu-tem project (schema_version is missing or not a whole number ≥ 1)"
        )
    return version


def _validate_2(document: dict) -> None:
    files = document.get("files", [])
    _kind(files, "files", list, "a list of file entries")
    for i, entry in enumerate(files):
        _file_entry(entry, f"files[{i}]")
        _kind(entry.get("role"), f"files[{i}].role", str, 'a role name such as "movie"')
        unknown = set(entry) - {"role", "path", "sha256", "signal"}
        if unknown:
            raise _fail(
                f"files[{i}]",
                f"only role, path, sha256 and signal (not {', '.join(sorted(unknown))})",
            )
    for name in ("annotations", "parameters", "results", "scan_lines"):
        _kind(document.get(name, {}), name, dict, "an object")
    parameters = document.get("parameters", {})
    _calibration(parameters.get("calibration", {}), "parameters.calibration")
    cursor = parameters.get("cursor", {})
    _kind(cursor, "parameters.cursor", dict, "an object with frame and scan_index")
    _index(cursor.get("frame", 0), "parameters.cursor.frame")
    _index(cursor.get("scan_index", 0), "parameters.cursor.scan_index")
    _scan_lines(document.get("scan_lines", {}))


def _validate_3(document: dict) -> None:
    datasets = document.get("datasets", {})
    _kind(datasets, "datasets", dict, "an object of role: file entry")
    for role, entry in datasets.items():
        _file_entry(entry, f"datasets.{role}")
        _kind(entry.get("kind"), f"datasets.{role}.kind", str, "a kind name or null", optional=True)
    for name in ("parameters", "results", "view", "panels", "marks"):
        _kind(document.get(name, {}), name, dict, "an object")
    _calibration(document.get("calibration", {}), "calibration")
    _scan_lines(document.get("scan_lines", {}))
    if document.get("analysis_line") is not None:
        _points(document["analysis_line"], "analysis_line")
    for frame, points in document.get("marks", {}).items():
        if not str(frame).isdigit():
            raise _fail("marks", "an object of frame number: points")
        _points(points, f"marks.{frame}")
    _measurements(document.get("measurements", {}))
    view = document.get("view", {})
    for key in ("frame", "probe"):
        _index(view.get(key, 0), f"view.{key}")


def validate_document(document: dict[str, Any]) -> None:
    """Check every field of a project document as stored (schema 1 to 4; 4 differs from 3 only in
    its roles).

    Raises
    ------
    DataError
        Naming the first wrong field and the expected type or range.
    """
    version = _schema_version(document)
    if version > max(KNOWN_SCHEMAS):
        return
    if version < 3:
        _validate_2(document)
    else:
        _validate_3(document)
