"""``insitu-tem across PROJECT``: NBD and EELS results against distance from the front."""

from __future__ import annotations

import argparse

from insitu_tem.workflows.across_front import across_front, across_front_figure
from insitu_tem.workflows.across_front import add_arguments as _add_arguments
from insitu_tem.core.project import load_project
from insitu_tem.cli.commands.common import Progress

NAME = "across"
HELP = "W O2,3 shift, Li K, lattice strain and phase fractions against distance from the reaction front"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _add_arguments(parser)


def run(args: argparse.Namespace, progress: Progress) -> dict:
    result = across_front(load_project(args.file), args.file, progress=progress)
    if args.csv:
        result.write_csv(args.csv)
    if args.figure:
        from insitu_tem.figures.export import provenance, save_figure

        save_figure(across_front_figure(result), args.figure,
                    record=provenance([args.file], {"view": "across-front"}))
    return {"distance_nm": result.distance_nm, "front_along_nm": result.front_along_nm,
            "columns": result.columns, "units": result.units}
