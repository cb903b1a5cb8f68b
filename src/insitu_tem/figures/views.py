"""Named views of a :class:`~insitu_tem.core.session.Session`, rendered headless: what the
screen shows, exported.

Every view reads the session's view state (frame, probe, colour maps, display
levels, log/linear, visible region; :data:`~insitu_tem.core.session.VIEW_DEFAULTS`),
its annotations (scan lines, analysis line, front marks, the measuring tools left open on
the frame with their readout) and its results (front
track and fit, across-the-front table). ``render_view(session, name)`` returns a
matplotlib figure and the parameters recorded as provenance.
"""

from __future__ import annotations


import os

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number
from insitu_tem.core.coordinates import ScanRegistration
from insitu_tem.core.model import Axis, DataError, Dataset
from insitu_tem.core.session import Session
from insitu_tem.figures.compose import compose
from insitu_tem.figures.eels_view import spectrum_view
from insitu_tem.figures.session_data import require
from insitu_tem.figures.frame import FrameView
from insitu_tem.figures.measurements import measurement_overlays
from insitu_tem.figures.nbd_map import nbd_map_shown, nbd_map_view, probe_place
from insitu_tem.figures.nbd_profile import nbd_profile_views
from insitu_tem.figures.overlay_colours import (
    ANALYSIS_LINE,
    FRONT,
    MARKS,
    NBD_CENTRE,
    NBD_SPOTS,
    PROBE,
    scan_line_colour,
)
from insitu_tem.figures.pattern_display import pattern_display
from insitu_tem.figures.kinetics import across_views, front_point_rc, kinetics_views, kymograph_view

VIEW_NAMES = (
    "movie",
    "hrtem",
    "survey",
    "nbd",
    "eels",
    "montage",
    "kymograph",
    "kinetics",
    "across",
    "figure",
    "overview",
    "timeline",
    "tomo",
    "nbd-profile",
    "nbd-map",
)


def _time_of(dataset: Dataset, index: int) -> float | None:
    axis = dataset.axes[0]
    return axis.to_value(index) if dataset.kind == "movie" and axis.units == "s" else None


def _cropped(
    frame: np.ndarray, row: Axis, col: Axis, region
) -> tuple[np.ndarray, Axis, Axis, tuple[int, int]]:
    """The visible region [row0, row1, col0, col1] of a frame with axes shifted to match, and its
    origin."""
    if not region:
        return frame, row, col, (0, 0)
    r0, r1, c0, c1 = (int(round(v)) for v in region)
    r0, c0 = max(r0, 0), max(c0, 0)
    r1, c1 = min(r1, frame.shape[0]), min(c1, frame.shape[1])
    if r1 - r0 < 2 or c1 - c0 < 2:
        return frame, row, col, (0, 0)
    crop = frame[r0:r1, c0:c1]
    return (
        crop,
        Axis(row.name, r1 - r0, row.scale, row.to_value(r0), row.units),
        Axis(col.name, c1 - c0, col.scale, col.to_value(c0), col.units),
        (r0, c0),
    )


def _levels(session: Session, role: str):
    levels = session.view(f"{role}.levels")
    return tuple(float(v) for v in levels) if levels else None


def movie_look(session: Session) -> dict:
    """The movie's colour map, gamma and levels on screen (keywords of the movie export)."""
    return {
        "cmap": session.view("movie.cmap"),
        "gamma": float(session.view("movie.gamma")),
        "levels": _levels(session, "movie"),
    }


def movie_overlays(session: Session, index: int) -> tuple[list, list]:
    """Lines (scan lines, analysis line, marks on this frame) and markers (probe, front) in movie
    px, each with its colour on screen."""
    lines = [
        ([line["start_rc"], line["end_rc"]], scan_line_colour(role))
        for role, line in session.scan_lines.items()
    ]
    if session.analysis_line:
        lines.append((session.analysis_line, ANALYSIS_LINE))
    marks = session.marks.get(index, [])
    if len(marks) > 1:
        lines.append((marks, MARKS))
    markers = [(tuple(marks[0]), MARKS)] if len(marks) == 1 else []
    role = next(
        (r for r in ("eels", "nbd") if session.scan_line(r) and session.dataset(r) is not None),
        None,
    )
    if role is not None:
        line = {"n_positions": session.dataset(role).n_items, **session.scan_line(role)}
        markers.append((ScanRegistration.from_dict(line).point_rc(session.probe), PROBE))
    front = front_point_rc(session, index)
    if front is not None:
        markers.append((front, FRONT))
    return lines, markers


