"""``insitu-tem radial FILE``: azimuthal profiles of a pattern or a pattern series."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.analysis.diffraction.centre import find_centre
from insitu_tem.analysis.diffraction.radial import SPLIT_MODES, q_per_A_from_px, radial_integrator
from insitu_tem.core.model import Dataset
from insitu_tem.cli.commands.common import InputError, Progress, add_input_arguments, load_input, require_kind

NAME = "radial"
HELP = "radial (azimuthally averaged) profiles I(r) of a diffraction pattern or pattern series"
KINDS = ("pattern", "pattern_series", "image")


def parse_centre(text: str | None, *, path: str) -> tuple[float, float] | None:
    """Parse ``ROW,COL`` (px) into a tuple; None stays None."""
    if text is None:
        return None
    try:
        row, col = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(path, f"--centre {text!r} is not ROW,COL in pixels; give e.g. --centre 142.5,99") from None
    return row, col


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument("--centre", metavar="ROW,COL", default=None,
                        help="pattern centre in px (default: direct beam of the mean pattern, "
                             "or its symmetry centre behind a beam stop)")
    parser.add_argument("--bins", type=int, default=None, metavar="N", help="number of radius bins (default 1 per px)")
    parser.add_argument("--split", choices=SPLIT_MODES, default="none", help="pixel splitting (default none)")


def scale_per_nm(dataset: Dataset) -> float | None:
    """Pattern calibration in 1/nm per px, or None when the signal axes are uncalibrated."""
    axis = dataset.signal_axes[-1]
    return float(axis.scale) if axis.units == "1/nm" else None


def patterns_of(dataset: Dataset) -> np.ndarray:
    """(n, rows, cols) array of every pattern of a dataset (one for a single pattern)."""
    return np.asarray(dataset.array).reshape((-1,) + dataset.shape[-2:])


def run(args: argparse.Namespace, progress: Progress) -> dict:
    dataset = load_input(args)
    require_kind(dataset, KINDS, command=NAME)
    if args.bins is not None and args.bins < 1:
        raise InputError(args.file, f"--bins {args.bins} must be at least 1")
    patterns = patterns_of(dataset)
    progress(0.1, "centre")
    centre = parse_centre(args.centre, path=args.file) or find_centre(patterns.mean(axis=0)).centre_rc
    integrator = radial_integrator(patterns.shape[1:], centre_rc=centre, n_bins=args.bins, split=args.split)
    progress(0.5, "profiles")
    result = {"r_px": integrator.r_px, "centre_px": list(centre)}
    scale = scale_per_nm(dataset)
    if scale is not None:
        result["q_per_A"] = q_per_A_from_px(integrator.r_px, scale_per_nm=scale)
    result["profiles"] = integrator.profiles(patterns)
    progress(1.0, "done")
    return result
