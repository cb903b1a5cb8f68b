"""``insitu-tem info FILE``: kind, shape, dtype, calibrated axes, signals, warnings."""

from __future__ import annotations

import argparse

from insitu_tem.cli.commands.common import Progress, add_input_arguments, load_input

NAME = "info"
HELP = "describe a file: kind, shape, dtype, calibrated axes, signals and warnings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--lazy", action="store_true", default=None, help="force a lazy (dask) load"
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    dataset = load_input(args, lazy=args.lazy)
    return dataset.summary()