def frame_view(
    session: Session, role: str, *, index: int | None = None, title: str = ""
) -> FrameView:
    """The frame of ``role`` as on screen: the movie at the session's frame with its lines, marks,
    probe and front; the HRTEM movie at its own frame; colour map, levels and region from the
    view."""
    dataset = require(session, role)
    default = session.frame if role == "movie" else int(session.view(f"{role}.frame", 0))
    index = int(np.clip(default if index is None else index, 0, dataset.n_items - 1))
    row, col = dataset.signal_axes
    lines, markers = movie_overlays(session, index) if role == "movie" else ([], [])
    frame, row, col, (r0, c0) = _cropped(
        np.asarray(dataset.frame(index)), row, col, session.view(f"{role}.region")
    )
    tools, note = measurement_overlays(session, role, *dataset.signal_axes)
    lines = [([(r - r0, c - c0) for r, c in line], colour) for line, colour in lines + tools]
    markers = [((r - r0, c - c0), colour) for (r, c), colour in markers]
    return FrameView(
        frame,
        row,
        col,
        levels=_levels(session, role),
        cmap=session.view(f"{role}.cmap"),
        gamma=float(session.view(f"{role}.gamma", 1.0)),
        time_s=_time_of(dataset, index),
        lines_rc=lines,
        markers_rc=markers,
        title=title,
        note=note if index == default else "",
    )


def survey_view(session: Session) -> FrameView:
    """The survey image recorded with the spectrum image, titled as what it is ("Survey image,
    HAADF (0.bcf)")."""
    survey = require(session, "survey")
    kind = survey.metadata.get("title")
    name = os.path.basename(survey.source)
    title = "Survey image" + (f", {kind}" if kind else "") + (f" ({name})" if name else "")
    return frame_view(session, "survey", title=title)


def pattern_view(session: Session) -> FrameView:
    """The NBD pattern at the session's probe with the view's display, colour map and levels."""
    dataset = require(session, "nbd")
    index = min(session.probe, dataset.n_items - 1)
    row, col = dataset.signal_axes
    shown = pattern_display(
        dataset.frame(index), mode=session.view("nbd.display"), gamma=session.view("nbd.gamma")
    )
    shown, row, col, origin = _cropped(shown, row, col, session.view("nbd.region"))
    nav = dataset.navigation_axes
    where = probe_place(nav, index)
    centre, spots = pattern_marks(session, index, dataset.n_items)
    move = np.asarray(origin, float)
    tools, note = measurement_overlays(session, "nbd", *dataset.signal_axes)
    return FrameView(
        shown,
        row,
        col,
        levels=_levels(session, "nbd"),
        cmap=session.view("nbd.cmap"),
        title=f"NBD, probe {probe_number(index)}{where}",
        markers_rc=[] if centre is None else [(tuple(centre - move), NBD_CENTRE)],
        curves_rc=[(spots[:, 0] - move[0], spots[:, 1] - move[1], NBD_SPOTS, "spots")]
        if len(spots)
        else [],
        lines_rc=[
            ([(r - move[0], c - move[1]) for r, c in line], colour) for line, colour in tools
        ],
        note=note,
    )


def pattern_marks(session: Session, index: int, n_items: int) -> tuple:
    """The direct-beam centre ((row, col) px or None) and the spots ((n, 2) px) the NBD panel
    draws on pattern ``index``: from the scan result "nbd", or for fewer than three patterns from
    the single-pattern result "nbd.pattern" (each only when current)."""
    name = "nbd" if n_items >= 3 else "nbd.pattern"
    result = session.result(name)
    if result is None or session.result_status(name) != "current":
        return None, np.zeros((0, 2))
    value = result.value
    if name == "nbd":
        centre, spots = value["centre_px"][index], value["spots_rc"][index]
    elif value["index"] == index:
        centre, spots = value["centre_rc"], value["spots_rc"]
    else:
        return None, np.zeros((0, 2))
    spots = np.asarray(spots, float).reshape(-1, 2)
    return np.asarray(centre, float), spots[np.isfinite(spots).all(axis=1)]


def montage_views(
    session: Session, *, count: int = 4, times_s: list[float] | None = None
) -> list[FrameView]:
    """Movie frames at chosen times (s), or ``count`` evenly spaced frames."""
    movie = require(session, "movie")
    if times_s:
        indices = [
            int(np.clip(round(movie.axes[0].to_index(t)), 0, movie.n_items - 1)) for t in times_s
        ]
    else:
        indices = np.linspace(0, movie.n_items - 1, count).round().astype(int).tolist()
    return [frame_view(session, "movie", index=i) for i in indices]


def figure_views(session: Session, *, times_s: list[float] | None = None) -> list:
    """A publication figure: frames at chosen times, the kymograph, and the NBD/EELS panels."""
    panels = montage_views(session, count=3, times_s=times_s)
    panels.append(kymograph_view(session))
    panels += [pattern_view(session)] if session.dataset("nbd") is not None else []
    panels += [spectrum_view(session)] if session.dataset("eels") is not None else []
    return panels


