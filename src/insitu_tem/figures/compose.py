"""Multi-panel figures: frames and profiles in a grid with panel letters."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from insitu_tem.figures.frame import FrameView, render_frame

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class ProfileView:
    """A line plot panel (spectrum, profile vs position, kinetics).

    Attributes
    ----------
    x : numpy.ndarray
    curves : list of (label, y, yerr or None)
    x_label, y_label : str
        Axis labels with units, e.g. "Energy loss (eV)".
    markers_x : list of float
        Vertical lines (e.g. the front position, an energy cursor).
    title : str
    log_y : bool
    lines : list of (label, x, y, fmt) or (label, x, y, fmt, colour)
        Extra curves on their own x (a fit on a fine grid: fmt "-"; manual marks: "x"), in
        ``colour`` when given (as on screen).
    points : bool
        Draw ``curves`` without error bars as dots (measured values) instead of lines.
    note : str
        Text in the upper-left corner (fit parameters with their 1σ).
    note_right : bool
        Write ``note`` at the right edge, half-way up, instead (where an EDS spectrum has
        neither lines nor counts).
    bands : list of (label, x, low, high)
        Shaded ranges on their own x (a fitted curve's ±1σ).
    labelled_markers : list of (x, label, colour, style)
        Vertical lines named at their top ("" for none: drawn fainter), in a colour and
        matplotlib line style (the X-ray lines identified on an EDS spectrum).
    spans : list of (label, low x, high x, colour)
        Shaded x ranges over the whole height (an EELS edge's background and signal windows).
    """

    x: np.ndarray
    curves: list = field(default_factory=list)
    x_label: str = ""
    y_label: str = ""
    markers_x: list = field(default_factory=list)
    title: str = ""
    log_y: bool = False
    lines: list = field(default_factory=list)
    note: str = ""
    note_right: bool = False
    points: bool = False
    bands: list = field(default_factory=list)
    labelled_markers: list = field(default_factory=list)
    spans: list = field(default_factory=list)


def render_profile(ax, view: ProfileView) -> dict:
    for label, low, high, colour in view.spans:
        ax.axvspan(low, high, color=colour, alpha=0.18, lw=0, label=f"{label} window")
    for label, y, yerr in view.curves:
        if yerr is None:
            ax.plot(view.x, y, "o" if view.points else "-", lw=1.2, ms=3, label=label)
        else:
            ax.errorbar(view.x, y, yerr=yerr, lw=1.0, capsize=2, marker="o", ms=3, label=label)
    for label, x, low, high in view.bands:
        ax.fill_between(x, low, high, color="#d4a000", alpha=0.25, lw=0, label=label)
    for label, x, y, fmt, *colour in view.lines:
        default = "#d4a000" if fmt == "-" else "#d62728"
        ax.plot(x, y, fmt, lw=1.5, ms=6, color=colour[0] if colour else default, label=label)
    if view.note and view.note_right:
        ax.text(0.98, 0.55, view.note, transform=ax.transAxes, fontsize=7, va="center", ha="right")
    elif view.note:
        ax.text(0.02, 0.98, view.note, transform=ax.transAxes, fontsize=7, va="top", ha="left")
    for x in view.markers_x:
        ax.axvline(x, color="#d62728", lw=1.0, ls="--")
    _draw_labelled_markers(ax, view.labelled_markers)
    ax.set_xlabel(view.x_label)
    ax.set_ylabel(view.y_label)
    if view.log_y:
        ax.set_yscale("log")
    if view.title:
        ax.set_title(view.title, fontsize=10)
    if len(view.curves) + len(view.lines) + len(view.bands) > 1:
        ax.legend(fontsize=8, frameon=False)
    return {}


LABEL_ROWS = (0.98, 0.72, 0.46)
"""Heights (axes fraction) at which marker names are written, the next one down where a name
would overlap one written before."""
LABEL_SPACING = 0.015
"""Least distance between two names written at one height, as a fraction of the x range."""


def _draw_labelled_markers(ax, markers: list) -> None:
    from matplotlib.transforms import blended_transform_factory

    if not markers:
        return
    low, high = ax.get_xlim()
    spacing = LABEL_SPACING * (high - low)
    written: dict[float, list[float]] = {row: [] for row in LABEL_ROWS}
    at_top = blended_transform_factory(ax.transData, ax.transAxes)
    for x, label, colour, style in sorted(markers, key=lambda m: (not m[1], m[0])):
        ax.axvline(x, color=colour, lw=0.8, ls=style, alpha=1.0 if label else 0.4)
        if not label:
            continue
        free = [r for r in LABEL_ROWS if all(abs(x - w) >= spacing for w in written[r])]
        row = free[0] if free else LABEL_ROWS[-1]
        written[row].append(x)
        ax.text(
            x,
            row,
            label,
            transform=at_top,
            rotation=90,
            va="top",
            ha="right",
            fontsize=6,
            color=colour,
        )


def compose(
    panels: list, *, columns: int = 2, width_mm: float = 180.0, dpi: int = 300, letters: bool = True
) -> tuple[Figure, list[dict]]:
    """Arrange FrameView/ProfileView panels in a grid; label them a, b, c...

    Parameters
    ----------
    panels : list of FrameView or ProfileView
    columns : int
        Panels per row.
    width_mm : float
        Figure width (journal column widths: 85 or 180 mm).
    """
    from matplotlib.figure import Figure

    if not panels:
        raise ValueError("a figure needs at least one panel")
    rows = -(-len(panels) // columns)
    width_in = width_mm / MM_PER_INCH
    figure = Figure(
        figsize=(width_in, width_in / columns * rows * 0.9), dpi=dpi, layout="constrained"
    )
    drawn = []
    for index, panel in enumerate(panels):
        ax = figure.add_subplot(rows, columns, index + 1)
        drawn.append(
            render_frame(ax, panel) if isinstance(panel, FrameView) else render_profile(ax, panel)
        )
        if letters:
            framed = isinstance(panel, ProfileView) or getattr(panel, "axis_labels", None)
            ax.text(
                -0.2 if framed else -0.02,
                1.02,
                string.ascii_lowercase[index],
                transform=ax.transAxes,
                fontsize=12,
                fontweight="bold",
                va="bottom",
                ha="right",
            )
    return figure, drawn
