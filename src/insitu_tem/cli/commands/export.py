"""``insitu-tem export PROJECT --view NAME --out PATH``: render a saved view headless."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from insitu_tem.core.project import load_project
from insitu_tem.cli.commands.common import InputError, Progress

NAME = "export"
HELP = "render a view of a project (movie, hrtem, nbd, eels, montage, overview) to PNG/TIFF/SVG/PDF, or the movie to MP4/GIF"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="PROJECT", help="an insitu-tem project (.itproj)")
    parser.add_argument("--view", default="overview", help="movie, hrtem, nbd, eels, montage or overview")
    parser.add_argument("--out", required=True, metavar="PATH", help=".png, .tif, .svg, .pdf (or .mp4/.gif for --view movie)")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--fps", type=float, default=10.0, help="frame rate of an exported MP4/GIF")
    parser.add_argument("--options", default="{}", metavar="JSON",
                        help='view options, e.g. \'{"times_s": [0, 10, 20]}\' for a montage')


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.figures.export import provenance, save_figure
    from insitu_tem.figures.movie_export import MOVIE_FORMATS, export_movie
    from insitu_tem.figures.views import render_view, session_from_project

    project = load_project(args.file)
    try:
        options = json.loads(args.options)
    except json.JSONDecodeError as error:
        raise InputError(args.file, f"--options is not valid JSON ({error})") from error
    session = session_from_project(project, args.file)
    out = Path(args.out)
    if out.suffix.lower() in MOVIE_FORMATS:
        if "movie" not in session.datasets:
            raise InputError(args.file, "the project has no movie to export")
        export_movie(session.datasets["movie"], out, fps=args.fps, progress=progress)
        return {"out": str(out), "view": "movie", "frames": session.datasets["movie"].n_items}
    figure, parameters = render_view(session, args.view, dpi=args.dpi, options=options)
    save_figure(figure, out, dpi=args.dpi, record=provenance(session.sources(), parameters))
    return {"out": str(out), "view": args.view, "dpi": args.dpi}