def overview_views(session: Session) -> list:
    panels = [frame_view(session, r) for r in ("movie", "hrtem") if session.dataset(r) is not None]
    panels += [survey_view(session)] if session.dataset("survey") is not None else []
    panels += [pattern_view(session)] if session.dataset("nbd") is not None else []
    panels += [spectrum_view(session)] if session.dataset("eels") is not None else []
    if not panels:
        raise DataError("the session has no data to show")
    return panels


COLUMNS = {"kinetics": 2, "figure": 3, "overview": 2, "nbd-profile": 2}


def view_panels(session: Session, name: str, options: dict | None = None) -> list:
    """The panels (FrameView / ProfileView) of view ``name``, as :func:`render_view` draws them."""
    options = dict(options or {})
    single = {
        "movie": lambda: frame_view(session, "movie"),
        "hrtem": lambda: frame_view(session, "hrtem"),
        "survey": lambda: survey_view(session),
        "nbd": lambda: pattern_view(session),
        "eels": lambda: spectrum_view(session),
        "kymograph": lambda: kymograph_view(session),
        "nbd-map": lambda: nbd_map_view(session),
    }
    if name in single:
        return [single[name]()]
    several = {
        "montage": lambda: montage_views(
            session, count=int(options.get("count", 4)), times_s=options.get("times_s")
        ),
        "kinetics": lambda: kinetics_views(session),
        "across": lambda: across_views(session, project_dir=options.get("project_dir")),
        "figure": lambda: figure_views(session, times_s=options.get("times_s")),
        "overview": lambda: overview_views(session),
        "nbd-profile": lambda: nbd_profile_views(session),
    }
    if name not in several:
        raise ValueError(f"unknown view {name!r}; choose one of {', '.join(VIEW_NAMES)}")
    return several[name]()


def timeline_view(session: Session, options: dict, *, dpi: int):
    """Frames, kymograph and the holder log on one time axis: the log, clock offset and current
    channel of the session's timeline (``options`` may override ``log``, ``offset_s``,
    ``channels``)."""
    from insitu_tem.analysis.timeline.frames import frame_timeline
    from insitu_tem.analysis.timeline.sync import movie_clock
    from insitu_tem.figures.holder_state import dose_traces, log_path
    from insitu_tem.figures.timeline import timeline_figure
    from insitu_tem.io.holder_logs import load_log

    state = session.panel_state("timeline")
    path = options.get("log") or state.get("log_path")
    if not path:
        raise DataError(
            "the session has no holder log; open one in the Timeline panel or give "
            '--options \'{"log": "LOG"}\''
        )
    movie = require(session, "movie")
    path = log_path(session, path, options.get("project_dir"))
    log = load_log(path)
    frame_times, movie_start = movie_clock(movie)
    timeline = frame_timeline(
        frame_times,
        log,
        movie_start=movie_start,
        offset_s=float(options.get("offset_s", state.get("offset_s", 0.0))),
        current_channel=state.get("current_channel"),
    )
    frames = montage_views(
        session, count=int(options.get("count", 4)), times_s=options.get("times_s")
    )
    return timeline_figure(
        frames,
        kymograph_view(session),
        log,
        timeline,
        channels=options.get("channels"),
        derived=dose_traces(session),
        width_mm=float(options.get("width_mm", 180)),
        dpi=dpi,
    )


def references(session: Session) -> dict[str, int | None]:
    """The reference probe or pattern of every result measured against one (provenance: the
    reference each exported shift or strain was actually computed with)."""
    found = {}
    for name in session.result_names:
        value = session.result(name).value
        if "reference_index" in value:
            found[name] = value["reference_index"]
    return found


def render_view(session: Session, name: str, *, dpi: int = 300, options: dict | None = None):
    """Render a named view; return (figure, parameters recorded as provenance)."""
    options = dict(options or {})
    parameters = {
        "view": name,
        "frame": session.frame,
        "probe": session.probe,
        "references": references(session),
        "session_revision": session.revision,
        **options,
    }
    if name == "timeline":
        return timeline_view(session, options, dpi=dpi), parameters
    if name == "tomo":
        from insitu_tem.figures.tomography import render_tomo, session_tomo_view

        view = session_tomo_view(session, options.get("project_dir"), options)
        figure, shown = render_tomo(view, dpi=dpi)
        return figure, {**parameters, **shown}
    if name == "nbd-map":
        panel, shown = nbd_map_shown(session)
        panels, parameters = [panel], {**parameters, **shown}
    else:
        panels = view_panels(session, name, options)
    columns = len(panels) if name == "montage" else COLUMNS.get(name, 1)
    figure, _ = compose(
        panels,
        columns=columns,
        dpi=dpi,
        letters=len(panels) > 1,
        width_mm=float(options.get("width_mm", 180 if columns > 1 else 85)),
    )
    return figure, parameters
