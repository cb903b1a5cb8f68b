"""``insitu-tem export PROJECT --view NAME --out PATH``: render a saved view headless."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from insitu_tem.cli.commands.common import (
    InputError,
    OptionError,
    Progress,
    add_force_argument,
    check_outputs,
    check_range,
    load_project,
    output_for,
    warn,
)

NAME = "export"
HELP = (
    "render a view of a project (movie, hrtem, survey, nbd, nbd-profile, nbd-map, eels, montage, "
    "kymograph, kinetics, across, figure, overview, timeline, tomo) to PNG/TIFF/SVG/PDF, or the "
    "movie to MP4/GIF"
)
MAX_DPI = 1200
MAX_TIME_S = 1e9
MAX_FPS = 120.0
LOG_VIEWS = ("timeline", "across")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="PROJECT", help="an insitu-tem project (.itproj)")
    parser.add_argument(
        "--view",
        default="overview",
        help="movie, hrtem, survey (the HAADF image of a map opened beside a movie), nbd, "
        "nbd-profile (the probe's I(q) with the fitted ring overlays, and "
        "G(r)), nbd-map (the map of a 2-D scan: what the NBD panel's Map tab shows, the "
        "virtual BF image by default), eels, montage, kymograph, kinetics, across, figure, "
        "overview, timeline or tomo (slices, rendering and thickness plots of the Tomography "
        "panel)",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help=".png, .tif, .svg, .pdf (or .mp4/.gif for --view movie)",
    )
    parser.add_argument(
        "--dpi",
        type=int,
        default=300,
        help=f"resolution of PNG/TIFF, 10 to {MAX_DPI} (default 300)",
    )
    parser.add_argument(
        "--fps",
        type=float,
        default=10.0,
        help=f"frame rate of an exported MP4/GIF, up to {MAX_FPS:g}",
    )
    parser.add_argument(
        "--options",
        default="{}",
        metavar="JSON",
        help="view options, e.g. '{\"times_s\": [0, 10, 20]}' for a montage",
    )
    add_force_argument(parser)


def parse_options(text: str) -> dict:
    """The --options JSON object, checked: count 1-24, times_s up to 50 finite numbers, width_mm
    20-400."""
    try:
        options = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise OptionError(
            None, f"--options is not valid JSON ({error}); e.g. --options '{{\"count\": 4}}'"
        ) from None
    if not isinstance(options, dict):
        raise OptionError(
            None, "--options must be a JSON object, e.g. --options '{\"times_s\": [0, 10]}'"
        )
    count = options.get("count", 4)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 24:
        raise OptionError(None, "--options count must be a whole number from 1 to 24")
    times = options.get("times_s", [])
    if (
        not isinstance(times, list)
        or len(times) > 50
        or not all(
            isinstance(t, (int, float)) and not isinstance(t, bool) and abs(t) <= MAX_TIME_S
            for t in times
        )
    ):
        raise OptionError(
            None,
            "--options times_s must be a list of at most 50 times in s, each within ±1e9 s, "
            "e.g. [0, 10, 20]",
        )
    width = options.get("width_mm", 180)
    if not isinstance(width, (int, float)) or isinstance(width, bool) or not 20 <= width <= 400:
        raise OptionError(None, "--options width_mm must be a number from 20 to 400 (mm)")
    return options


def _check(args: argparse.Namespace, referenced: tuple[str, ...]) -> None:
    from insitu_tem.figures.export import FORMATS
    from insitu_tem.figures.movie_export import MOVIE_FORMATS
    from insitu_tem.figures.views import VIEW_NAMES

    check_range("--dpi", args.dpi, low=10, high=MAX_DPI, example="300")
    if not (math.isfinite(args.fps) and 0 < args.fps <= MAX_FPS):
        raise OptionError(
            None, f"--fps {args.fps:g} must be above 0 and at most {MAX_FPS:g}, e.g. --fps 10"
        )
    suffix = Path(args.out).suffix.lower()
    if suffix not in FORMATS + MOVIE_FORMATS:
        raise OptionError(
            None,
            f"--out {Path(args.out).name!r}: cannot export {suffix or 'without a suffix'}; "
            f"use one of {', '.join(FORMATS + MOVIE_FORMATS)}",
        )
    if suffix not in MOVIE_FORMATS and args.view not in VIEW_NAMES:
        raise OptionError(
            None, f"--view {args.view!r} is unknown; choose one of {', '.join(VIEW_NAMES)}"
        )
    check_outputs(args, "out", inputs=referenced)


def _check_cursor(session, path: str) -> None:
    for role, index in (("movie", session.frame), ("nbd", session.probe), ("eels", session.probe)):
        dataset = session.dataset(role)
        if dataset is not None and not 0 <= index < dataset.n_items:
            raise InputError(
                path,
                f"its cursor points at {role} item {index}, but the {role} has "
                f"{dataset.n_items}; fix the view state in the project or open and save it",
            )


def _referenced(session, args: argparse.Namespace, options: dict) -> dict[str, Path]:
    """Raw files the project refers to beyond its datasets, by what they are: the Timeline
    panel's holder log (or ``--options`` ``log``) and the Tomography panel's tilt series."""
    from insitu_tem.figures.holder_state import log_path

    files = {}
    log = options.get("log") or session.panel_state("timeline").get("log_path")
    if log:
        files["holder log"] = log_path(session, log, Path(args.file).resolve().parent)
    tomo = session.parameters("tomo")
    for k, path in enumerate(p for p in (tomo.get("source"), *tomo.get("also", ())) if p):
        files["tilt series" if k == 0 else f"tilt series channel {k}"] = Path(path)
    return files


def _check_missing(session, args: argparse.Namespace, options: dict) -> list[str]:
    """Refuse the timeline without its holder log; warn, one line each, about every other
    referenced file that is gone (the figure is drawn without it). Returns their paths."""
    missing = {what: p for what, p in _referenced(session, args, options).items() if not p.exists()}
    if args.view == "timeline" and "holder log" in missing:
        raise InputError(
            str(missing["holder log"]),
            "the project's holder log is missing (moved or renamed?); the timeline view needs "
            'it: put it back or give --options \'{"log": "LOG"}\'',
        )
    for what, path in missing.items():
        warn(
            path.name,
            f"the project's {what} is missing (moved or renamed?); exported without it — put it "
            "back, or open it again in the GUI and save the project",
        )
    return [str(p) for p in missing.values()]


def _warn_about_log(session, args: argparse.Namespace, options: dict) -> None:
    """The holder log's reader warnings (a last row left out), one line each, for the views that
    draw from it."""
    from insitu_tem.core.model import DataError
    from insitu_tem.io.holder_logs import load_log

    path = _referenced(session, args, options).get("holder log")
    if args.view not in LOG_VIEWS or path is None or not path.is_file():
        return
    try:
        warnings = load_log(path).warnings
    except DataError:
        return
    for reason in warnings:
        warn(path.name, reason)


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.figures.export import provenance, save_figure
    from insitu_tem.figures.movie_export import MOVIE_FORMATS, export_movie
    from insitu_tem.figures.views import movie_look, render_view
    from insitu_tem.workflows.project import load_datasets

    session = load_project(args.file, command=NAME)
    options = parse_options(args.options)
    _check(args, tuple(session.sources()))
    load_datasets(session, args.file)
    _check_cursor(session, args.file)
    missing = _check_missing(session, args, options)
    _warn_about_log(session, args, options)
    movie = session.dataset("movie")
    if Path(args.out).suffix.lower() in MOVIE_FORMATS:
        if movie is None:
            raise InputError(args.file, "the project has no movie to export")
        with output_for(args, "out", inputs=tuple(session.sources())) as temporary:
            export_movie(movie, temporary, fps=args.fps, progress=progress, **movie_look(session))
        return {"out": str(args.out), "view": "movie", "frames": movie.n_items, "missing": missing}
    if args.view in ("timeline", "tomo"):
        options.setdefault("project_dir", str(Path(args.file).resolve().parent))
    figure, parameters = render_view(session, args.view, dpi=args.dpi, options=options)
    with output_for(args, "out", inputs=tuple(session.sources())) as temporary:
        save_figure(
            figure, temporary, dpi=args.dpi, record=provenance(session.sources(), parameters)
        )
    return {"out": str(args.out), "view": args.view, "dpi": args.dpi, "missing": missing}
