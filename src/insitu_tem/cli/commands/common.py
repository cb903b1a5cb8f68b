"""Conventions shared by every subcommand: input file, calibration override, JSON."""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from insitu_tem.cli.errors import InputError, OptionError
from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.model import Dataset

Progress = Callable[[float, str], None]


def add_input_arguments(parser: argparse.ArgumentParser, *, name: str = "FILE") -> None:
    """Add the input file and the options every reading command accepts."""
    parser.add_argument("file", metavar=name, help="any supported microscope file")
    parser.add_argument("--signal", type=int, default=None, metavar="N",
                        help="signal index in a multi-signal file (see `info`)")
    parser.add_argument("--scale", type=float, default=None, metavar="VALUE",
                        help="override the pixel/channel size of the signal axes")
    parser.add_argument("--units", default=None, metavar="UNIT",
                        help="units of --scale (nm, Å, 1/nm, eV, ...)")
    parser.add_argument("--kind", default=None, choices=("image", "movie", "pattern", "pattern_series"),
                        help="read the file as this kind, e.g. a movie of diffraction patterns as pattern_series")


def load_input(args: argparse.Namespace, **kwargs: Any) -> Dataset:
    """Load ``args.file`` honouring ``--signal``, ``--scale`` and ``--units``."""
    from insitu_tem.io.load import load

    dataset = load(args.file, signal=args.signal, kind=getattr(args, "kind", None), **kwargs)
    return recalibrate(dataset, scale=args.scale, units=args.units)


def require_kind(dataset: Dataset, kinds: tuple[str, ...], *, command: str) -> None:
    """Raise InputError unless ``dataset.kind`` is one of ``kinds``."""
    if dataset.kind not in kinds:
        raise InputError(
            dataset.source,
            f"is a {dataset.kind}, but `{command}` needs a {' or '.join(kinds)}",
        )


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, numpy scalars and arrays to plain JSON types (NaN -> null)."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def stderr_progress(enabled: bool) -> Progress:
    """A progress callback drawing a one-line bar on stderr (no-op when disabled)."""

    def report(fraction: float, message: str = "") -> None:
        if not enabled:
            return
        width = 30
        filled = int(round(max(0.0, min(1.0, fraction)) * width))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:6.1%} {message[:40]:<40}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report
