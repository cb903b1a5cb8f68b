"""``insitu-tem front MOVIE --line X0,Y0,X1,Y1``: reaction-front position along a line,
its kinetics ``x(t) = x0 + k (t - t0)^n`` and velocity."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from insitu_tem.cli.commands._log_options import add_log_arguments, log_fields
from insitu_tem.cli.commands.common import (
    InputError,
    Progress,
    add_force_argument,
    add_input_arguments,
    check_outputs,
    check_range,
    load_input,
    output_for,
    require_kind,
)
from insitu_tem.cli.commands.drift import add_drift_arguments, drift_roi

NAME = "front"
HELP = "track a reaction front along a line (kymograph + step fit) and fit its kinetics"


def parse_line(text: str) -> np.ndarray:
    """``"X0,Y0,X1,Y1[,X2,Y2...]"`` (x = column, y = row, px) -> (n, 2) (row, col) points."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) < 4 or len(values) % 2:
        raise InputError(
            None,
            f"--line {text!r} must be X0,Y0,X1,Y1 (x = column, y = row, px), "
            "optionally more X,Y pairs for a polyline",
        )
    xy = np.asarray(values).reshape(-1, 2)
    if not np.isfinite(xy).all():
        raise InputError(
            None,
            f"--line {text!r} holds a non-finite number; give pixel positions, e.g. --line "
            "10,128,240,128",
        )
    if len(xy) > 1000:
        raise InputError(None, f"--line has {len(xy)} points; give at most 1000")
    return xy[:, ::-1].copy()


def check_line(
    points_rc: np.ndarray, width: float, frame_shape: tuple[int, int], text: str
) -> None:
    """Refuse a line that leaves the frame or a width wider than the frame (options, px)."""
    rows, cols = frame_shape
    inside = (
        (points_rc[:, 0] >= 0)
        & (points_rc[:, 0] <= rows - 1)
        & (points_rc[:, 1] >= 0)
        & (points_rc[:, 1] <= cols - 1)
    )
    if not inside.all():
        raise InputError(
            None,
            f"--line {text} leaves the {cols} × {rows} px frame (x 0 to {cols - 1}, y 0 to "
            f"{rows - 1}); "
            "give end points inside it",
        )
    if np.hypot(*np.diff(points_rc, axis=0).T).sum() < 2:
        raise InputError(None, f"--line {text} is shorter than 2 px; give two distinct end points")
    check_range("--width", width, low=1, high=max(rows, cols), example="21")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser, name="MOVIE")
    parser.add_argument(
        "--line",
        required=True,
        metavar="X0,Y0,X1,Y1",
        help="line across which the front moves: x = column, y = row, px (more pairs: polyline)",
    )
    parser.add_argument(
        "--width",
        type=float,
        default=21.0,
        metavar="PX",
        help="width averaged across the line, px (default 21)",
    )
    parser.add_argument(
        "--drift-correct",
        action="store_true",
        help="measure drift first; positions are then in frame-0 coordinates",
    )
    add_drift_arguments(parser)
    parser.add_argument(
        "--polarity",
        choices=("auto", "+1", "-1"),
        default="auto",
        help="+1 if intensity rises across the front along the line, -1 if it falls",
    )
    parser.add_argument(
        "--fix-t0",
        type=float,
        default=None,
        metavar="S",
        help="hold the start time t0 of the kinetic fit at this value, s",
    )
    parser.add_argument(
        "--out",
        metavar="CSV",
        default=None,
        help="also write frame, time_s, position_px, position, confidence, their 1σ, "
        "present (front found) and the fitted and measured velocities ± 1σ to a CSV file",
    )
    add_log_arguments(parser)
    add_force_argument(parser)


