"""``--log LOG [--log-offset S]`` for movie commands: charge passed at every frame."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands.common import InputError, warn

MAX_OFFSET_S = 1e9


def _offset_seconds(text: str) -> float:
    """``--log-offset``: a clock difference in seconds within ±``MAX_OFFSET_S`` (32 years),
    refused while the arguments are read (before: infinity after the front was tracked, and
    1e308 accepted); NaN is left to the parser's own message."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if abs(value) > MAX_OFFSET_S:
        raise argparse.ArgumentTypeError(
            f"{text} s is beyond ±{MAX_OFFSET_S:g} s; give the clock difference between the "
            "movie and the log, in seconds"
        )
    return value


def add_log_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--log``, ``--log-offset`` and ``--current-channel``."""
    parser.add_argument(
        "--log",
        default=None,
        metavar="LOG",
        help="holder log (Protochips, Impulse, .dens, CSV): adds charge_C per frame",
    )
    parser.add_argument(
        "--log-offset",
        type=_offset_seconds,
        default=0.0,
        metavar="S",
        help="seconds added to frame times on the log's clock (clock difference), default 0",
    )
    parser.add_argument(
        "--current-channel",
        default=None,
        metavar="NAME",
        help="log channel to integrate (default: the first channel in amperes)",
    )


def log_fields(
    args: argparse.Namespace, frame_time_s: np.ndarray, positions: np.ndarray, movie_start=None
) -> dict:
    """JSON fields for ``--log``: charge per frame with 1σ, and position against charge
    (``movie_start``: the movie's recorded start, when its file has one)."""
    if args.log is None:
        return {}
    from insitu_tem.core.model import DataError
    from insitu_tem.io.holder_logs import load_log
    from insitu_tem.analysis.timeline.frames import frame_timeline

    try:
        log = load_log(args.log)
        timeline = frame_timeline(
            frame_time_s,
            log,
            movie_start=movie_start,
            offset_s=args.log_offset,
            current_channel=args.current_channel,
        )
    except (DataError, KeyError) as error:
        raise InputError(args.log, str(error).strip("'\"")) from error
    for reason in log.warnings:
        warn(Path(args.log).name, reason)
    return {
        "log": {
            "file": args.log,
            "offset_s": args.log_offset,
            "movie_start": None if movie_start is None else movie_start.isoformat(),
            "current_channel": timeline.current_channel,
            "ok": timeline.ok,
            "reason": timeline.reason,
            "warnings": list(log.warnings),
        },
        "charge_C": timeline.charge_C,
        "charge_sigma_C": timeline.charge_sigma_C,
        "position_vs_charge": {"charge_C": timeline.charge_C, "position": np.asarray(positions)},
    }
