"""The datasets of a session in their roles and their calibration overrides (facets of
:class:`~insitu_tem.core.session.Session`; see its module docstring)."""

from __future__ import annotations

import os
import uuid
from copy import deepcopy
from dataclasses import replace
from typing import Callable

from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.dependencies import DataSource, Invalidation
from insitu_tem.core.model import Dataset
from insitu_tem.core.results import sha256_of

ROLES = ("movie", "hrtem", "nbd", "eels", "survey")
"""The roles a dataset plays: the in situ movie (or a single image), an HRTEM image measured by
its FFT, an NBD scan, EELS or EDS spectra, and the survey image (HAADF) recorded with a spectrum
image, kept apart from an HRTEM image when a movie is open."""


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")


class Calibrations:
    """Calibration overrides of the roles' signal axes (``{"scale": float, "units": str}``).

    Parameters
    ----------
    emit : callable
        The session's ``emit(event, *payload, dirty=True)``.
    """

    def __init__(self, emit: Callable[..., None]) -> None:
        self._emit = emit
        self._overrides: dict[str, dict] = {}

    def copy_from(self, other: "Calibrations") -> None:
        """Take a copy of ``other``'s overrides (a snapshot)."""
        self._overrides = deepcopy(other._overrides)

    def calibration(self, role: str) -> dict | None:
        """``{"scale": float or None, "units": str or None}`` override of ``role``, or None."""
        override = self._overrides.get(role)
        return dict(override) if override else None

    def set_calibration(
        self, role: str, *, scale: float | None = None, units: str | None = None
    ) -> None:
        """Override ``role``'s signal-axis calibration (both None: back to the file's)."""
        check_role(role)
        if scale is None and units is None:
            self._overrides.pop(role, None)
        else:
            self._overrides[role] = {
                "scale": None if scale is None else float(scale),
                "units": units,
            }
        self._emit("calibration", role)

    def applied(self, role: str, dataset: Dataset | None) -> Dataset | None:
        """``dataset`` with ``role``'s override applied (as it is without one)."""
        override = self._overrides.get(role)
        if dataset is None or not override:
            return dataset
        return recalibrate(dataset, scale=override.get("scale"), units=override.get("units"))

    def fingerprint(self, role: str) -> str:
        """What a result computed from ``role`` records of its override ("" without one)."""
        override = self._overrides.get(role)
        return f"|{override['scale']} {override['units']}" if override else ""


class DatasetRoles:
    """Datasets in :data:`ROLES` and their sources (path, SHA-256); replacing one removes what
    depended on it (``invalidate(role)`` returns the :class:`Invalidation`).

    Parameters
    ----------
    emit : callable
        The session's ``emit(event, *payload, dirty=True)``.
    calibrations : Calibrations
        Overrides applied by :meth:`dataset`.
    invalidate : callable
        ``invalidate(role) -> Invalidation`` removes what depended on ``role``.
    checksums : bool
        Fingerprint files by SHA-256 (False: by size and modification time until one is known).
    """

    def __init__(
        self,
        emit: Callable[..., None],
        calibrations: Calibrations,
        *,
        invalidate: Callable[[str], Invalidation],
        checksums: bool,
    ) -> None:
        self._emit, self._calibrations, self._invalidate = emit, calibrations, invalidate
        self.checksums = checksums
        self._sources: dict[str, DataSource] = {}
        self._datasets: dict[str, Dataset] = {}

    def copy_from(self, other: "DatasetRoles") -> None:
        """Take ``other``'s sources and datasets (shared: datasets are never modified)."""
        self._sources, self._datasets = dict(other._sources), dict(other._datasets)

    @property
    def roles(self) -> list[str]:
        """Roles that have a source, in :data:`ROLES` order."""
        return [role for role in ROLES if role in self._sources]

    def source(self, role: str) -> DataSource | None:
        return self._sources.get(role)

    def dataset(self, role: str) -> Dataset | None:
        """The loaded dataset of ``role`` with its calibration override applied (None: none or
        not loaded)."""
        return self._calibrations.applied(role, self._datasets.get(role))

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
        check_role(role)
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
        check_role(role)
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
        check_role(role)
        if role not in self._sources:
            return Invalidation(role)
        lost = self._invalidate(role)
        self._sources.pop(role)
        self._datasets.pop(role, None)
        self._emit("dataset", role)
        return lost

    def sources(self) -> list[str]:
        """Paths of every file in the session (provenance)."""
        return [s.path for s in self._sources.values() if s.path]

    def checksum(self, role: str) -> str:
        """SHA-256 of ``role``'s file, computed on first use and kept ("" without a readable file,
        e.g. a folder of frames)."""
        source = self._sources.get(role)
        if source is None or source.path is None or not os.path.isfile(source.path):
            return source.sha256 if source is not None else ""
        if not source.sha256:
            self._sources[role] = source = replace(source, sha256=sha256_of(source.path))
        return source.sha256

    def fingerprint(self, role: str) -> str:
        """Identity of ``role``'s data as results record it: checksum (or size and time) of its
        file, or its in-memory token, with the calibration override ("" without a source)."""
        source = self._sources.get(role)
        if source is None:
            return ""
        if source.path is None:
            identity = f"memory:{source.token}"
        else:
            identity = (self.checksum(role) if self.checksums or source.sha256 else "") or _stat(
                source.path
            )
        return identity + self._calibrations.fingerprint(role)


def _stat(path: str) -> str:
    """A file's (or folder's) identity by size and modification time ("missing" when gone)."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    return f"file:{stat.st_size}:{stat.st_mtime_ns}"
