"""The EELS panel's spectrum as an exported figure draws it: the counts at the session's probe,
the background fitted under the edge, a dotted line at every line of the marked edges
(:func:`~insitu_tem.figures.eels_markers.marked_edges`: the chosen edge's element, the project's
elements and those of the edges detected in the data) with the chosen edge in colour, and the
edge's background and signal windows shaded as on screen."""

from __future__ import annotations

import numpy as np

from insitu_tem.figures.probe_numbers import probe_number
from insitu_tem.core.model import Dataset
from insitu_tem.core.session import Session
from insitu_tem.figures.compose import ProfileView
from insitu_tem.figures.eds_display import xray_spectrum_view
from insitu_tem.figures.eels_display import (
    background_curve,
    is_aligned,
    session_value,
    shown_edge,
    shown_spectrum,
)
from insitu_tem.figures.eels_markers import edge_lines, marked_edges, project_elements
from insitu_tem.figures.session_data import require
from insitu_tem.io.kinds import is_xray_spectrum

CHOSEN_COLOUR, OTHER_COLOUR = "#d62728", "#7f7f7f"
"""Marker colours: the chosen edge's lines, every other edge's."""
BACKGROUND_COLOUR, SIGNAL_COLOUR = "#4682ff", "#ff9628"
"""Shading of the background and signal windows (the panel's blue and orange)."""


def edge_markers(
    session: Session, dataset: Dataset, edge: str | None, within: tuple[float, float]
) -> list[tuple[float, str, str, str]]:
    """(energy eV, "O K", colour, matplotlib style) of every line of the edges the panel marks,
    within (low, high) eV."""
    from insitu_tem.analysis.eels import EDGES
    from insitu_tem.analysis.eels.edge_choice import detected_edges

    elements = project_elements(session.view("eels.elements"), dataset.metadata)
    elements += [EDGES[name].element for name in detected_edges(dataset)]
    edges = marked_edges(*within, edge=edge, elements=elements)
    return [
        (energy, name, CHOSEN_COLOUR if chosen else OTHER_COLOUR, ":")
        for energy, name, chosen in edge_lines(edges, edge, within)
    ]


def edge_windows(
    parameters: dict, value: dict | None, edge: str | None
) -> list[tuple[str, float, float, str]]:
    """("background" / "signal", low eV, high eV, colour) of the chosen edge's windows: the
    user's (``parameters``, the session's "eels" parameters) or those the result ``value``
    used; none without an edge."""
    if edge is None:
        return []
    value = value or {}
    windows = (
        ("background", parameters.get("background") or value.get("background_window_eV")),
        ("signal", parameters.get("window") or value.get("signal_window_eV")),
    )
    colours = {"background": BACKGROUND_COLOUR, "signal": SIGNAL_COLOUR}
    return [
        (name, float(window[0]), float(window[1]), colours[name])
        for name, window in windows
        if window is not None
    ]


def spectrum_view(session: Session) -> ProfileView:
    """The EELS spectrum at the session's probe as on screen: ZLP-aligned or as recorded
    (``eels.aligned``), with the background fitted under the edge, log or linear, in the view's
    energy range; X-ray (EDS) spectra as the panel shows them (:mod:`.eds_display`)."""
    dataset = require(session, "eels")
    if is_xray_spectrum(dataset):
        return xray_spectrum_view(session, dataset)
    index = min(session.probe, dataset.n_items - 1)
    energy = dataset.signal_axes[0]
    value, aligned = session_value(session), bool(session.view("eels.aligned"))
    x, y = energy.coordinates(), shown_spectrum(dataset, value, index, aligned=aligned)
    curve = background_curve(value, x, index, aligned=aligned)
    window = session.view("eels.energy_range")
    if window:
        keep = (x >= float(window[0])) & (x <= float(window[1]))
        x, y = x[keep], y[keep]
    log = bool(session.view("eels.log"))
    if log:
        y = np.where(y > 0, y, np.nan)
    lines = [] if curve is None else [("background", curve[0], curve[1], "-")]
    state = "aligned" if aligned and is_aligned(value) else "as recorded"
    edge, within = shown_edge(session, dataset), (float(x[0]), float(x[-1]))
    return ProfileView(
        x,
        [("", y, None)],
        x_label=f"Energy loss ({energy.units})",
        y_label=f"Counts ({state})",
        title=f"EELS, probe {probe_number(index)}",
        log_y=log,
        lines=lines,
        labelled_markers=edge_markers(session, dataset, edge, within),
        spans=edge_windows(session.parameters("eels"), value, edge),
    )
