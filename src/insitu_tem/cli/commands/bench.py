"""``insitu-tem bench playback --size N --frames M``: measured playback speed of the
movie panel, offscreen, including the paint (imports Qt only when run)."""

from __future__ import annotations

import argparse
import os

from insitu_tem.cli.commands.common import Progress

NAME = "bench"
HELP = "measure performance on this machine (playback: frames per second of the movie panel)"
TARGETS = ("playback",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", choices=TARGETS, help="what to measure")
    parser.add_argument("--size", type=int, default=2048, metavar="N", help="frame edge, px (default 2048)")
    parser.add_argument("--frames", type=int, default=100, metavar="M", help="frames to show (default 100)")
    parser.add_argument("--lazy", action="store_true", help="play a lazy (dask) movie through the read-ahead")
    parser.add_argument("--imageview", action="store_true",
                        help="measure pyqtgraph ImageView.setCurrentIndex instead, for comparison")


def run(args: argparse.Namespace, progress: Progress) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from insitu_tem.gui.panels.movie.playback import measure_playback

    progress(0.0, "playing")
    timing = measure_playback(args.size, args.frames, mode="imageview" if args.imageview else "panel",
                              lazy=args.lazy)
    progress(1.0, "done")
    return {"fps": timing.fps, "seconds": timing.seconds, "frames": timing.frames, "size": timing.size,
            "mode": timing.mode, "lazy": timing.lazy, "dtype": "uint16"}
