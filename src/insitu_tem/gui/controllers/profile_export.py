"""CSV export of every profile plotted against scan position (EELS and NBD results)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyqtgraph as pg


def _plot_item(plot) -> pg.PlotItem:
    return plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot


def _plot_name(item: pg.PlotItem, index: int) -> str:
    title = item.titleLabel.text if item.titleLabel is not None else ""
    label = item.getAxis("left").labelText
    return (title or label or f"profile {index + 1}").strip()


def profile_columns(plots) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """Position (x of the first curve) and one column per plotted curve with the same length."""
    position, columns = None, {}
    for index, plot in enumerate(plots):
        item = _plot_item(plot)
        for curve in item.listDataItems():
            x, y = curve.getData()
            if x is None or len(x) == 0:
                continue
            if position is None:
                position = np.asarray(x, dtype=float)
            if len(x) != len(position):
                continue
            name = _plot_name(item, index) + (f": {curve.name()}" if curve.name() else "")
            columns[name if name not in columns else f"{name} ({len(columns)})"] = np.asarray(
                y, dtype=float
            )
        if position is not None:
            columns.update(_error_bar_columns(item, index, position))
    return position, columns


def _error_bar_columns(
    item: pg.PlotItem, index: int, position: np.ndarray
) -> dict[str, np.ndarray]:
    """Half the height of each error-bar item (the ±1σ drawn) at the positions, NaN where none is
    drawn."""
    columns = {}
    for bars in (child for child in item.items if isinstance(child, pg.ErrorBarItem)):
        x, height = bars.opts.get("x"), bars.opts.get("height")
        if x is None or height is None or len(x) == 0:
            continue
        sigma = np.full(len(position), np.nan)
        matches = np.abs(position[:, None] - np.asarray(x, float)[None, :]) <= 1e-9 * max(
            np.ptp(position), 1.0
        )
        rows, cols = np.nonzero(matches)
        sigma[rows] = np.asarray(height, float)[cols] / 2
        columns[f"{_plot_name(item, index)}: ±1σ"] = sigma
    return columns


def write_profiles_csv(plots, path: str | Path, *, position_units: str = "nm") -> int:
    """Write the profiles to CSV; return the number of data columns (0: nothing plotted)."""
    position, columns = profile_columns(plots)
    if position is None or not columns:
        return 0
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([f"position ({position_units})"] + list(columns))
        for i, x in enumerate(position):
            writer.writerow([f"{x:.6g}"] + [f"{values[i]:.6g}" for values in columns.values()])
    return len(columns)
