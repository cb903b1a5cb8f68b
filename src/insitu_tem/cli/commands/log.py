"""``insitu-tem log FILE``: channels, units, start time and live notes of a holder log."""

from __future__ import annotations

import argparse
from pathlib import Path

from insitu_tem.cli.commands.common import Progress, warn

NAME = "log"
HELP = (
    "read a holder log (Protochips, DENSsolutions Impulse or .dens, CSV/TSV): channels, start, "
    "notes"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="LOG", help="holder log file")
    parser.add_argument(
        "--time-column",
        default=None,
        metavar="NAME",
        help="the time column of a generic CSV/TSV when it is not called 'time'",
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.io.holder_logs import load_log

    log = load_log(args.file, time_column=args.time_column)
    for reason in log.warnings:
        warn(Path(args.file).name, reason)
    return log.summary()
