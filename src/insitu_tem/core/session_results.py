"""Analysis parameters and results with the fingerprints of their inputs, and whether a result
is still current (a facet of :class:`~insitu_tem.core.session.Session`)."""

from __future__ import annotations

from copy import deepcopy
from typing import Callable

from insitu_tem.core.results import Result, plain
from insitu_tem.core.session_annotations import Annotations
from insitu_tem.core.session_data import ROLES, DatasetRoles


class ResultStore:
    """Parameters and :class:`~insitu_tem.core.results.Result` of every analysis by name.

    Parameters
    ----------
    emit : callable
        The session's ``emit(event, *payload, dirty=True)``.
    datasets : DatasetRoles
        Fingerprints of the roles (file checksum and calibration).
    annotations : Annotations
        Fingerprints of the lines and marks.
    """

    def __init__(
        self, emit: Callable[..., None], datasets: DatasetRoles, annotations: Annotations
    ) -> None:
        self._emit, self._datasets, self._annotations = emit, datasets, annotations
        self._parameters: dict[str, dict] = {}
        self._results: dict[str, Result] = {}

    def copy_from(self, other: "ResultStore") -> None:
        """Take ``other``'s parameters (copied) and results (shared: a result is never changed,
        only replaced)."""
        self._parameters, self._results = deepcopy(other._parameters), dict(other._results)

    @property
    def results(self) -> dict[str, Result]:
        """``{name: result}`` (a copy of the mapping)."""
        return dict(self._results)

    def parameters(self, name: str) -> dict:
        """Parameters the user set for analysis ``name`` ({} when none)."""
        return dict(self._parameters.get(name, {}))

    def set_parameters(self, name: str, parameters: dict, *, dirty: bool = True) -> None:
        """Keep ``parameters`` as analysis ``name``'s; ``dirty=False``: derived from what the
        session already holds (a default computed from its data), not an unsaved change."""
        self._parameters[name] = plain(dict(parameters))
        self._emit("parameters", name, dirty=dirty)

    @property
    def parameter_names(self) -> list[str]:
        return list(self._parameters)

    @property
    def result_names(self) -> list[str]:
        return list(self._results)

    def result(self, name: str) -> Result | None:
        return self._results.get(name)

    def store_result(self, name: str, result: Result, *, dirty: bool = True) -> None:
        """Keep ``result`` as analysis ``name``'s result (replacing the previous one).

        ``dirty=False``: a result derived from what the session already holds (recomputed on
        opening), not an unsaved change. Results computed from the previous one (their input
        "result.<name>" no longer matches) are removed, transitively: a fit is never shown
        for a drift or track it was not made with."""
        self._results[name] = result
        self._emit("result", name, dirty=dirty)
        self._drop_stale_dependents(name, dirty=dirty)

    def clear_result(self, name: str, *, dirty: bool = True) -> None:
        """Remove analysis ``name``'s result and the results computed from it."""
        if self._results.pop(name, None) is not None:
            self._emit("result", name, dirty=dirty)
            self._drop_stale_dependents(name, dirty=dirty)

    def _drop_stale_dependents(self, name: str, *, dirty: bool) -> None:
        key = f"result.{name}"
        now = self.fingerprint(key)
        for other, result in list(self._results.items()):
            if key in result.inputs and result.inputs[key] != now:
                self.clear_result(other, dirty=dirty)

    def fingerprint(self, key: str) -> str:
        """Current fingerprint of an input: a role, "analysis_line", "marks", "scan_line.<role>"
        or "result.<name>" ("" when absent). Computes and keeps a file's SHA-256 on first use."""
        if key in ROLES:
            return self._datasets.fingerprint(key)
        if key in ("analysis_line", "marks") or key.startswith("scan_line."):
            return self._annotations.fingerprint(key)
        if key.startswith("result."):
            result = self._results.get(key.removeprefix("result."))
            return result.fingerprint if result else ""
        raise ValueError(f"unknown input {key!r}")

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
