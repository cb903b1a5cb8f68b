"""Export a movie (or a frame range) to MP4 or GIF with time stamp and scale bar burned in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from insitu_tem.analysis.display import percentile_levels
from insitu_tem.core.model import Axis, Dataset
from insitu_tem.figures.export import frame_figure
from insitu_tem.figures.frame import FrameView
from insitu_tem.io.outputs import output_file

MOVIE_FORMATS = (".mp4", ".gif")


def _cropped(dataset: Dataset, crop) -> tuple[tuple[slice, slice], Axis, Axis]:
    row, col = dataset.signal_axes
    if crop is None:
        return (slice(None), slice(None)), row, col
    r0, c0, r1, c1 = (int(v) for v in crop)
    r0, r1 = max(r0, 0), min(r1, row.size)
    c0, c1 = max(c0, 0), min(c1, col.size)
    if r1 - r0 < 2 or c1 - c0 < 2:
        raise ValueError(
            "the crop holds fewer than 2 × 2 pixels of the movie; draw a larger region"
        )
    return (
        (slice(r0, r1), slice(c0, c1)),
        replace(row, size=r1 - r0, offset=row.to_value(r0)),
        replace(col, size=c1 - c0, offset=col.to_value(c0)),
    )


def render_rgb_frames(
    dataset: Dataset,
    indices,
    *,
    zoom: float = 1.0,
    cmap: str | None = None,
    gamma: float = 1.0,
    levels: tuple[float, float] | None = None,
    crop: tuple[int, int, int, int] | None = None,
):
    """Yield each frame rendered with overlays as an (rows, cols, 3) uint8 array, in the colour
    map, gamma and levels given (as on screen; levels None: percentiles of the first frame),
    cropped to ``crop`` = (row0, col0, row1, col1) px, end exclusive."""
    region, row, col = _cropped(dataset, crop)
    levels = tuple(levels) if levels else percentile_levels(dataset.frame(indices[0])[region])
    for index in indices:
        time = dataset.axes[0].to_value(index) if dataset.axes[0].units == "s" else None
        view = FrameView(
            dataset.frame(index)[region],
            row,
            col,
            levels=levels,
            cmap=cmap or "gray",
            gamma=gamma,
            time_s=time,
        )
        figure, _ = frame_figure(
            view,
            pixels_per_image_pixel=zoom,
            dpi=100,
        )
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        yield np.asarray(canvas.buffer_rgba())[..., :3].copy()
        figure.clf()


def export_movie(
    dataset: Dataset,
    path: str | Path,
    *,
    fps: float = 10.0,
    start: int = 0,
    stop: int | None = None,
    step: int = 1,
    zoom: float = 1.0,
    cmap: str | None = None,
    gamma: float = 1.0,
    levels: tuple[float, float] | None = None,
    crop: tuple[int, int, int, int] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """Write frames ``start:stop:step`` of a movie to MP4 (H.264) or GIF.

    Parameters
    ----------
    fps : float
        Playback rate of the exported file, frames/s.
    zoom : float
        Output pixels per data pixel (MP4 sizes are rounded to even pixels).
    cmap, gamma, levels
        The screen's colour map (name as the screen gives it), gamma and black/white levels
        (see :func:`insitu_tem.figures.views.movie_look`).
    crop : (int, int, int, int), optional
        (row0, col0, row1, col1) px of the frame to export, end exclusive; the scale bar
        and calibration follow.
    """
    path = Path(path)
    if path.suffix.lower() not in MOVIE_FORMATS:
        raise ValueError(f"movies export to {' or '.join(MOVIE_FORMATS)}, not {path.suffix!r}")
    if dataset.kind != "movie":
        raise ValueError(f"only movies can be exported as {path.suffix}; this is a {dataset.kind}")
    indices = list(range(start, dataset.n_items if stop is None else stop, step))
    if not indices:
        raise ValueError("the frame range is empty; check start/stop")
    frames = render_rgb_frames(
        dataset, indices, zoom=zoom, cmap=cmap, gamma=gamma, levels=levels, crop=crop
    )
    writer = _write_gif if path.suffix.lower() == ".gif" else _write_mp4
    with output_file(path) as temporary:
        writer(frames, temporary, fps, len(indices), progress)
    return path


def _write_mp4(frames, path: Path, fps: float, total: int, progress) -> Path:
    import imageio_ffmpeg

    writer = None
    for i, rgb in enumerate(frames):
        rgb = rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2]
        if writer is None:
            writer = imageio_ffmpeg.write_frames(
                str(path), (rgb.shape[1], rgb.shape[0]), fps=fps, macro_block_size=2, quality=8
            )
            writer.send(None)
        writer.send(np.ascontiguousarray(rgb).tobytes())
        if progress:
            progress((i + 1) / total, "frames")
    writer.close()
    return path


def _write_gif(frames, path: Path, fps: float, total: int, progress) -> Path:
    from PIL import Image

    images = []
    for i, rgb in enumerate(frames):
        images.append(Image.fromarray(rgb))
        if progress:
            progress((i + 1) / total, "frames")
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return path
