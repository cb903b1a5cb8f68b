"""The datasets of a session in their roles, their calibration overrides and what depends on
them (a facet of :class:`~insitu_tem.core.session.Session`; see its module docstring)."""

from __future__ import annotations

import os
import uuid
from copy import deepcopy
from dataclasses import replace

from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.dependencies import DataSource, Invalidation, dependent_results
from insitu_tem.core.model import Dataset
from insitu_tem.core.results import sha256_of

ROLES = ("movie", "hrtem", "nbd", "eels")


class DatasetRoles:
    """Datasets in :data:`ROLES`, their sources (path, SHA-256) and calibration overrides;
    replacing one removes what depended on it (:class:`Invalidation`)."""

    _sources: dict[str, DataSource]
    _datasets: dict[str, Dataset]
    _calibration: dict[str, dict]
    _measurements: dict[str, dict]

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
        """The loaded dataset of ``role`` with its calibration override applied (None: none or
        not loaded)."""
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
        """Record a role's file without loading it (opening a project); :meth:`attach` loads it
        later."""
        self._check_role(role)
        self._sources[role] = source
        self._datasets.pop(role, None)
        self._emit("dataset", role)

    def attach(self, role: str, dataset: Dataset) -> None:
        """The loaded data of ``role``'s recorded source (no invalidation; the session stays
        clean)."""
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
            deepcopy(self._measurements.get(role, {})),
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
        if lost.measurements:
            self.set_measurements(role, None)
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
        if lost.measurements:
            self.set_measurements(lost.role, lost.measurements)
        for name, result in lost.results.items():
            self.store_result(name, result)

    def sources(self) -> list[str]:
        """Paths of every file in the session (provenance)."""
        return [s.path for s in self._sources.values() if s.path]

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


def _stat(path: str) -> str:
    """A file's (or folder's) identity by size and modification time ("missing" when gone)."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"file:{stat.st_size}:{stat.st_mtime_ns}"
