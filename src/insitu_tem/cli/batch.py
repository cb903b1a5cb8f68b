"""Batch pipelines: the same commands as the CLI, over many files, on dask.distributed.

A pipeline is a TOML file::

    [pipeline]
    name = "front kinetics"
    inputs = ["movies/*.tif"]          # globs, relative to the pipeline file
    output = "results"                 # one folder per input file inside it

    [[step]]
    command = "drift"
    args = ["--reference", "first"]

    [[step]]
    command = "front"
    args = ["--line", "10,128,240,128", "--width", "5", "--drift-correct"]

Every step is an ``insitu-tem`` command run on the input file with those
arguments (parsed by the command's own parser, so batch and CLI agree). Results
go to ``<output>/<file stem>/<command>.json`` with ``provenance.json``; a file
whose ``done.json`` exists is skipped (resume after an interruption); a failing
file gets ``error.json`` and the others go on.
"""

from __future__ import annotations

import argparse
import glob
import json
import time
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from insitu_tem import __version__
from insitu_tem.core.project import write_atomic


@dataclass(frozen=True)
class Step:
    """One command of a pipeline with its extra command-line arguments."""

    command: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pipeline:
    """A named list of steps applied to every input file."""

    name: str
    inputs: tuple[Path, ...]
    output: Path
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input file: "done", "skipped" or "failed"."""

    path: str
    status: str
    seconds: float = 0.0
    error: str = ""
    results: dict = field(default_factory=dict)


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and check a pipeline TOML; raise ValueError saying what to fix."""
    from insitu_tem.cli.parsing import CommandModules

    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"is not valid TOML ({error})") from error
    header = document.get("pipeline", {})
    folder = path.resolve().parent
    patterns = header.get("inputs", [])
    if isinstance(patterns, str):
        patterns = [patterns]
    inputs = sorted({Path(p) for pattern in patterns for p in glob.glob(str(folder / pattern))})
    steps = tuple(Step(str(s.get("command", "")), tuple(map(str, s.get("args", [])))) for s in document.get("step", []))
    known = CommandModules()
    if not steps:
        raise ValueError("has no [[step]]; add at least one, e.g. command = \"info\"")
    for step in steps:
        if step.command not in known or step.command in ("batch", "export"):
            raise ValueError(f"step command {step.command!r} is not a per-file command; use one of "
                             + ", ".join(n for n in known if n not in ("batch", "export")))
    if not inputs:
        raise ValueError(f"inputs {patterns} match no file next to the pipeline")
    return Pipeline(str(header.get("name", path.stem)), tuple(inputs), folder / header.get("output", "results"), steps)


def result_folder(pipeline: Pipeline, input_path: Path) -> Path:
    return pipeline.output / input_path.stem


def run_steps(input_path: str, steps: tuple[Step, ...], folder: str) -> FileOutcome:
    """Run every step on one file, writing results; never raises (runs on a worker)."""
    from insitu_tem.cli.parsing import CommandModules, build_command_parser

    start = time.perf_counter()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    modules = CommandModules()
    parser = build_command_parser(modules)
    results = {}
    try:
        for step in steps:
            args: argparse.Namespace = parser.parse_args([step.command, input_path, *step.args, "--quiet"])
            results[step.command] = modules[step.command].run(args, lambda *_: None)
            write_atomic(out / f"{step.command}.json", _json(results[step.command]))
    except (Exception, SystemExit) as error:  # noqa: BLE001 - reported per file, the batch goes on
        message = f"{type(error).__name__}: {error}"
        write_atomic(out / "error.json", json.dumps({"input": input_path, "error": message}))
        return FileOutcome(input_path, "failed", time.perf_counter() - start, message)
    record = {"input": input_path, "program": "insitu-tem", "version": __version__,
              "steps": [{"command": s.command, "args": list(s.args)} for s in steps]}
    write_atomic(out / "provenance.json", json.dumps(record, indent=1))
    (out / "error.json").unlink(missing_ok=True)
    write_atomic(out / "done.json", json.dumps({"seconds": time.perf_counter() - start}))
    return FileOutcome(input_path, "done", time.perf_counter() - start, results={k: True for k in results})


def _json(result: dict) -> str:
    from insitu_tem.cli.jsonable import to_jsonable

    return json.dumps(to_jsonable(result), allow_nan=False)


@contextmanager
def make_client(*, scheduler: str | None, workers: int):
    """A dask.distributed client: the given scheduler, or a local cluster of ``workers`` processes
    (closed on exit)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def run_pipeline(pipeline: Pipeline, client, *, progress: Callable[[float, str], None] | None = None) -> list[FileOutcome]:
    """Run the pipeline over its inputs on ``client``; finished files are skipped."""
    from dask.distributed import as_completed

    outcomes = []
    todo = []
    for path in pipeline.inputs:
        if (result_folder(pipeline, path) / "done.json").exists():
            outcomes.append(FileOutcome(str(path), "skipped"))
        else:
            todo.append(path)
    futures = [client.submit(run_steps, str(p), pipeline.steps, str(result_folder(pipeline, p)), pure=False)
               for p in todo]
    for count, future in enumerate(as_completed(futures), start=1):
        outcome = future.result()
        outcomes.append(outcome)
        if progress:
            progress(count / max(len(futures), 1), Path(outcome.path).name)
    return sorted(outcomes, key=lambda o: o.path)
