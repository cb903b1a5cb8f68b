"""The one observable, Qt-free session model: everything a user sees and adds.

A :class:`Session` holds

* **datasets in roles** (:data:`ROLES`): a :class:`DataSource` (file path, SHA-256,
  signal index, kind) and, once loaded, the :class:`~insitu_tem.core.model.Dataset`;
* **calibration overrides** per role (``{"scale": float, "units": str}``);
  :meth:`Session.dataset` returns the dataset with its override applied;
* **annotations**: scan lines of the line scans on the movie (``scan_line(role)``,
  dicts of :class:`~insitu_tem.core.coordinates.ScanRegistration` form), the
  **analysis line** (vertices, (row, col) movie px) and the **front marks**
  (``{frame: [(row, col), ...]}``); the **measuring tools** open on each image panel
  (``measurements(panel)``: ruler, angle, profile and region handles in calibrated
  (row, col) coordinates, and the numbers they show);
* **parameters** and **results** of every analysis by name ("front", "drift",
  "lattice", "nbd", "eels", "across", ...); a :class:`~insitu_tem.core.results.Result`
  records the parameters and input fingerprints that produced it;
* **view state**: frame, probe and "<panel>.<setting>" keys, with
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
measurements      panel, "geometry"|"readout" set_measurements, set_measurement_readout
parameters        analysis name               set_parameters
result            analysis name               store_result, clear_result
frame             index                       set_frame
probe             index                       set_probe
view              key, value                  set_view
panel             panel name                  set_panel_state
dirty             bool                        any change, mark_clean
================  ==========================  =====================================

Replacing the dataset of a role (:meth:`Session.set_dataset`) removes what
depended on it (results whose inputs include the role, transitively; the role's
scan line and calibration and the measuring tools of its panel; for the movie also the
analysis line, marks and every scan line) and returns an :class:`Invalidation`;
:meth:`Session.dependents` previews it so a GUI can ask first, and :meth:`Session.reinstate`
undoes it.

The session is composed of one object per concern, each with its own state and
methods: :attr:`Session.datasets` (:class:`~insitu_tem.core.session_data.DatasetRoles`),
:attr:`Session.calibrations` (:class:`~insitu_tem.core.session_data.Calibrations`),
:attr:`Session.annotations` (:class:`~insitu_tem.core.session_annotations.Annotations`),
:attr:`Session.results` (:class:`~insitu_tem.core.session_results.ResultStore`),
:attr:`Session.views` (:class:`~insitu_tem.core.session_view.ViewState`) and
:attr:`Session.dependencies` (:class:`~insitu_tem.core.session_dependencies.Dependencies`).
Their methods are also reachable on the session itself (``session.result(name)`` is
``session.results.result(name)``; :data:`FORWARDED` lists them).

The session is not thread-safe: change it on one thread (the GUI thread).
Workers compute with :mod:`insitu_tem.workflows` jobs and the result is stored on
the session's thread.
"""

from __future__ import annotations

from typing import Any

from insitu_tem.core.dependencies import DataSource, Invalidation
from insitu_tem.core.events import EventHub
from insitu_tem.core.session_annotations import Annotations
from insitu_tem.core.session_data import ROLES, Calibrations, DatasetRoles
from insitu_tem.core.session_dependencies import Dependencies
from insitu_tem.core.session_results import ResultStore
from insitu_tem.core.session_view import VIEW_DEFAULTS, VIEW_KEYS, ViewState

__all__ = [
    "FORWARDED",
    "ROLES",
    "VIEW_DEFAULTS",
    "VIEW_KEYS",
    "DataSource",
    "Invalidation",
    "Session",
]
EVENTS = (
    "dataset",
    "calibration",
    "scan_line",
    "analysis_line",
    "marks",
    "measurements",
    "parameters",
    "result",
    "frame",
    "probe",
    "view",
    "panel",
    "dirty",
)
FACETS = ("calibrations", "annotations", "datasets", "results", "views")
"""The facets holding state, in the order a snapshot copies them."""
FORWARDED = {
    "datasets": (
        "roles",
        "source",
        "dataset",
        "raw_dataset",
        "set_dataset",
        "add_source",
        "attach",
        "remove_dataset",
        "sources",
        "checksum",
    ),
    "calibrations": ("calibration", "set_calibration"),
    "annotations": (
        "scan_lines",
        "scan_line",
        "set_scan_line",
        "analysis_line",
        "set_analysis_line",
        "marks",
        "set_marks",
        "measurement_panels",
        "measurements",
        "set_measurements",
        "set_measurement_readout",
    ),
    "results": (
        "parameters",
        "set_parameters",
        "parameter_names",
        "result_names",
        "result",
        "store_result",
        "clear_result",
        "fingerprint",
        "fingerprints",
        "result_status",
    ),
    "views": (
        "frame",
        "set_frame",
        "probe",
        "set_probe",
        "time_s",
        "restore_view",
        "view",
        "view_state",
        "set_view",
        "panel_state",
        "panel_names",
        "set_panel_state",
    ),
    "dependencies": ("dependents", "reinstate"),
}
"""Facet methods and properties reachable on the session itself, by facet."""


class _Forwarded:
    """``session.<name>`` reads ``session.<facet>.<name>`` (a method or a property's value)."""

    def __init__(self, facet: str, name: str) -> None:
        self.facet, self.name = facet, name

    def __get__(self, session: "Session | None", owner: type | None = None) -> Any:
        if session is None:
            return self
        return getattr(getattr(session, self.facet), self.name)

    def __set__(self, session: "Session", value: Any) -> None:
        raise AttributeError(f"use the {self.facet} facet's setter for {self.name!r}")


class Session:
    """The session model; see the module docstring for its facets, API and events.

    Parameters
    ----------
    checksums : bool
        Fingerprint files by SHA-256 (reproducible across machines). False: by size and
        modification time until a checksum is known (one-off command-line runs, which then
        never read a large file just to hash it).
    """

    def __init__(self, *, checksums: bool = True) -> None:
        self.events = EventHub(EVENTS)
        self.revision = 0
        self.dirty = False
        self._frozen = False
        self.calibrations = Calibrations(self._emit)
        self.annotations = Annotations(self._emit)
        self.datasets = DatasetRoles(
            self._emit,
            self.calibrations,
            invalidate=lambda role: self.dependencies.invalidate(role),
            checksums=checksums,
        )
        self.results = ResultStore(self._emit, self.datasets, self.annotations)
        self.views = ViewState(self._emit, self.datasets)
        self.dependencies = Dependencies(self.calibrations, self.annotations, self.results)

    @property
    def checksums(self) -> bool:
        """Whether files are fingerprinted by SHA-256 (see the class docstring)."""
        return self.datasets.checksums

    def snapshot(self) -> "Session":
        """A frozen copy of the session as it is now, for a worker thread (an export) to read
        while the user goes on changing this one. Datasets and results are shared (never
        modified: a new result replaces the old one); every other part is copied; changing the
        snapshot raises RuntimeError."""
        copy = Session(checksums=self.checksums)
        for facet in FACETS:
            getattr(copy, facet).copy_from(getattr(self, facet))
        copy.revision, copy.dirty, copy._frozen = self.revision, self.dirty, True
        return copy

    def _emit(self, name: str, *payload: Any, dirty: bool = True) -> None:
        if self._frozen:
            raise RuntimeError("this is a snapshot of the session; change the live session")
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


for _facet, _names in FORWARDED.items():
    for _name in _names:
        setattr(Session, _name, _Forwarded(_facet, _name))
