"""``insitu-tem batch PIPELINE.toml``: run a pipeline over many files on dask.distributed."""

from __future__ import annotations

import argparse

from insitu_tem.cli.commands.common import InputError, Progress, check_range

NAME = "batch"
HELP = (
    "run a pipeline (TOML) of commands over many files, locally or on a dask.distributed scheduler"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="PIPELINE.toml")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing dask.distributed scheduler"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="local worker processes, 1 to 64 (without --scheduler; default 2)",
    )


def run(args: argparse.Namespace, progress: Progress) -> dict:
    from insitu_tem.cli.batch import load_pipeline, make_client, run_pipeline

    check_range("--workers", args.workers, low=1, high=64, example="2")
    try:
        pipeline = load_pipeline(args.file)
    except ValueError as error:
        raise InputError(args.file, str(error)) from error
    with make_client(scheduler=args.scheduler, workers=args.workers) as client:
        outcomes = run_pipeline(pipeline, client, progress=progress)
    return {
        "pipeline": pipeline.name,
        "output": str(pipeline.output),
        "done": sum(o.status == "done" for o in outcomes),
        "skipped": sum(o.status == "skipped" for o in outcomes),
        "failed": [{"file": o.path, "error": o.error} for o in outcomes if o.status == "failed"],
    }
