"""Named views of a session, rendered headless: the same figures the GUI exports.

A :class:`Session` is what a project opens: datasets per role, the linked cursor
and the scan lines. ``render_view(session, name)`` returns a matplotlib figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from insitu_tem.core.calibration import recalibrate
from insitu_tem.io.load import load
from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.project import Project, locate
from insitu_tem.figures.compose import ProfileView, compose
from insitu_tem.figures.frame import FrameView

VIEW_NAMES = ("movie", "hrtem", "nbd", "eels", "montage", "kymograph", "figure", "overview")


@dataclass
class Session:
    """Datasets per role plus the linked cursor and scan lines (movie px)."""

    datasets: dict[str, Dataset] = field(default_factory=dict)
    frame: int = 0
    scan_index: int = 0
    scan_lines: dict[str, Any] = field(default_factory=dict)

    def sources(self) -> list[str]:
        return [d.source for d in self.datasets.values() if d.source]


def session_from_project(project: Project, project_path: str | Path) -> Session:
    """Load every referenced file (with calibration overrides) into a Session."""
    session = Session(scan_lines=dict(project.scan_lines))
    calibrations = project.parameters.get("calibration", {})
    for reference in project.files:
        path = locate(reference, project_path)
        if path is None:
            raise DataError(f"cannot find {reference.path} referenced by the project; open the project in the "
                            "GUI to locate it")
        dataset = load(path, signal=reference.signal)
        override = calibrations.get(reference.role)
        if override:
            dataset = recalibrate(dataset, scale=override.get("scale"), units=override.get("units"))
        session.datasets[reference.role] = dataset
    cursor = project.parameters.get("cursor", {})
    session.frame, session.scan_index = int(cursor.get("frame", 0)), int(cursor.get("scan_index", 0))
    return session


def _require(session: Session, role: str) -> Dataset:
    if role not in session.datasets:
        raise DataError(f"the project has no {role} data for this view")
    return session.datasets[role]


def _time_of(dataset: Dataset, index: int) -> float | None:
    axis = dataset.axes[0]
    return axis.to_value(index) if dataset.kind == "movie" and axis.units == "s" else None


def frame_view(session: Session, role: str, *, index: int | None = None, title: str = "") -> FrameView:
    """The frame of ``role`` at ``index`` (default: the cursor), scan lines drawn on the movie."""
    dataset = _require(session, role)
    index = min(session.frame if index is None else index, dataset.n_items - 1)
    row, col = dataset.signal_axes
    lines = []
    if role == "movie":
        lines = [(tuple(line["start_rc"]), tuple(line["end_rc"])) for line in session.scan_lines.values()][:1]
    return FrameView(dataset.frame(index), row, col, time_s=_time_of(dataset, index), lines_rc=lines, title=title)


def pattern_view(session: Session) -> FrameView:
    dataset = _require(session, "nbd")
    index = min(session.scan_index, dataset.n_items - 1)
    row, col = dataset.signal_axes
    position = dataset.navigation_axes[0].to_value(index) if dataset.navigation_axes else 0.0
    return FrameView(dataset.frame(index), row, col, log=True, cmap="inferno",
                     title=f"NBD at {position:.4g} {dataset.axes[0].units}")


def spectrum_view(session: Session) -> ProfileView:
    dataset = _require(session, "eels")
    index = min(session.scan_index, dataset.n_items - 1)
    energy = dataset.signal_axes[0]
    return ProfileView(energy.coordinates(), [("", np.asarray(dataset.frame(index), float), None)],
                       x_label=f"Energy loss ({energy.units})", y_label="Counts", title=f"EELS, probe {index + 1}")


def montage_views(session: Session, *, count: int = 4, times_s: list[float] | None = None) -> list[FrameView]:
    """Movie frames at chosen times (s), or ``count`` evenly spaced frames."""
    movie = _require(session, "movie")
    if times_s:
        indices = [int(np.clip(round(movie.axes[0].to_index(t)), 0, movie.n_items - 1)) for t in times_s]
    else:
        indices = np.linspace(0, movie.n_items - 1, count).round().astype(int).tolist()
    return [frame_view(session, "movie", index=i) for i in indices]


def kymograph_view(session: Session, *, width_px: float = 9.0) -> FrameView:
    """Kymograph along the registered scan line (distance along the line vs time)."""
    from insitu_tem.analysis.movie.kymograph import kymograph

    movie = _require(session, "movie")
    line = next(iter(session.scan_lines.values()), None)
    if line is None:
        raise DataError("the project has no scan line to take the kymograph along; place one on the movie")
    result = kymograph(movie.array, [line["start_rc"], line["end_rc"]], width=width_px)
    pixel = movie.signal_axes[-1]
    time_axis = movie.axes[0]
    distance = Axis("x", result.image.shape[1], pixel.scale, 0.0, pixel.units)
    return FrameView(result.image, Axis("y", result.image.shape[0], time_axis.scale, time_axis.offset,
                                        time_axis.units), distance,
                     title="Kymograph",
                     axis_labels=(f"Time ({time_axis.units})", f"Distance along the line ({pixel.units})"))


def figure_views(session: Session, *, times_s: list[float] | None = None) -> list:
    """A publication figure: frames at chosen times, the kymograph, and the NBD/EELS panels."""
    panels = montage_views(session, count=3, times_s=times_s)
    panels.append(kymograph_view(session))
    panels += [pattern_view(session)] if "nbd" in session.datasets else []
    panels += [spectrum_view(session)] if "eels" in session.datasets else []
    return panels


def render_view(session: Session, name: str, *, dpi: int = 300, options: dict | None = None):
    """Render a named view; return (figure, parameters recorded as provenance)."""
    options = dict(options or {})
    if name in ("movie", "hrtem"):
        panels, columns = [frame_view(session, name)], 1
    elif name == "nbd":
        panels, columns = [pattern_view(session)], 1
    elif name == "eels":
        panels, columns = [spectrum_view(session)], 1
    elif name == "montage":
        panels = montage_views(session, count=int(options.get("count", 4)), times_s=options.get("times_s"))
        columns = len(panels)
    elif name == "kymograph":
        panels, columns = [kymograph_view(session)], 1
    elif name == "figure":
        panels = figure_views(session, times_s=options.get("times_s"))
        columns = 3
    elif name == "overview":
        panels = [frame_view(session, r) for r in ("movie", "hrtem") if r in session.datasets]
        panels += [pattern_view(session)] if "nbd" in session.datasets else []
        panels += [spectrum_view(session)] if "eels" in session.datasets else []
        columns = 2
    else:
        raise ValueError(f"unknown view {name!r}; choose one of {', '.join(VIEW_NAMES)}")
    figure, _ = compose(panels, columns=columns, dpi=dpi, letters=len(panels) > 1,
                        width_mm=float(options.get("width_mm", 180 if columns > 1 else 85)))
    parameters = {"view": name, "frame": session.frame, "scan_index": session.scan_index, **options}
    return figure, parameters
