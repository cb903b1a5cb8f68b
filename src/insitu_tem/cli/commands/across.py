"""``insitu-tem across PROJECT``: NBD and EELS results against distance from the front."""

from __future__ import annotations

import argparse

from insitu_tem.workflows.across_front import across_front, across_front_figure
from insitu_tem.workflows.across_front import add_arguments as _add_arguments
from insitu_tem.core.project import load_project
from insitu_tem.cli.commands.common import Progress, add_force_argument, check_outputs, output_for

NAME = "across"
HELP = "W O2,3 shift, Li K, lattice strain and phase fractions against distance from the reaction front"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _add_arguments(parser)
    add_force_argument(parser)


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_outputs(args, "csv", "figure")
    result = across_front(load_project(args.file), args.file, progress=progress)
    if args.csv is not None:
        with output_for(args, "csv") as temporary:
            result.write_csv(temporary)
    if args.figure is not None:
        from insitu_tem.figures.export import provenance, save_figure

        with output_for(args, "figure") as temporary:
            save_figure(across_front_figure(result), temporary,
                        record=provenance([args.file], {"view": "across-front"}))
    return {"distance_nm": result.distance_nm, "front_along_nm": result.front_along_nm,
            "columns": result.columns, "units": result.units}
