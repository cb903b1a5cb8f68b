"""Exported movies (.avi, .mp4, ...) through imageio-ffmpeg, converted to grey frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.readers.raw import RawAxis, RawSignal

VIDEO_SUFFIXES = (".avi", ".mp4", ".mov", ".mkv", ".m4v", ".wmv")


def read(path: Path, *, lazy: bool) -> list[RawSignal]:
    """Decode every frame of a video file as 8-bit grey.

    Parameters
    ----------
    path : Path
        Video file.
    lazy : bool
        Ignored: frames are decoded sequentially, once.

    Returns
    -------
    list of RawSignal
        One movie, time axis from the container's frame rate (s), pixels uncalibrated.
    """
    import imageio_ffmpeg

    from insitu_tem.io.readers.memory import human, memory_budget

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="gray", bpp=1)
    meta = next(reader)
    cols, rows = meta["size"]
    budget = memory_budget() // 2
    frames = []
    for frame in reader:
        frames.append(np.frombuffer(frame, dtype=np.uint8).reshape(rows, cols))
        if len(frames) * rows * cols > budget:
            reader.close()
            raise DataError(
                f"decodes to more than {human(budget)} of frames ({cols} × {rows} px); "
                "export a shorter clip or the original data"
            )
    if not frames:
        raise DataError("video holds no decodable frames; re-export it or open the original data")
    stack = np.stack(frames)
    fps = float(meta.get("fps") or 0.0)
    time_axis = (
        RawAxis("t", len(frames), 1.0 / fps, 0.0, "s", True)
        if fps > 0
        else RawAxis("t", len(frames), navigate=True)
    )
    axes = (time_axis, RawAxis("y", rows), RawAxis("x", cols))
    return [RawSignal(stack, axes, path.stem, "time_series", {"title": path.stem, "fps": fps})]
