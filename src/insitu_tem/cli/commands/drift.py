"""``insitu-tem drift MOVIE``: sub-pixel rigid drift of every frame relative to frame 0."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from insitu_tem.analysis.movie.drift import REFERENCES, DriftResult, measure_drift
from insitu_tem.core.model import Dataset
from insitu_tem.cli.commands._roi import add_roi_argument, parse_roi
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_force_argument,
    add_input_arguments,
    check_outputs,
    load_input,
    output_for,
    require_kind,
)

NAME = "drift"
HELP = "measure the rigid drift of a movie (sub-pixel phase correlation); shifts per frame"


def drift_roi(args: argparse.Namespace, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The ``--roi`` of `drift` and `front --drift-correct` as (row0, row1, col0, col1), or None."""
    return parse_roi(args.roi, shape=shape, minimum_px=8, path=None, old_order="rows-then-cols")


def add_drift_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared with `front --drift-correct`."""
    parser.add_argument(
        "--reference",
        choices=REFERENCES,
        default="first",
        help="register against the first frame, the previous one (chained) or a running mean",
    )
    add_roi_argument(
        parser, purpose="correlate only inside this rectangle (static texture, e.g. the substrate)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="MOVIE")
    add_drift_arguments(parser)
    parser.add_argument(
        "--out",
        metavar="CSV",
        default=None,
        help="also write frame, time_s, dy_px, dx_px, dy, dx and their 1σ to a CSV file",
    )
    add_force_argument(parser)


def frame_times(dataset: Dataset) -> tuple[np.ndarray, str]:
    """Time of each frame and its units ("s", or "frame" when the movie has no time calibration)."""
    axis = dataset.axes[0]
    if axis.units == "s":
        return axis.coordinates(), "s"
    return np.arange(axis.size, dtype=float), "frame"


def drift_of(dataset: Dataset, args: argparse.Namespace, progress: Progress) -> DriftResult:
    """Run :func:`measure_drift` on a movie dataset with the command-line options."""
    require_kind(dataset, ("movie",), command=NAME)
    roi = drift_roi(args, dataset.shape[-2:])
    return measure_drift(dataset.array, reference=args.reference, roi=roi, progress=progress)


def write_csv(path: str, dataset: Dataset, result: DriftResult) -> None:
    times, _ = frame_times(dataset)
    row, col = dataset.signal_axes
    calibrated = result.shifts(row, col)
    sigma = result.sigma_px
    header = ["frame", "time_s", "dy_px", "dx_px", f"dy_{row.units}", f"dx_{col.units}"]
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header + ["dy_px_sigma", "dx_px_sigma"])
        for i, (shift, shift_cal) in enumerate(zip(result.shifts_px, calibrated)):
            writer.writerow(
                [
                    i,
                    f"{times[i]:.6g}",
                    f"{shift[0]:.4f}",
                    f"{shift[1]:.4f}",
                    f"{shift_cal[0]:.6g}",
                    f"{shift_cal[1]:.6g}",
                    f"{sigma[i, 0]:.4f}",
                    f"{sigma[i, 1]:.4f}",
                ]
            )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_outputs(args, "out", table="a CSV table")
    dataset = load_input(args)
    result = drift_of(dataset, args, progress)
    row, col = dataset.signal_axes
    if args.out is not None:
        try:
            with output_for(args, "out") as temporary:
                write_csv(temporary, dataset, result)
        except OSError as error:
            raise InputError(
                args.out, f"cannot write the CSV ({error.strerror}); choose another --out"
            ) from error
    return {
        "file": str(Path(args.file).name),
        "reference": result.reference,
        "shifts_px": result.shifts_px,
        "shifts": result.shifts(row, col),
        "shifts_px_sigma": result.sigma_px,
        "shifts_sigma": result.sigma_px * np.array([row.scale, col.scale]),
        "units": col.units,
        "peak": result.peak,
        "ok": result.ok,
        "reason": result.reason,
        "weak_frames": list(result.weak_frames),
    }
