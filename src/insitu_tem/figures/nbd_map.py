"""The map of a 2-D NBD scan as the NBD panel's Map tab shows it, exported (the named view
``nbd-map`` of ``insitu-tem export``): what the project's map shows (the panel state's
``map.quantity``; the virtual bright field by default, as the Map tab opens) on the scan's
axes with a scale bar in their units, a colour bar with the values' units, probes without a
value on grey and why under the map. :func:`nbd_map_shown` also gives what the export records
as provenance: the map's name, its levels and colour map, and the virtual detector (radii and
centre, px) or the known ring spacing it was drawn with, so that a reader can redraw it."""

from __future__ import annotations

import textwrap

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number, scan_place
from insitu_tem.analysis.diffraction.scan_virtual import NAMES, scan_virtual_images
from insitu_tem.core.model import DataError
from insitu_tem.core.session import Session
from insitu_tem.figures.frame import FrameView
from insitu_tem.figures.nbd_map_values import RING_D, VIRTUAL, map_values
from insitu_tem.figures.overlay_colours import PROBE
from insitu_tem.figures.session_data import require

CMAPS = {"grey": "CET-L1", "diverging": "CET-D1", "viridis": "viridis"}
"""The Map tab's colour maps (screen names)."""
NOTE_WIDTH = 60
"""Characters per line of the note under the map (wrapped before the layout measures it)."""
MISSING = "#808080"
"""Probes without a value (as the Map tab draws them: grey)."""
DEFAULT = VIRTUAL["BF"]
KNOWN_D_A = 2.238
"""The NBD panel's default known ring spacing, Å."""


def _scan_value(session: Session) -> dict | None:
    result = session.result("nbd")
    if result is None or session.result_status("nbd") != "current":
        return None
    return result.value


def _virtual(dataset, kind: str, saved: dict, value: dict | None) -> tuple[np.ndarray, str, dict]:
    """The ``kind`` virtual image (counts per probe) with the project's radii, its note and the
    detector drawn (provenance)."""
    patterns = np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])
    radii = {k: v for k, v in (saved.get("radii_px") or {}).items() if k == kind}
    images = scan_virtual_images(patterns, value=value, radii_px=radii, kinds=(kind,))
    inner, outer = images.radii_px[kind]
    span = f"{inner:.1f}–{outer:.1f} px" if inner > 0 else f"r < {outer:.1f} px"
    note = f"{NAMES[kind]}: counts at {span} from {images.centred_on}"
    if images.detector.reason:
        note += f" (no direct beam on the mean pattern: {images.detector.reason})"
    centre = "per probe" if images.per_probe else [float(v) for v in images.detector.centre_rc]
    detector = {
        "detector": kind,
        "detector_radii_px": [inner, outer],
        "detector_centre_rc_px": centre,
    }
    return images.counts[kind], note, detector


def nbd_map_view(session: Session) -> FrameView:
    """The NBD map of the session's 2-D scan (module docstring); raises DataError for a line
    scan, and for a measured quantity before the scan is analysed."""
    return nbd_map_shown(session)[0]


def nbd_map_shown(session: Session) -> tuple[FrameView, dict]:
    """The NBD map (:func:`nbd_map_view`) and what it shows, recorded with the export.

    Returns
    -------
    view : FrameView
        The map as the Map tab draws it.
    shown : dict
        ``map`` (its name on screen), ``map_units``, ``map_levels`` (colour-bar limits, in
        ``map_units``) and ``map_colour_map``; for a virtual image ``detector`` ("BF" or
        "ADF"), ``detector_radii_px`` ([inner, outer], pattern px) and
        ``detector_centre_rc_px`` ((row, col) px on the mean pattern, or "per probe": each
        probe's fitted beam centre); for the ring map ``known_d_A`` (Å).
    """
    dataset = require(session, "nbd")
    nav = dataset.navigation_axes
    if len(nav) != 2:
        raise DataError(
            "the NBD data is not a 2-D scan, so it has no map; export --view nbd or nbd-profile"
        )
    state = session.panel_state("nbd") or {}
    saved = state.get("map") or {}
    name = str(saved.get("quantity") or DEFAULT)
    value = _scan_value(session)
    kind = next((k for k, n in VIRTUAL.items() if n == name), None)
    if kind is not None:
        values, note, shown = _virtual(dataset, kind, saved, value)
        units, colours = "counts", "grey"
    elif value is None:
        raise DataError(
            f"the project's map shows {name!r}, which the NBD scan analysis measures: analyse "
            "the scan in the NBD panel and save the project first"
        )
    else:
        known = float(state.get("known_d", KNOWN_D_A))
        drawn = map_values(value, name, known_d_A=known)
        values, units, colours = drawn.values, drawn.units, drawn.colours
        note = drawn.note.replace(" (hover: ±1σ)", "").replace("; hover: ±1σ", "")
        shown = {"known_d_A": known} if name == RING_D else {}
    image = np.asarray(values, float).reshape(nav[0].size, nav[1].size)
    levels = _levels(image, colours)
    shown = {
        "map": name,
        "map_units": units,
        "map_levels": list(levels),
        "map_colour_map": CMAPS[colours],
        **shown,
    }
    view = FrameView(
        image,
        nav[0],
        nav[1],
        levels=levels,
        cmap=CMAPS[colours],
        colorbar=True,
        colorbar_label=f"{name} ({units})" if units else name,
        title=f"NBD map, probe {probe_number(session.probe)} circled",
        markers_rc=[(_probe_rc(session.probe, nav), PROBE)],
        missing_colour=MISSING,
        note=textwrap.fill(note, NOTE_WIDTH),
    )
    return view, shown


def probe_place(nav, index: int) -> str:
    """Where probe ``index`` lies in a scan of navigation axes ``nav``, for a title: the position
    along a line scan, "(row r, col c at x = …, y = …)" in a 2-D scan (row-major; positions when
    calibrated), "" for a single pattern."""
    if len(nav) != 2:
        return f" ({nav[0].to_value(index):.4g} {nav[0].units})" if nav else ""
    row, col = _probe_rc(index, nav)
    text = f" ({scan_place(row, col)}"
    if nav[1].calibrated:
        x, y = nav[1].to_value(col), nav[0].to_value(row)
        text += f" at x = {x:.4g} {nav[1].units}, y = {y:.4g} {nav[0].units}"
    return text + ")"


def _probe_rc(index: int, nav) -> tuple[int, int]:
    index = int(np.clip(index, 0, nav[0].size * nav[1].size - 1))
    return divmod(index, nav[1].size)


def _levels(image: np.ndarray, colours: str) -> tuple[float, float] | None:
    finite = image[np.isfinite(image)]
    if not finite.size:
        return (0.0, 1.0)
    if colours == "diverging":
        top = float(np.max(np.abs(finite))) or 1.0
        return (-top, top)
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)
