"""Movie playback, 2048² uint16, offscreen, paint included: the movie panel (ImageItem
with fixed levels and a precomputed lookup table, read-ahead for lazy movies) vs
pyqtgraph ImageView.setCurrentIndex. Target: >= 60 fps."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from insitu_tem.gui.panels.movie.playback import measure_playback  # noqa: E402

SIZE = 2048
FRAMES = 120


def run() -> list[dict]:
    measure_playback(SIZE, 8)
    ours = measure_playback(SIZE, FRAMES)
    lazy = measure_playback(SIZE, FRAMES, lazy=True)
    peer = measure_playback(SIZE, FRAMES, mode="imageview")
    return [
        {
            "name": f"playback {FRAMES} frames {SIZE}² uint16 (in memory)",
            "ours_s": ours.seconds,
            "peer": "pyqtgraph ImageView.setCurrentIndex",
            "peer_s": peer.seconds,
            "notes": f"ours {ours.fps:.0f} fps, ImageView {peer.fps:.0f} fps (target >= 60 fps)",
        },
        {
            "name": f"playback {FRAMES} frames {SIZE}² uint16 (lazy, read-ahead)",
            "ours_s": lazy.seconds,
            "peer": "pyqtgraph ImageView.setCurrentIndex",
            "peer_s": peer.seconds,
            "notes": f"ours {lazy.fps:.0f} fps from a dask array read one frame per chunk",
        },
    ]