def write_csv(path: str, value: dict) -> None:
    """One row per frame: frame, time_s, position_px, position (calibrated), confidence, the
    positions' 1σ (px and calibrated), whether a front was found (positions NaN where not) and
    the fitted and measured velocities with their 1σ (NaN where there is none, e.g. the fitted
    one within 2σ of t0), and why a frame has no position (empty where it has one). An
    uncalibrated movie (units px) has each position and 1σ column once."""
    units = value["units"]
    columns = {
        "frame": range(len(value["times"])),
        "time_s": [f"{t:.6g}" for t in value["times"]],
        "position_px": [f"{p:.4f}" for p in value["position_px"]],
        f"position_{units}": [f"{p:.6g}" for p in value["position"]],
        "confidence": [f"{c:.3f}" for c in value["confidence"]],
        "position_px_sigma": [f"{s:.4f}" for s in value["position_px_sigma"]],
        f"position_{units}_sigma": [f"{s:.6g}" for s in value["position_sigma"]],
        "present": [int(bool(found)) for found in value["present"]],
    }
    if units == "px":
        columns["position_px"] = [f"{p:.4f}" for p in value["position_px"]]
        columns["position_px_sigma"] = [f"{s:.4f}" for s in value["position_px_sigma"]]
    rate = value["velocity_units"].replace("/", "_per_")
    for key in ("velocity", "velocity_sigma", "velocity_measured", "velocity_measured_sigma"):
        numbers = value.get(key)
        numbers = np.full(len(value["times"]), np.nan) if numbers is None else numbers
        name = key.replace("velocity", f"velocity_{rate}", 1)
        columns[name] = [f"{v:.6g}" for v in np.asarray(numbers, float)]
    columns["frame_reason"] = value["frame_reason"]
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(list(columns))
        writer.writerows(zip(*columns.values()))


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.analysis.timeline.sync import movie_clock
    from insitu_tem.core.session import Session
    from insitu_tem.workflows import front

    points_rc = parse_line(args.line)
    check_range("--width", args.width, low=1, example="21")
    check_range("--fix-t0", args.fix_t0)
    check_outputs(args, "out", table="a CSV table")
    dataset = load_input(args)
    require_kind(dataset, ("movie",), command=NAME)
    check_line(points_rc, args.width, dataset.shape[-2:], args.line)
    session = Session(checksums=False)
    session.set_dataset("movie", dataset)
    value = front.run(
        session,
        line_rc=points_rc,
        width_px=args.width,
        drift=args.reference if args.drift_correct else None,
        drift_roi=drift_roi(args, dataset.shape[-2:]),
        polarity=args.polarity,
        fix_t0=args.fix_t0,
        progress=progress,
    ).value
    if args.out is not None:
        try:
            with output_for(args, "out") as temporary:
                write_csv(temporary, value)
        except OSError as error:
            raise InputError(
                args.out, f"cannot write the CSV ({error.strerror}); choose another --out"
            ) from error
    units, time_units = value["units"], value["time_units"]
    return {
        "file": str(Path(args.file).name),
        "time_s": value["times"],
        "time_units": time_units,
        "position_px": value["position_px"],
        "position_px_sigma": value["position_px_sigma"],
        "position": value["position"],
        "position_sigma": value["position_sigma"],
        "units": units,
        "confidence": value["confidence"],
        "present": value["present"],
        "frame_reason": value["frame_reason"],
        "drift_corrected": args.drift_correct,
        "fit": {
            **value["fit"],
            "units": f"x0 in {units}, k in {units}/{time_units}^n, t0 in {time_units}",
        },
        "velocity": value["velocity"],
        "velocity_measured": value["velocity_measured"],
        "velocity_sigma": value["velocity_sigma"],
        "velocity_measured_sigma": value["velocity_measured_sigma"],
        "velocity_units": value["velocity_units"],
        "ok": value["ok"],
        "reason": value["reason"],
        **log_fields(
            args,
            movie_clock(dataset)[0],
            np.asarray(value["position"], dtype=float),
            movie_start=movie_clock(dataset)[1],
        ),
    }
