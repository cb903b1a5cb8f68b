"""``insitu-tem across PROJECT``: NBD and EELS results against distance from the front."""

from __future__ import annotations

import argparse

from insitu_tem.cli.commands.common import (
    Progress,
    add_force_argument,
    check_outputs,
    load_project,
    output_for,
)

NAME = "across"
HELP = (
    "W O2,3 shift, Li K, lattice strain and phase fractions against distance from the reaction "
    "front"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="PROJECT")
    parser.add_argument("--csv", metavar="PATH", help="write the table as CSV")
    parser.add_argument(
        "--figure", metavar="PATH", help="write the stacked profiles (.png/.svg/.pdf)"
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="keep the drift, the front track and the table in the project file",
    )
    add_force_argument(parser)


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.core.project import save_session
    from insitu_tem.workflows import across_front
    from insitu_tem.workflows.project import open_session

    check_outputs(
        args, "csv", "figure", inputs=tuple(load_project(args.file, command=NAME).sources())
    )
    session = open_session(args.file)
    result = across_front.AcrossFront.from_result(across_front.run(session, progress=progress))
    if args.csv is not None:
        with output_for(args, "csv") as temporary:
            result.write_csv(temporary)
    if args.figure is not None:
        from insitu_tem.figures.export import provenance, save_figure
        from insitu_tem.figures.views import render_view

        figure, parameters = render_view(session, "across")
        with output_for(args, "figure") as temporary:
            save_figure(figure, temporary, record=provenance(session.sources(), parameters))
    if args.save:
        save_session(session, args.file)
    return {
        "distance_nm": result.distance_nm,
        "front_along_nm": result.front_along_nm,
        "front_along_sigma_nm": result.front_along_sigma_nm,
        "columns": result.columns,
        "units": result.units,
        "reasons": result.reasons,
    }
