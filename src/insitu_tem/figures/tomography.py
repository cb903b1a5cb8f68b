"""Tomography figure: XY, XZ and YZ slices through the cursor with calibrated scale bars, the
missing wedge drawn on XZ, label outlines, and optionally a volume rendering beside them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from insitu_tem.analysis.display import format_length, nice_length
from insitu_tem.analysis.tomo.render import missing_wedge_deg, render_volume

_PLANES = ("XY", "XZ", "YZ")


@dataclass(frozen=True)
class TomoView:
    """What the figure shows (volume (z, y, x), voxel size in ``units``, cursor (z, y, x))."""

    volume: np.ndarray
    cursor: tuple[int, int, int]
    voxel_size: float = 1.0
    units: str = "px"
    tilts_deg: tuple[float, ...] = ()
    labels: np.ndarray | None = None
    rendering_angle_deg: float | None = None
    rendering_mode: str = "mip"


def planes(volume: np.ndarray, cursor) -> dict[str, np.ndarray]:
    """XY (y, x) at z, XZ (z, x) at y, YZ (z, y) at x."""
    z, y, x = cursor
    return {"XY": volume[z], "XZ": volume[:, y, :], "YZ": volume[:, :, x]}


def _scale_bar(ax, width_px: int, rows_px: int, view: TomoView) -> None:
    length = nice_length(width_px * view.voxel_size)
    bar = length / view.voxel_size
    x0, y0 = 0.05 * width_px, 0.92 * rows_px
    ax.plot([x0, x0 + bar], [y0, y0], color="white", linewidth=3, solid_capstyle="butt")
    ax.text(
        x0 + bar / 2,
        y0 - 0.03 * rows_px,
        format_length(length, view.units),
        color="white",
        ha="center",
        va="bottom",
        fontsize=7,
    )


def _wedge(ax, plane: np.ndarray, tilts) -> None:
    rows, cols = plane.shape
    centre = np.array([(rows - 1) / 2, (cols - 1) / 2])
    reach = 0.5 * min(rows, cols)
    for angle in np.deg2rad(missing_wedge_deg(tilts)):
        for sign in (1, -1):
            end = centre + sign * reach * np.array([np.cos(angle), np.sin(angle)])
            ax.plot(
                [centre[1], end[1]],
                [centre[0], end[0]],
                color="yellow",
                linewidth=0.8,
                linestyle="--",
            )


def render_tomo(view: TomoView, *, dpi: int = 300) -> tuple[Figure, dict]:
    """The figure and the parameters to record as provenance."""
    shown = planes(view.volume, view.cursor)
    extra = view.rendering_angle_deg is not None
    figure = Figure(figsize=(3.0 * (3 + extra), 3.2), dpi=dpi)
    axes = figure.subplots(1, 3 + extra)
    low, high = np.percentile(view.volume, [0.5, 99.5])
    for ax, name in zip(axes, _PLANES):
        plane = shown[name]
        ax.imshow(plane, cmap="gray", vmin=low, vmax=max(high, low + 1e-6), interpolation="nearest")
        if view.labels is not None:
            ax.contour(
                planes(view.labels, view.cursor)[name],
                levels=[0.5, 1.5, 2.5],
                colors=["cyan", "orange", "lime"],
                linewidths=0.6,
            )
        if name == "XZ" and view.tilts_deg:
            _wedge(ax, plane, view.tilts_deg)
        _scale_bar(ax, plane.shape[1], plane.shape[0], view)
        ax.set_title(name, fontsize=9)
        ax.set_axis_off()
    if extra:
        image = render_volume(view.volume, view.rendering_angle_deg, mode=view.rendering_mode)
        axes[-1].imshow(image, cmap="gray", interpolation="nearest")
        _scale_bar(axes[-1], image.shape[1], image.shape[0], view)
        axes[-1].set_title(
            f"{view.rendering_mode.upper()} {view.rendering_angle_deg:+.0f}°", fontsize=9
        )
        axes[-1].set_axis_off()
    figure.tight_layout()
    parameters = {
        "cursor_zyx": [int(v) for v in view.cursor],
        "voxel_size": view.voxel_size,
        "units": view.units,
        "shape_zyx": list(view.volume.shape),
        "rendering_angle_deg": view.rendering_angle_deg,
        "rendering_mode": view.rendering_mode if extra else None,
        "missing_wedge_deg": list(missing_wedge_deg(view.tilts_deg)) if view.tilts_deg else None,
    }
    return figure, parameters
