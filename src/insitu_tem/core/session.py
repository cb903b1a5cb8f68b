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
:meth:`Session.dependents` previews it so a GUI can ask first, and :meth:`Session.reinstate` undoes it.

The session is not thread-safe: change it on one thread (the GUI thread).
Workers compute with :mod:`insitu_tem.workflows` jobs and the result is stored on
the session's thread.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from insitu_tem.core.dependencies import DataSource, Invalidation
from insitu_tem.core.events import EventHub
from insitu_tem.core.model import Dataset
from insitu_tem.core.results import Result
from insitu_tem.core.session_annotations import Annotations
from insitu_tem.core.session_data import ROLES, DatasetRoles
from insitu_tem.core.session_results import ResultStore
from insitu_tem.core.session_view import VIEW_DEFAULTS, VIEW_KEYS, ViewState

__all__ = [
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


class Session(DatasetRoles, Annotations, ResultStore, ViewState):
    """The session model; see the module docstring for the full API and events.

    Its parts live in one module each, by concern: datasets, roles and calibration
    (:mod:`~insitu_tem.core.session_data`), annotations
    (:mod:`~insitu_tem.core.session_annotations`), parameters, results and their
    dependencies (:mod:`~insitu_tem.core.session_results`), view and panel state
    (:mod:`~insitu_tem.core.session_view`); this class holds their state, the events and
    the dirty flag.

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
        self._measurements: dict[str, dict] = {}
        self._parameters: dict[str, dict] = {}
        self._results: dict[str, Result] = {}
        self._view: dict[str, Any] = {"frame": 0, "probe": 0}
        self._panels: dict[str, dict] = {}
        self._frozen = False

    def snapshot(self) -> "Session":
        """A frozen copy of the session as it is now, for a worker thread (an export) to read
        while the user goes on changing this one. Datasets and results are shared (never
        modified: a new result replaces the old one); every other part is copied; changing the
        snapshot raises RuntimeError."""
        copy = Session(checksums=self.checksums)
        for key, value in self.__dict__.items():
            if key not in ("events", "_datasets", "_results"):
                copy.__dict__[key] = deepcopy(value)
        copy._datasets, copy._results = dict(self._datasets), dict(self._results)
        copy._frozen = True
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

    # datasets ---------------------------------------------------------------------------------
