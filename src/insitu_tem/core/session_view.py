"""What the user looks at: frame, probe, "<panel>.<setting>" view keys and free panel state (a
facet of :class:`~insitu_tem.core.session.Session`)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any, Callable

from insitu_tem.core.results import plain
from insitu_tem.core.session_data import DatasetRoles

VIEW_KEYS = ("frame", "probe")
RETIRED_KEYS = ("reference_probe",)
VIEW_DEFAULTS = {
    "frame": 0,
    "probe": 0,
    "movie.cmap": "gray",
    "movie.gamma": 1.0,
    "movie.levels": None,
    "movie.region": None,
    "hrtem.frame": 0,
    "hrtem.cmap": "gray",
    "hrtem.levels": None,
    "hrtem.region": None,
    "survey.cmap": "gray",
    "survey.levels": None,
    "survey.region": None,
    "nbd.cmap": "gray",
    "nbd.display": "log",
    "nbd.gamma": 0.3,
    "nbd.levels": None,
    "nbd.region": None,
    "eels.log": False,
    "eels.aligned": True,
    "eels.energy_range": None,
}
_UNSET = object()


class ViewState:
    """Indices (clipped to the loaded data), view keys with :data:`VIEW_DEFAULTS`, panel state.

    Parameters
    ----------
    emit : callable
        The session's ``emit(event, *payload, dirty=True)``.
    datasets : DatasetRoles
        The loaded data the frame and probe are clipped to.
    """

    def __init__(self, emit: Callable[..., None], datasets: DatasetRoles) -> None:
        self._emit, self._datasets = emit, datasets
        self._view: dict[str, Any] = {"frame": 0, "probe": 0}
        self._panels: dict[str, dict] = {}

    def copy_from(self, other: "ViewState") -> None:
        """Take a copy of ``other``'s view and panel state (a snapshot)."""
        self._view, self._panels = deepcopy(other._view), deepcopy(other._panels)

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

    def _count(self, *roles: str) -> int | None:
        counts = [
            d.n_items for d in (self._datasets.raw_dataset(r) for r in roles) if d is not None
        ]
        return max(counts) if counts else None

    def _set_index(self, key: str, index: int, count: int | None) -> None:
        index = max(int(index), 0) if count is None else min(max(int(index), 0), max(count - 1, 0))
        if index != self._view[key]:
            self._view[key] = index
            self._emit(key, index)

    def time_s(self) -> float | None:
        """Time of the current frame, s (None without a time-calibrated movie)."""
        movie = self._datasets.dataset("movie")
        if movie is None or movie.kind != "movie" or movie.axes[0].units != "s":
            return None
        return float(movie.axes[0].to_value(self.frame))

    def restore_view(self, view: dict[str, Any]) -> None:
        """Replace the whole view state (opening a project; indices are clipped once data is
        attached).

        A reference probe kept here by earlier versions is dropped: the reference of a chemical
        shift or a strain is a parameter of its analysis, recorded with its result."""
        kept = {k: v for k, v in plain(dict(view)).items() if k not in RETIRED_KEYS}
        self._view = {"frame": 0, "probe": 0, **kept}
        for key, value in self._view.items():
            if key in VIEW_KEYS:
                self._emit(key, int(value))
            else:
                self._emit("view", key, value)

    def view(self, key: str, default: Any = _UNSET) -> Any:
        """A view setting, e.g. ``view("eels.log")``; unset keys give ``default``, else
        :data:`VIEW_DEFAULTS`."""
        return self._view.get(key, VIEW_DEFAULTS.get(key) if default is _UNSET else default)

    @property
    def view_state(self) -> dict[str, Any]:
        return dict(self._view)

    def set_view(self, key: str, value: Any) -> None:
        """Set a free view key ("<panel>.<setting>"); frame and probe have setters."""
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
