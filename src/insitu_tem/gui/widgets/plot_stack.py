"""Plots stacked on one shared x axis, readable in a short dock: the same left-axis width (so
their x axes line up), tick values only under the bottom plot, and a height below which a
rotated axis label would be clipped is never given."""

from __future__ import annotations

import pyqtgraph as pg

LEFT_AXIS_PX = 58
"""Width of every left axis: tick values and the rotated label."""

MIN_PLOT_HEIGHT_PX = 80
"""Smallest plot height at which the rotated axis label and a few ticks still fit."""


def tidy_stack(
    plots: list[pg.PlotWidget], *, shared_x: bool = True, bottom_height_px: int = 36
) -> None:
    """Line up ``plots`` (top to bottom). With ``shared_x`` only the bottom one keeps its x tick
    values, and it is ``bottom_height_px`` taller so its data area matches the others'."""
    for plot in plots:
        plot.getAxis("left").setWidth(LEFT_AXIS_PX)
        plot.setMinimumHeight(MIN_PLOT_HEIGHT_PX + (0 if shared_x else bottom_height_px))
    if not shared_x:
        return
    for plot in plots[:-1]:
        plot.getAxis("bottom").setStyle(showValues=False)
        plot.getAxis("bottom").setHeight(8)
    plots[-1].setMinimumHeight(MIN_PLOT_HEIGHT_PX + bottom_height_px)
