"""Tomography figure: XY, XZ and YZ slices through the cursor with calibrated scale bars, the
missing wedge drawn on XZ, label outlines, optionally a volume rendering beside them and, when
the volume was segmented, a row with the shell-thickness map, its histogram and the radial
profile on calibrated axes. :func:`session_tomo_view` makes the view of a saved project (the
named view ``tomo`` of ``insitu-tem export``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from insitu_tem.analysis.display import format_length, nice_length
from insitu_tem.analysis.tomo.render import missing_wedge_deg, render_volume

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_PLANES = ("XY", "XZ", "YZ")


@dataclass(frozen=True)
class TomoView:
    """What the figure shows (volume (z, y, x), voxel size in ``units``, cursor (z, y, x)); the
    stored alignment (session result ``tomo.alignment``'s value) gives the tilt axis recorded."""

    volume: np.ndarray
    cursor: tuple[int, int, int]
    voxel_size: float = 1.0
    units: str = "px"
    tilts_deg: tuple[float, ...] = ()
    labels: np.ndarray | None = None
    rendering_angle_deg: float | None = None
    rendering_mode: str = "mip"
    measurement: dict | None = None
    alignment: dict | None = None


_AXIS_KEYS = (
    "tilt_axis_angle_deg",
    "tilt_axis_angle_sigma_deg",
    "tilt_axis_method",
    "tilt_axis_offset_px",
    "tilt_axis_offset_sigma_px",
)


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


def _slices_row(figure, axes, view: TomoView) -> None:
    shown = planes(view.volume, view.cursor)
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
    if view.rendering_angle_deg is not None:
        image = render_volume(view.volume, view.rendering_angle_deg, mode=view.rendering_mode)
        axes[3].imshow(image, cmap="gray", interpolation="nearest")
        _scale_bar(axes[3], image.shape[1], image.shape[0], view)
        axes[3].set_title(
            f"{view.rendering_mode.upper()} {view.rendering_angle_deg:+.0f}°", fontsize=9
        )
        axes[3].set_axis_off()


def _measurement_row(figure, axes, view: TomoView) -> None:
    value, voxel, units = view.measurement, view.voxel_size, view.units
    thickness = np.asarray(value.get("thickness_map_px", []), float) * voxel
    if thickness.ndim == 2 and thickness.size:
        image = axes[0].imshow(
            thickness,
            aspect="auto",
            origin="lower",
            extent=(0.0, 360.0, 0.0, thickness.shape[0] * voxel),
            cmap="viridis",
        )
        figure.colorbar(image, ax=axes[0], label=f"shell thickness ({units})")
    axes[0].set_xlabel("angle about the wire axis (°)")
    axes[0].set_ylabel(f"position along the wire ({units})")
    histogram = value["thickness_histogram"]
    edges = np.asarray(histogram["edges_px"], float) * voxel
    counts = np.asarray(histogram["counts"], float)
    if counts.size:
        axes[1].stairs(counts, edges, fill=True, color="tab:blue", alpha=0.6)
    median = value.get("shell_thickness_px", float("nan")) * voxel
    sigma = value.get("shell_thickness_sigma_px", float("nan")) * voxel
    spread = f" ± {sigma:.2g}" if np.isfinite(sigma) else ""
    title = f"median {median:.3g}{spread} {units}"
    if "void_fraction_shell" in value:
        voids = value["void_fraction_shell"]
        voids = np.nan if voids is None else 100 * float(voids)
        title += f"; voids {voids:.2f} % of shell" if np.isfinite(voids) else "; voids not measured"
    if not value.get("shell_thickness_ok", True):
        title = "no core–shell wire: thickness not measured"
    axes[1].set_title(title, fontsize=8)
    axes[1].set_xlabel(f"shell thickness ({units})")
    axes[1].set_ylabel("rays")
    radial = value["radial_profile"]
    axes[2].plot(np.asarray(radial["radius_px"], float) * voxel, radial["mean"], color="k")
    axes[2].set_xlabel(f"distance from the wire axis ({units})")
    axes[2].set_ylabel("mean intensity")
    for ax in axes[3:]:
        ax.set_axis_off()


def render_tomo(view: TomoView, *, dpi: int = 300) -> tuple[Figure, dict]:
    """The figure and the parameters to record as provenance."""
    from matplotlib.figure import Figure

    extra = view.rendering_angle_deg is not None
    measured = view.measurement is not None
    columns = max(3 + extra, 3)
    figure = Figure(figsize=(3.0 * columns, 3.2 * (1 + measured)), dpi=dpi)
    axes = np.atleast_2d(figure.subplots(1 + measured, columns))
    _slices_row(figure, axes[0], view)
    if measured:
        _measurement_row(figure, axes[1], view)
    figure.tight_layout()
    parameters = {
        "cursor_zyx": [int(v) for v in view.cursor],
        "voxel_size": view.voxel_size,
        "units": view.units,
        "shape_zyx": list(view.volume.shape),
        "rendering_angle_deg": view.rendering_angle_deg,
        "rendering_mode": view.rendering_mode if extra else None,
        "missing_wedge_deg": list(missing_wedge_deg(view.tilts_deg)) if view.tilts_deg else None,
        "shell_thickness": (
            view.measurement["shell_thickness_px"] * view.voxel_size if measured else None
        ),
    }
    if view.alignment is not None:
        parameters.update({k: view.alignment.get(k) for k in _AXIS_KEYS})
    return figure, parameters


def session_tomo_view(session, project_dir, options: dict | None = None) -> TomoView:
    """The tomography view of a saved project: the volumes and labels written beside it, the
    channel, cursor and rendering angle on screen, the stored measurements (``options`` may
    override ``channel``, ``cursor_zyx`` and ``rendering_angle_deg``)."""
    from insitu_tem.core.model import DataError
    from insitu_tem.io.tomo_files import read_project_volumes

    options = dict(options or {})
    files = session.panel_state("tomo").get("files")
    if not files:
        raise DataError(
            "the project holds no tomography volumes; reconstruct in the Tomography panel and save"
        )
    if project_dir is None:
        raise DataError(
            "the tomography view reads the volumes saved beside the project: use the Tomography "
            "panel's Export Figure…, or insitu-tem export PROJECT --view tomo"
        )
    saved = read_project_volumes(project_dir, files)
    channel = options.get("channel") or session.view("tomo.channel", None)
    channel = channel if channel in saved.volumes else next(iter(saved.volumes))
    volume = saved.volumes[channel]
    cursor = options.get("cursor_zyx") or session.view("tomo.cursor", None)
    cursor = [s // 2 for s in volume.shape] if cursor is None else cursor
    cursor = tuple(int(np.clip(c, 0, s - 1)) for c, s in zip(cursor, volume.shape))
    stored = session.result("tomo.segmentation")
    alignment = session.result("tomo.alignment")
    angle = options.get("rendering_angle_deg", session.view("tomo.rendering_angle", 0))
    return TomoView(
        volume,
        cursor,
        voxel_size=saved.voxel_size,
        units=saved.units,
        tilts_deg=() if alignment is None else tuple(alignment.value["tilts_deg"]),
        labels=saved.labels
        if saved.labels is not None and saved.labels.shape == volume.shape
        else None,
        rendering_angle_deg=float(angle),
        rendering_mode=session.view("tomo.rendering_mode", "mip"),
        measurement=None if stored is None else stored.value,
        alignment=None if alignment is None else alignment.value,
    )
