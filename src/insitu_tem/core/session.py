"""The one observable, Qt-free session model: everything a user sees and adds.

A :class:`Session` holds

* **datasets in roles** (:data:`ROLES`): a :class:`DataSource` (file path, SHA-256,
  signal index, kind) and, once loaded, the :class:`~insitu_tem.core.model.Dataset`;
* **calibration overrides** per role (``{"scale": float, "units": str}``);
  :meth:`Session.dataset` returns the dataset with its override applied;
* **annotations**: scan lines of the line scans on the movie (``scan_line(role)``,
  dicts of :class:`~insitu_tem.core.coordinates.ScanRegistration` form), the
  **analysis line** (vertices, (row, col) movie px) and the **front marks**
  (``{frame: [(row, col), ...]}``);
* **parameters** and **results** of every analysis by name ("front", "drift",
  "lattice", "nbd", "eels", "across", ...); a :class:`~insitu_tem.core.results.Result`
  records the parameters and input fingerprints that produced it;
* **view state**: frame, probe, reference probe and "<panel>.<setting>" keys, with
  their defaults in :data:`VIEW_DEFAULTS`: colour maps (matplotlib names), display
  levels ``[black, white]``, the visible region ``[row0, row1, col0, col1]`` px (zoom),
  the HRTEM frame, the NBD display ("log", "gamma", "linear"), EELS log scale and
  energy range ``[low, high]`` eV. Exports read the same keys, so what is on screen
  is what is exported;
* **panel state**: free-form per-panel dicts for what is not yet a model field.

Every change goes through a method that emits an event on :attr:`Session.events`
(``session.events.connect("probe", callback)``; ``"*"`` receives every event as
``callback(name, *payload)``), bumps :attr:`Session.revision` and sets
:attr:`Session.dirty`. Events and payloads:

================  ==========================  =====================================
event             payload                     emitted by
================  ==========================  =====================================
dataset           role                        set_dataset, attach, remove_dataset
calibration       role                        set_calibration
scan_line         role                        set_scan_line
analysis_line     (none)                      set_analysis_line
marks             (none)                      set_marks
parameters        analysis name               set_parameters
result            analysis name               store_result, clear_result
frame             index                       set_frame
probe             index                       set_probe
reference_probe   index                       set_reference_probe
view              key, value                  set_view
panel             panel name                  set_panel_state
dirty             bool                        any change, mark_clean
================  ==========================  =====================================

Replacing the dataset of a role (:meth:`Session.set_dataset`) removes what
depended on it (results whose inputs include the role, transitively; the role's
scan line and calibration; for the movie also the analysis line, marks and every
scan line) and returns an :class:`Invalidation`; :meth:`Session.dependents`
previews it so a GUI can ask first, and :meth:`Session.reinstate` undoes it.

The session is not thread-safe: change it on one thread (the GUI thread).
Workers compute with :mod:`insitu_tem.workflows` jobs and the result is stored on
the session's thread.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from typing import Any

from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.dependencies import DataSource, Invalidation, dependent_results
from insitu_tem.core.events import EventHub
from insitu_tem.core.model import Dataset
from insitu_tem.core.results import Result, digest, plain, sha256_of

ROLES = ("movie", "hrtem", "nbd", "eels")
VIEW_KEYS = ("frame", "probe", "reference_probe")
VIEW_DEFAULTS = {
    "frame": 0,
    "probe": 0,
    "reference_probe": 0,
    "movie.cmap": "gray",
    "movie.levels": None,
    "movie.region": None,
    "hrtem.frame": 0,
    "hrtem.cmap": "gray",
    "hrtem.levels": None,
    "hrtem.region": None,
    "nbd.cmap": "gray",
    "nbd.display": "log",
    "nbd.gamma": 0.3,
    "nbd.levels": None,
    "nbd.region": None,
    "eels.log": False,
    "eels.energy_range": None,
}
_UNSET = object()
EVENTS = (
    "dataset",
    "calibration",
    "scan_line",
    "analysis_line",
    "marks",
    "parameters",
    "result",
    "frame",
    "probe",
    "reference_probe",
    "view",
    "panel",
    "dirty",
)


class Session:
    """The session model; see the module docstring for the full API and events.

    Parameters
    ----------
    checksums : bool
        Fingerprint files by SHA-256 (reproducible across machines). False: by size and
        modification time until a checksum is known (one-off command-line runs, which then
        never read a large file just to hash it).
    """

    def __init__(self, *, checksums: bool = True) -> None:
        self.checksums = checksums
        self.events = EventHub(EVENTS)
        self.revision = 0
        self.dirty = False
        self._sources: dict[str, DataSource] = {}
        self._datasets: dict[str, Dataset] = {}
        self._calibration: dict[str, dict] = {}
        self._scan_lines: dict[str, dict] = {}
        self._analysis_line: list | None = None
        self._marks: dict[int, list] = {}
        self._parameters: dict[str, dict] = {}
        self._results: dict[str, Result] = {}
        self._view: dict[str, Any] = {"frame": 0, "probe": 0, "reference_probe": 0}
        self._panels: dict[str, dict] = {}

    def _emit(self, name: str, *payload: Any, dirty: bool = True) -> None:
        self.revision += 1
        self.events.emit(name, *payload)
        if dirty and not self.dirty:
            self.dirty = True
            self.events.emit("dirty", True)

    def mark_clean(self) -> None:
        """The session was saved: clear :attr:`dirty` (emits ``dirty(False)``)."""
        if self.dirty:
            self.dirty = False
            self.events.emit("dirty", False)

    # datasets ---------------------------------------------------------------------------------

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")

    @property
    def roles(self) -> list[str]:
        """Roles that have a source, in :data:`ROLES` order."""
        return [role for role in ROLES if role in self._sources]

    def source(self, role: str) -> DataSource | None:
        return self._sources.get(role)

    def dataset(self, role: str) -> Dataset | None:
        """The loaded dataset of ``role`` with its calibration override applied (None: none or not loaded)."""
        dataset = self._datasets.get(role)
        override = self._calibration.get(role)
        if dataset is None or not override:
            return dataset
        return recalibrate(dataset, scale=override.get("scale"), units=override.get("units"))

    def raw_dataset(self, role: str) -> Dataset | None:
        """The loaded dataset of ``role`` as read, without the calibration override."""
        return self._datasets.get(role)

    def set_dataset(
        self,
        role: str,
        dataset: Dataset | None,
        *,
        sha256: str = "",
        signal: int | None = None,
        kind: str | None = None,
    ) -> Invalidation:
        """Put ``dataset`` (read from ``dataset.source``) in ``role``; None removes the role.

        A different file than before removes its dependents (returned); reloading
        the same file keeps them.
        """
        self._check_role(role)
        if dataset is None:
            return self.remove_dataset(role)
        if signal is None:
            signal = dataset.metadata.get("signal_index")
        path = os.path.abspath(dataset.source) if dataset.source else None
        source = DataSource(path, sha256, signal, kind, uuid.uuid4().hex)
        old = self._sources.get(role)
        keep = old is None or source.same_file(old)
        lost = Invalidation(role) if keep else self._invalidate(role)
        if old is not None and keep and not source.sha256:
            source = replace(source, sha256=old.sha256)
        self._sources[role], self._datasets[role] = source, dataset
        self._emit("dataset", role)
        return lost

    def add_source(self, role: str, source: DataSource) -> None:
        """Record a role's file without loading it (opening a project); :meth:`attach` loads it later."""
        self._check_role(role)
        self._sources[role] = source
        self._datasets.pop(role, None)
        self._emit("dataset", role)

    def attach(self, role: str, dataset: Dataset) -> None:
        """The loaded data of ``role``'s recorded source (no invalidation; the session stays clean)."""
        if role not in self._sources:
            raise ValueError(f"the session has no {role} source to attach data to; use set_dataset")
        self._datasets[role] = dataset
        self._emit("dataset", role, dirty=False)

    def remove_dataset(self, role: str) -> Invalidation:
        """Remove ``role`` and what depended on it."""
        self._check_role(role)
        if role not in self._sources:
            return Invalidation(role)
        lost = self._invalidate(role)
        self._sources.pop(role)
        self._datasets.pop(role, None)
        self._emit("dataset", role)
        return lost

    def dependents(self, role: str) -> Invalidation:
        """What replacing ``role`` would remove (nothing is changed)."""
        keys = {role} | (
            {f"scan_line.{r}" for r in self._scan_lines} | {"analysis_line", "marks"}
            if role == "movie"
            else {f"scan_line.{role}"}
        )
        results = dependent_results(self._results, keys)
        movie = role == "movie"
        lines = (
            dict(self._scan_lines)
            if movie
            else {k: v for k, v in self._scan_lines.items() if k == role}
        )
        return Invalidation(
            role,
            results,
            lines,
            self._analysis_line if movie else None,
            dict(self._marks) if movie else {},
            self._calibration.get(role),
        )

    def _invalidate(self, role: str) -> Invalidation:
        lost = self.dependents(role)
        for name in lost.results:
            self.clear_result(name)
        for line_role in lost.scan_lines:
            self.set_scan_line(line_role, None)
        if lost.analysis_line is not None:
            self.set_analysis_line(None)
        if lost.marks:
            self.set_marks({})
        if lost.calibration:
            self._calibration.pop(role)
            self._emit("calibration", role)
        return lost

    def reinstate(self, lost: Invalidation) -> None:
        """Put back what :meth:`set_dataset` removed (undo)."""
        if lost.calibration:
            self.set_calibration(lost.role, **lost.calibration)
        for role, line in lost.scan_lines.items():
            self.set_scan_line(role, line)
        if lost.analysis_line is not None:
            self.set_analysis_line(lost.analysis_line)
        if lost.marks:
            self.set_marks(lost.marks)
        for name, result in lost.results.items():
            self.store_result(name, result)

    def sources(self) -> list[str]:
        """Paths of every file in the session (provenance)."""
        return [s.path for s in self._sources.values() if s.path]

    # calibration and annotations ---------------------------------------------------------------

    def calibration(self, role: str) -> dict | None:
        """``{"scale": float or None, "units": str or None}`` override of ``role``, or None."""
        override = self._calibration.get(role)
        return dict(override) if override else None

    def set_calibration(
        self, role: str, *, scale: float | None = None, units: str | None = None
    ) -> None:
        """Override ``role``'s signal-axis calibration (both None: back to the file's)."""
        self._check_role(role)
        if scale is None and units is None:
            self._calibration.pop(role, None)
        else:
            self._calibration[role] = {
                "scale": None if scale is None else float(scale),
                "units": units,
            }
        self._emit("calibration", role)

    @property
    def scan_lines(self) -> dict[str, dict]:
        return {role: dict(line) for role, line in self._scan_lines.items()}

    def scan_line(self, role: str) -> dict | None:
        line = self._scan_lines.get(role)
        return dict(line) if line else None

    def set_scan_line(self, role: str, line: dict | None) -> None:
        """Register ``role``'s line scan on the movie (ScanRegistration dict form; None removes it)."""
        if line is None:
            self._scan_lines.pop(role, None)
        else:
            self._scan_lines[role] = plain(dict(line))
        self._emit("scan_line", role)

    @property
    def analysis_line(self) -> list | None:
        """Vertices [[row, col], ...] of the user's analysis line on the movie, px (None: not drawn)."""
        return None if self._analysis_line is None else [list(p) for p in self._analysis_line]

    def set_analysis_line(self, points_rc) -> None:
        self._analysis_line = (
            None if points_rc is None else [[float(r), float(c)] for r, c in points_rc]
        )
        self._emit("analysis_line")

    @property
    def marks(self) -> dict[int, list]:
        """Front marks ``{frame: [[row, col], ...]}`` in raw movie px."""
        return {frame: [list(p) for p in points] for frame, points in self._marks.items()}

    def set_marks(self, marks: dict) -> None:
        self._marks = {
            int(frame): [[float(r), float(c)] for r, c in points]
            for frame, points in sorted(marks.items(), key=lambda item: int(item[0]))
            if points
        }
        self._emit("marks")

    # parameters and results --------------------------------------------------------------------

    def parameters(self, name: str) -> dict:
        """Parameters the user set for analysis ``name`` ({} when none)."""
        return dict(self._parameters.get(name, {}))

    def set_parameters(self, name: str, parameters: dict) -> None:
        self._parameters[name] = plain(dict(parameters))
        self._emit("parameters", name)

    @property
    def parameter_names(self) -> list[str]:
        return list(self._parameters)

    @property
    def result_names(self) -> list[str]:
        return list(self._results)

    def result(self, name: str) -> Result | None:
        return self._results.get(name)

    def store_result(self, name: str, result: Result) -> None:
        """Keep ``result`` as analysis ``name``'s result (replacing the previous one)."""
        self._results[name] = result
        self._emit("result", name)

    def clear_result(self, name: str) -> None:
        if self._results.pop(name, None) is not None:
            self._emit("result", name)

    def fingerprint(self, key: str) -> str:
        """Current fingerprint of an input: a role, "analysis_line", "marks", "scan_line.<role>"
        or "result.<name>" ("" when absent). Computes and keeps a file's SHA-256 on first use."""
        if key in ROLES:
            return self._role_fingerprint(key)
        if key == "analysis_line":
            return digest(self._analysis_line) if self._analysis_line else ""
        if key == "marks":
            return digest({str(k): v for k, v in self._marks.items()}) if self._marks else ""
        if key.startswith("scan_line."):
            line = self._scan_lines.get(key.removeprefix("scan_line."))
            return digest(line) if line else ""
        if key.startswith("result."):
            result = self._results.get(key.removeprefix("result."))
            return digest([result.value, result.parameters]) if result else ""
        raise ValueError(f"unknown input {key!r}")

    def checksum(self, role: str) -> str:
        """SHA-256 of ``role``'s file, computed on first use and kept ("" without a readable file,
        e.g. a folder of frames)."""
        source = self._sources.get(role)
        if source is None or source.path is None or not os.path.isfile(source.path):
            return source.sha256 if source is not None else ""
        if not source.sha256:
            self._sources[role] = source = replace(source, sha256=sha256_of(source.path))
        return source.sha256

    def _role_fingerprint(self, role: str) -> str:
        source = self._sources.get(role)
        if source is None:
            return ""
        if source.path is None:
            identity = f"memory:{source.token}"
        else:
            identity = (self.checksum(role) if self.checksums or source.sha256 else "") or _stat(
                source.path
            )
        override = self._calibration.get(role)
        return identity if not override else f"{identity}|{override['scale']} {override['units']}"

    def fingerprints(self, keys) -> dict[str, str]:
        """``{key: fingerprint(key)}`` for the inputs a result is about to be computed from."""
        return {key: self.fingerprint(key) for key in keys}

    def result_status(self, name: str, parameters: dict | None = None) -> str:
        """ "missing", "stale" (inputs or ``parameters`` changed since) or "current"."""
        result = self._results.get(name)
        if result is None:
            return "missing"
        if parameters is not None and plain(parameters) != result.parameters:
            return "stale"
        return (
            "current"
            if all(self.fingerprint(k) == v for k, v in result.inputs.items())
            else "stale"
        )

    # view and panel state ----------------------------------------------------------------------

    @property
    def frame(self) -> int:
        return int(self._view["frame"])

    def set_frame(self, index: int) -> None:
        """Move to movie frame ``index`` (clipped to the loaded movie)."""
        self._set_index("frame", index, self._count("movie"))

    @property
    def probe(self) -> int:
        """Probe index along the NBD/EELS line scans (0-based)."""
        return int(self._view["probe"])

    def set_probe(self, index: int) -> None:
        self._set_index("probe", index, self._count("eels", "nbd"))

    @property
    def reference_probe(self) -> int:
        """Probe the chemical shift and strain are measured against."""
        return int(self._view["reference_probe"])

    def set_reference_probe(self, index: int) -> None:
        self._set_index("reference_probe", index, self._count("eels", "nbd"))

    def _count(self, *roles: str) -> int | None:
        counts = [d.n_items for d in (self._datasets.get(r) for r in roles) if d is not None]
        return max(counts) if counts else None

    def _set_index(self, key: str, index: int, count: int | None) -> None:
        index = max(int(index), 0) if count is None else min(max(int(index), 0), max(count - 1, 0))
        if index != self._view[key]:
            self._view[key] = index
            self._emit(key, index)

    def time_s(self) -> float | None:
        """Time of the current frame, s (None without a time-calibrated movie)."""
        movie = self.dataset("movie")
        if movie is None or movie.kind != "movie" or movie.axes[0].units != "s":
            return None
        return float(movie.axes[0].to_value(self.frame))

    def restore_view(self, view: dict[str, Any]) -> None:
        """Replace the whole view state (opening a project; indices are clipped once data is attached)."""
        self._view = {"frame": 0, "probe": 0, "reference_probe": 0, **plain(dict(view))}
        for key, value in self._view.items():
            if key in VIEW_KEYS:
                self._emit(key, int(value))
            else:
                self._emit("view", key, value)

    def view(self, key: str, default: Any = _UNSET) -> Any:
        """A view setting, e.g. ``view("eels.log")``; unset keys give ``default``, else :data:`VIEW_DEFAULTS`."""
        return self._view.get(key, VIEW_DEFAULTS.get(key) if default is _UNSET else default)

    @property
    def view_state(self) -> dict[str, Any]:
        return dict(self._view)

    def set_view(self, key: str, value: Any) -> None:
        """Set a free view key ("<panel>.<setting>"); frame/probe/reference_probe have setters."""
        if key in VIEW_KEYS:
            raise ValueError(f"use set_{key}() for {key!r}")
        value = plain(value)
        if self._view.get(key, object()) != value:
            self._view[key] = value
            self._emit("view", key, value)

    def panel_state(self, name: str) -> dict:
        return dict(self._panels.get(name, {}))

    @property
    def panel_names(self) -> list[str]:
        return list(self._panels)

    def set_panel_state(self, name: str, state: dict) -> None:
        """Free-form state of a panel (plain JSON types)."""
        self._panels[name] = plain(dict(state))
        self._emit("panel", name)


def _stat(path: str) -> str:
    """A file's (or folder's) identity by size and modification time ("missing" when gone)."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"file:{stat.st_size}:{stat.st_mtime_ns}"
