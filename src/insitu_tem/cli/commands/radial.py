"""``insitu-tem radial FILE``: azimuthal profiles of a pattern or a pattern series
(a movie is read as a pattern series), pattern by pattern with bounded memory."""

from __future__ import annotations

import argparse
import math

import numpy as np

from insitu_tem.analysis.diffraction.radial import SPLIT_MODES, q_per_A_from_px, radial_integrator
from insitu_tem.core.blocks import iter_blocks
from insitu_tem.core.model import Dataset
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    as_patterns,
    check_range,
    conversion_note,
    load_input,
)

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
        raise InputError(
            path, f"--centre {text!r} is not ROW,COL in pixels; give e.g. --centre 142.5,99"
        ) from None
    if not (math.isfinite(row) and math.isfinite(col)):
        raise InputError(
            path, f"--centre {text!r} must be finite pixel positions, e.g. --centre 142.5,99"
        )
    return row, col


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--centre",
        metavar="ROW,COL",
        default=None,
        help="pattern centre in px (default: direct beam of the summed patterns, its edge "
        "fitted, or their symmetry centre behind a beam stop; found with its 1σ, "
        "centre_sigma_px)",
    )
    parser.add_argument(
        "--bins",
        type=int,
        default=None,
        metavar="N",
        help="number of radius bins (default 1 per px)",
    )
    parser.add_argument(
        "--split", choices=SPLIT_MODES, default="none", help="pixel splitting (default none)"
    )


def scale_per_nm(dataset: Dataset) -> float | None:
    """Pattern calibration in 1/nm per px, or None when the signal axes are uncalibrated."""
    axis = dataset.signal_axes[-1]
    return float(axis.scale) if axis.units == "1/nm" else None


def patterns_of(dataset: Dataset):
    """(n, rows, cols) view of every pattern of a dataset (one for a single pattern); not read
    yet."""
    return dataset.array.reshape((-1,) + dataset.shape[-2:])


def summed_pattern(patterns, *, chunk: int = 16) -> np.ndarray:
    """Sum of (n, rows, cols) patterns in float64 (counts add), read ``chunk`` patterns at a
    time."""
    total = np.zeros(patterns.shape[1:])
    for _, block in iter_blocks(patterns, chunk=chunk):
        total += block.sum(axis=0, dtype=np.float64)
    return total


def centre_of(args: argparse.Namespace, patterns) -> tuple[tuple[float, float], float | None, str]:
    """(``--centre``, None and ""), or the centre found on the summed patterns, its 1σ (px) and
    why it is not measured ("" when it is: a half FFT's or a cut pattern's centre lies on its
    edge, and its 1σ is NaN)."""
    given = parse_centre(args.centre, path=args.file)
    if given is not None:
        return given, None, ""
    from insitu_tem.analysis.diffraction.pattern_centre import pattern_centre

    found = pattern_centre(summed_pattern(patterns))
    if not found.ok:
        return found.centre_rc, float("nan"), found.reason or "the centre is not measured"
    return found.centre_rc, found.sigma_px, ""


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_range("--bins", args.bins, low=1, high=100_000, example="200")
    centre = parse_centre(args.centre, path=args.file)
    loaded = load_input(args)
    dataset = as_patterns(loaded, KINDS, command=NAME)
    rows, cols = dataset.shape[-2:]
    check_range("--bins", args.bins, high=2 * (rows + cols), example=str(max(rows, cols) // 2))
    if centre is not None and not (
        -rows <= centre[0] <= 2 * rows and -cols <= centre[1] <= 2 * cols
    ):
        raise InputError(
            None, f"--centre {args.centre} lies far outside the {rows} × {cols} px pattern"
        )
    patterns = patterns_of(dataset)
    progress(0.1, "centre")
    centre, sigma, warning = centre_of(args, patterns)
    integrator = radial_integrator(
        patterns.shape[1:], centre_rc=centre, n_bins=args.bins, split=args.split
    )
    progress(0.5, "profiles")
    result = {"r_px": integrator.r_px, "centre_px": list(centre), "centre_sigma_px": sigma}
    scale = scale_per_nm(dataset)
    if scale is not None:
        result["q_per_A"] = q_per_A_from_px(integrator.r_px, scale_per_nm=scale)
    result["profiles"] = integrator.profiles(patterns)
    if warning:
        result["centre_warning"] = warning
    result.update(conversion_note(loaded, dataset))
    progress(1.0, "done")
    return result
