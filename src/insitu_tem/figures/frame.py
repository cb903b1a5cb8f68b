"""Render one calibrated frame with a scale bar, time stamp, colour bar and overlays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from insitu_tem.analysis.display import format_length, nice_length, percentile_levels
from insitu_tem.core.model import Axis
from insitu_tem.figures.colormaps import colormap

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class FrameView:
    """What a frame panel shows.

    Attributes
    ----------
    frame : numpy.ndarray
        2-D data (complex: modulus).
    row_axis, col_axis : Axis
        Calibration of rows and columns.
    levels : tuple of float or None
        Display black/white; None = 0.5/99.5 percentiles.
    cmap : str
        Colour map as the screen names it ("grey", "viridis", "CET-L8", ...; see
        :mod:`insitu_tem.figures.colormaps`).
    gamma : float
        Gamma the colour map is read through (as on screen; 1: linear).
    log : bool
        Show log(1 + value) (patterns, power spectra).
    time_s : float or None
        Time stamp drawn in the upper-left corner, s.
    bar_length : float or None
        Scale-bar length in calibrated units; None picks 1/2/5×10ⁿ near a fifth of the field.
    markers_rc : list of ((row, col), colour)
        Circles drawn on the frame, in pixels, each in its colour (as on screen).
    lines_rc : list of (((row0, col0), (row1, col1), ...), colour)
        Lines (two or more vertices) drawn on the frame, in pixels, each in its colour.
    curves_rc : list of (rows, cols, colour, label)
        Curves through (row, col) pixel positions (a front track on a kymograph), drawn as dots.
    colorbar : bool
        Add a colour bar.
    title : str
    axis_labels : (str, str) or None
        (row label, column label): draw labelled axes with free aspect instead of a
        scale bar (kymographs: time vs distance).
    note : str
        Text under the frame (the readout of the measuring tools drawn on it).
    colorbar_label : str
        Label of the colour bar (what the values are, with their units).
    missing_colour : str or None
        Colour of non-finite pixels (None: left blank).
    """

    frame: np.ndarray
    row_axis: Axis
    col_axis: Axis
    levels: tuple[float, float] | None = None
    cmap: str = "gray"
    gamma: float = 1.0
    log: bool = False
    time_s: float | None = None
    bar_length: float | None = None
    markers_rc: list = field(default_factory=list)
    lines_rc: list = field(default_factory=list)
    curves_rc: list = field(default_factory=list)
    colorbar: bool = False
    title: str = ""
    axis_labels: tuple[str, str] | None = None
    note: str = ""
    colorbar_label: str = ""
    missing_colour: str | None = None


def extent(
    row_axis: Axis, col_axis: Axis, shape: tuple[int, int]
) -> tuple[float, float, float, float]:
    """matplotlib extent (left, right, bottom, top) placing pixel centres at calibrated
    coordinates."""
    left = col_axis.offset - col_axis.scale / 2
    top = row_axis.offset - row_axis.scale / 2
    return left, left + col_axis.scale * shape[1], top + row_axis.scale * shape[0], top


def display_data(view: FrameView) -> np.ndarray:
    data = np.asarray(view.frame)
    data = np.abs(data) if np.iscomplexobj(data) else data.astype(np.float32)
    return np.log1p(np.clip(data, 0, None)) if view.log else data


def outline() -> list:
    """A black outline keeping white text legible on any image (matplotlib path effects)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2, foreground="black")]


def draw_scale_bar(ax: Axes, view: FrameView, field_width: float) -> float:
    """Draw the bar in data coordinates so its length is exact; return the length."""
    from matplotlib.patches import Rectangle

    length = view.bar_length or nice_length(field_width)
    left, right, bottom, top = extent(view.row_axis, view.col_axis, view.frame.shape)
    height = abs(bottom - top)
    thickness = 0.02 * height
    x1 = right - 0.05 * (right - left)
    y = bottom - 0.05 * height
    ax.add_patch(
        Rectangle(
            (x1 - length, y - thickness),
            length,
            thickness,
            facecolor="white",
            edgecolor="black",
            linewidth=0.5,
            zorder=5,
        )
    )
    ax.text(
        x1 - length / 2,
        y - thickness - 0.01 * height,
        format_length(length, view.col_axis.units),
        color="white",
        ha="center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        zorder=5,
        path_effects=outline(),
    )
    return length


def _values(axis: Axis, indices) -> np.ndarray:
    return axis.offset + axis.scale * np.asarray(indices, dtype=float)


def render_frame(ax: Axes, view: FrameView) -> dict:
    """Draw ``view`` into ``ax``; return what was drawn (scale-bar length, levels)."""
    data = display_data(view)
    levels = view.levels or percentile_levels(data)
    box = extent(view.row_axis, view.col_axis, data.shape)
    cmap = colormap(view.cmap, view.gamma)
    if view.missing_colour is not None:
        cmap = cmap.with_extremes(bad=view.missing_colour)
    image = ax.imshow(
        data,
        cmap=cmap,
        vmin=levels[0],
        vmax=levels[1],
        extent=box,
        interpolation="nearest",
        origin="upper",
        aspect="auto" if view.axis_labels else "equal",
    )
    drawn = {"levels": levels, "bar_length": None}
    if view.axis_labels:
        ax.set_ylabel(view.axis_labels[0])
        ax.set_xlabel(view.axis_labels[1])
    else:
        ax.set_axis_off()
    if view.col_axis.calibrated and not view.axis_labels:
        drawn["bar_length"] = draw_scale_bar(ax, view, box[1] - box[0])
    if view.time_s is not None:
        ax.text(
            box[0] + 0.03 * (box[1] - box[0]),
            box[3] + 0.04 * (box[2] - box[3]),
            f"t = {view.time_s:.2f} s",
            color="white",
            ha="left",
            va="top",
            fontsize=9,
            fontweight="bold",
            path_effects=outline(),
        )
    for (row, col), colour in view.markers_rc:
        ax.plot(
            view.col_axis.to_value(col),
            view.row_axis.to_value(row),
            "o",
            mfc="none",
            mec=colour,
            ms=8,
        )
    for line, colour in view.lines_rc:
        rows, cols = np.asarray(line, dtype=float).reshape(-1, 2).T
        ax.plot(
            _values(view.col_axis, cols), _values(view.row_axis, rows), "-", color=colour, lw=1.5
        )
    for rows, cols, colour, label in view.curves_rc:
        ax.plot(
            _values(view.col_axis, cols),
            _values(view.row_axis, rows),
            ".",
            color=colour,
            ms=3,
            label=label,
        )
    if view.curves_rc:
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    if view.title:
        ax.set_title(view.title, fontsize=10)
    if view.note:
        ax.text(
            0.0,
            -0.02,
            view.note,
            transform=ax.transAxes,
            fontsize=6,
            va="top",
            ha="left",
            wrap=True,
        )
    if view.colorbar:
        ax.set_anchor("E")  # the image beside its colour bar, not across the axes' box
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
        if view.colorbar_label:
            bar.set_label(view.colorbar_label, fontsize=8)
    return drawn
