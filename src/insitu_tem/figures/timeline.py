"""A timeline figure: movie frames at chosen times, the kymograph with time running across, and
holder-log traces (charge passed, current, bias…) below it on the same time axis.

Dashed lines mark the frames' times on the kymograph and on every trace, so a reader sees what
the holder did when each frame was taken.
"""

from __future__ import annotations

import string

import numpy as np
from matplotlib.figure import Figure

from insitu_tem.analysis.timeline.frames import FrameTimeline
from insitu_tem.core.holder_log import HolderLog
from insitu_tem.figures.compose import MM_PER_INCH
from insitu_tem.figures.frame import FrameView, render_frame
from insitu_tem.figures.colormaps import colormap

CHARGE = "charge passed"
SI_PREFIXES = ((1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""))


def timeline_figure(
    frames: list[FrameView],
    kymograph: FrameView,
    log: HolderLog,
    timeline: FrameTimeline,
    *,
    channels: list[str] | None = None,
    derived: dict | None = None,
    width_mm: float = 180.0,
    dpi: int = 300,
) -> Figure:
    """Render frames, kymograph and traces with one time axis.

    Parameters
    ----------
    frames : list of FrameView
        Movie frames at chosen times (each with ``time_s`` set).
    kymograph : FrameView
        Kymograph (rows: time, columns: distance along the line), as drawn by the kymograph view.
    log : HolderLog
        The holder log.
    timeline : FrameTimeline
        The log placed on the movie's frames (charge and clock offset).
    channels : list of str, optional
        Traces to draw: ``"charge passed"``, log channel names and names in ``derived``. Default:
        the charge (when a current was logged), every channel in volts and every derived trace.
    derived : dict, optional
        Traces computed from the session on the movie's time axis, e.g. ``{"cumulative dose":
        (units, time_s, values, sigma or None)}``.
    """
    derived = derived or {}
    if channels is None:
        channels = _default_channels(log, timeline) + list(derived)
    unknown = [c for c in channels if c != CHARGE and c not in log.channels and c not in derived]
    if unknown:
        raise ValueError(
            f"no channel {unknown[0]!r} in the log; channels: {', '.join(log.channels)}"
        )
    columns = max(len(frames), 1)
    width_in = width_mm / MM_PER_INCH
    heights = [width_in / columns, width_in * 0.28] + [width_in * 0.13] * len(channels)
    figure = Figure(figsize=(width_in, sum(heights) * 1.15), dpi=dpi, layout="constrained")
    grid = figure.add_gridspec(len(heights), columns, height_ratios=heights)
    for index, frame in enumerate(frames):
        render_frame(figure.add_subplot(grid[0, index]), frame)
    kymo_ax = figure.add_subplot(grid[1, :])
    times = [frame.time_s for frame in frames if frame.time_s is not None]
    _draw_kymograph(kymo_ax, kymograph, times)
    axes = [kymo_ax]
    for row, name in enumerate(channels, start=2):
        ax = figure.add_subplot(grid[row, :], sharex=kymo_ax)
        _draw_trace(ax, name, log, timeline, times, derived)
        axes.append(ax)
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel(f"Movie time ({kymograph.row_axis.units})")
    for letter, ax in zip(string.ascii_lowercase, [figure.axes[0], kymo_ax, *axes[1:]]):
        ax.text(
            -0.02,
            1.02,
            letter,
            transform=ax.transAxes,
            fontsize=12,
            fontweight="bold",
            va="bottom",
            ha="right",
        )
    return figure


def _default_channels(log: HolderLog, timeline: FrameTimeline) -> list[str]:
    chosen = [CHARGE] if timeline.current_channel else []
    if timeline.current_channel:
        chosen.append(timeline.current_channel)
    return chosen + [name for name, c in log.channels.items() if c.units == "V"]


def _draw_kymograph(ax, view: FrameView, times: list[float]) -> None:
    image = np.asarray(view.frame, dtype=float).T
    t_axis, d_axis = view.row_axis, view.col_axis
    t0, t1 = t_axis.to_value(-0.5), t_axis.to_value(t_axis.size - 0.5)
    d0, d1 = d_axis.to_value(-0.5), d_axis.to_value(d_axis.size - 0.5)
    levels = view.levels or tuple(np.nanpercentile(image, [0.5, 99.5]))
    ax.imshow(
        image,
        cmap=colormap(view.cmap, view.gamma),
        vmin=levels[0],
        vmax=levels[1],
        origin="lower",
        extent=(t0, t1, d0, d1),
        aspect="auto",
        interpolation="nearest",
    )
    for rows, cols, colour, label in view.curves_rc:
        ax.plot(
            t_axis.offset + t_axis.scale * np.asarray(rows, float),
            d_axis.offset + d_axis.scale * np.asarray(cols, float),
            ".",
            color=colour,
            ms=2.5,
            label=label,
        )
    for time in times:
        ax.axvline(time, color="white", lw=0.8, ls="--")
    ax.set_ylabel(f"Along line ({d_axis.units})")
    ax.set_title("Kymograph", fontsize=9, loc="left")


def _draw_trace(
    ax, name: str, log: HolderLog, timeline: FrameTimeline, times: list[float], derived: dict
) -> None:
    if name == CHARGE:
        x, y, sigma, units = timeline.frame_time_s, timeline.charge_C, timeline.charge_sigma_C, "C"
    elif name in derived:
        units, x, y, sigma = derived[name]
        x, y = np.asarray(x, float), np.asarray(y, float)
        sigma = None if sigma is None else np.asarray(sigma, float)
    else:
        shift = float(np.nanmedian(timeline.log_time_s - timeline.frame_time_s))
        x, y, sigma, units = (
            log.time_s - shift,
            log.channels[name].values,
            None,
            log.channels[name].units,
        )
    scale, prefix = _si_scale(y, units)
    ax.plot(x, y / scale, lw=1.0, color="#1f77b4")
    if sigma is not None:
        ax.fill_between(
            x, (y - sigma) / scale, (y + sigma) / scale, color="#1f77b4", alpha=0.25, lw=0
        )
    for time in times:
        ax.axvline(time, color="#888888", lw=0.8, ls="--")
    for note in log.notes:
        ax.axvline(
            note.time_s - (timeline.log_time_s[0] - timeline.frame_time_s[0]),
            color="#d62728",
            lw=0.6,
        )
    ax.set_ylabel(f"{name}\n({prefix}{units})" if units else name, fontsize=7)


def _si_scale(values: np.ndarray, units: str) -> tuple[float, str]:
    if units not in ("A", "C", "V"):
        return 1.0, ""
    peak = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    scale, prefix = 1.0, ""
    for factor, name in SI_PREFIXES:
        if peak >= factor:
            scale, prefix = factor, name
    return scale, prefix
