"""``insitu-tem dose MOVIE``: electron dose rate per frame and cumulative dose (e/Å²)."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    load_input,
    require_kind,
)

NAME = "dose"
HELP = "electron dose per frame and cumulative (e/Å²) from the beam current or the camera counts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="MOVIE")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--beam-current-nA",
        type=float,
        metavar="NA",
        help="beam current (nA) spread over --area-nm2 (default: the field of view)",
    )
    source.add_argument(
        "--counts-per-electron",
        type=float,
        metavar="C",
        help="camera conversion factor: counts per incident electron",
    )
    parser.add_argument(
        "--area-nm2",
        type=float,
        default=None,
        help="illuminated area (nm²) for --beam-current-nA; default the field of view",
    )
    parser.add_argument(
        "--relative-sigma",
        type=float,
        default=0.05,
        help="relative 1σ of the current or of the conversion factor (default 0.05)",
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.analysis.timeline.dose import dose_from_beam_current, dose_from_counts

    movie = load_input(args)
    require_kind(movie, ("movie",), command=NAME)
    t_axis, y_axis, x_axis = movie.axes
    if y_axis.units != "nm" or x_axis.units != "nm":
        raise InputError(movie.source, "has no spatial calibration; give --scale VALUE --units nm")
    if not 0 <= args.relative_sigma < 1:
        raise InputError(None, "--relative-sigma must be between 0 and 1 (e.g. 0.05 for 5 %)")
    time_s = t_axis.offset + t_axis.scale * np.arange(t_axis.size)
    pixel_area = y_axis.scale * x_axis.scale
    if args.beam_current_nA is not None:
        area = (
            args.area_nm2 if args.area_nm2 is not None else pixel_area * y_axis.size * x_axis.size
        )
        if not (area > 0 and args.beam_current_nA >= 0):
            raise InputError(None, "--beam-current-nA must be ≥ 0 and --area-nm2 > 0")
        dose = dose_from_beam_current(
            time_s,
            beam_current_nA=args.beam_current_nA,
            illuminated_area_nm2=area,
            relative_sigma=args.relative_sigma,
        )
    else:
        if not args.counts_per_electron > 0:
            raise InputError(None, "--counts-per-electron must be > 0")
        means = _frame_means(movie, progress)
        dose = dose_from_counts(
            time_s,
            means,
            counts_per_electron=args.counts_per_electron,
            pixel_area_nm2=pixel_area,
            relative_sigma=args.relative_sigma,
        )
    return {
        "source": dose.source,
        "time_s": dose.time_s,
        "rate_e_per_A2_s": dose.rate_e_per_A2_s,
        "frame_dose_e_per_A2": dose.frame_dose_e_per_A2,
        "cumulative_e_per_A2": dose.cumulative_e_per_A2,
        "relative_sigma": dose.relative_sigma,
        "time_units": t_axis.units,
    }


def _frame_means(movie, progress: Progress) -> np.ndarray:
    """Mean counts per pixel of every frame, read one frame at a time."""
    n = movie.shape[0]
    means = np.empty(n)
    for index in range(n):
        means[index] = float(np.mean(np.asarray(movie.array[index], dtype=np.float64)))
        progress((index + 1) / n, "frame means")
    return means
