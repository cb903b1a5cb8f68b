"""``insitu-tem dose MOVIE``: electron dose rate per frame and cumulative dose (e/Å²), each with its
1σ per frame (``*_sigma_*``: the value × ``relative_sigma``); from the counts also the most-exposed
pixel's cumulative dose with its 1σ (``peak_pixel_cumulative_sigma_e_per_A2``: the counting and
peak-estimate term ``peak_pixel_counting_sigma_e_per_A2`` ⊕ the calibration)."""

from __future__ import annotations

import argparse

from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_input_arguments,
    check_range,
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
    from insitu_tem.core.model import DataError
    from insitu_tem.core.session import Session
    from insitu_tem.workflows import dose

    check_options(args)
    movie = load_input(args)
    require_kind(movie, ("movie",), command=NAME)
    _, y_axis, x_axis = movie.axes
    if y_axis.units != "nm" or x_axis.units != "nm":
        raise InputError(movie.source, "has no spatial calibration; give --scale VALUE --units nm")
    session = Session(checksums=False)
    session.set_dataset("movie", movie)
    try:
        value = dose.run(
            session,
            beam_current_nA=args.beam_current_nA,
            counts_per_electron=args.counts_per_electron,
            area_nm2=args.area_nm2,
            relative_sigma=args.relative_sigma,
            progress=progress,
        ).value
    except DataError as error:
        raise InputError(None, f"{error}; see insitu-tem dose --help") from error
    return {**value, **per_frame_sigma(value), "time_units": movie.axes[0].units}


def check_options(args: argparse.Namespace) -> None:
    """Refuse, before reading the movie, a current, conversion factor or area that is not a
    finite physical value (an infinite factor measured zero dose; an area of 0 fell back to the
    field of view)."""
    check_range("--beam-current-nA", args.beam_current_nA, low=0, high=1e4, example="0.5")
    check_range("--counts-per-electron", args.counts_per_electron, low=1e-6, high=1e6, example="8")
    check_range("--area-nm2", args.area_nm2, low=1e-6, high=1e12, example="2500")


def per_frame_sigma(value: dict) -> dict:
    """The 1σ of the rate, frame and cumulative dose per frame: each value × ``relative_sigma``
    (the current's or the conversion factor's calibration, common to every frame)."""
    factor = float(value["relative_sigma"])
    return {
        f"{key}_sigma_{units}": [float(v) * factor for v in value[f"{key}_{units}"]]
        for key, units in (
            ("rate", "e_per_A2_s"),
            ("frame_dose", "e_per_A2"),
            ("cumulative", "e_per_A2"),
        )
    }
