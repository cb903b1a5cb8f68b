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
go to ``<output>/<path of the input below the pipeline's folder, without its
suffix>/<command>.json`` (``movies/a/m.tif`` -> ``results/movies/a/m/``; always
inside the output folder) with ``provenance.json``; a file whose ``done.json``
exists is skipped (resume after an interruption); a failing file gets
``error.json`` and the others go on. The TOML is checked (size, types) before
anything runs.
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import os
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
    folder: Path = Path(".")


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input file: "done", "skipped" or "failed"."""

    path: str
    status: str
    seconds: float = 0.0
    error: str = ""
    results: dict = field(default_factory=dict)


MAX_PIPELINE_BYTES = 2**20
MAX_INPUTS = 100_000
NOT_PER_FILE = ("batch", "export", "bench", "across", "rings", "phases")


def _read_toml(path: Path) -> dict:
    if not path.is_file():
        raise ValueError("no such pipeline file; check the path")
    if path.stat().st_size > MAX_PIPELINE_BYTES:
        raise ValueError(
            f"is {path.stat().st_size / 1e6:.1f} MB; a pipeline is a short TOML file (at most 1 "
            "MiB)"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"is not valid TOML ({error})") from None
    except RecursionError:
        raise ValueError("is nested too deeply to be a pipeline") from None


def _strings(value, what: str, *, limit: int) -> list[str]:
    value = [value] if isinstance(value, str) else value
    if (
        not isinstance(value, list)
        or len(value) > limit
        or not all(isinstance(v, str) for v in value)
    ):
        raise ValueError(f"{what} must be a list of at most {limit} strings")
    return value


def _steps(document: dict) -> tuple[Step, ...]:
    from insitu_tem.cli.parsing import COMMANDS

    raw = document.get("step", [])
    if isinstance(raw, dict):
        raise ValueError(
            "has [step] where [[step]] belongs: write each step as [[step]] (a list of tables)"
        )
    if not isinstance(raw, list) or not raw:
        raise ValueError('has no [[step]]; add at least one, e.g. command = "info"')
    steps = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
            raise ValueError(f'step {i + 1} needs command = "NAME" (a string)')
        if entry["command"] not in COMMANDS or entry["command"] in NOT_PER_FILE:
            raise ValueError(
                f"step command {entry['command']!r} is not a per-file command; use one of "
                + ", ".join(n for n in COMMANDS if n not in NOT_PER_FILE)
            )
        steps.append(
            Step(
                entry["command"],
                tuple(_strings(entry.get("args", []), f"step {i + 1} args", limit=200)),
            )
        )
    return tuple(steps)


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and check a pipeline TOML; raise ValueError saying what to fix."""
    path = Path(path)
    document = _read_toml(path)
    header = document.get("pipeline", {})
    if not isinstance(header, dict):
        raise ValueError("[pipeline] must be a table with name, inputs and output")
    folder = path.resolve().parent
    patterns = _strings(header.get("inputs", []), "[pipeline] inputs", limit=1000)
    name, output = header.get("name", path.stem), header.get("output", "results")
    if not isinstance(name, str) or not isinstance(output, str) or not output.strip():
        raise ValueError(
            '[pipeline] name and output must be strings (output: a folder name, e.g. "results")'
        )
    steps = _steps(document)
    inputs = sorted(
        {
            Path(p)
            for pattern in patterns
            for p in glob.glob(str(folder / pattern))
            if os.path.isfile(p)
        }
    )
    if not inputs:
        raise ValueError(f"inputs {patterns} match no file next to the pipeline")
    if len(inputs) > MAX_INPUTS:
        raise ValueError(
            f"inputs match {len(inputs)} files; split the pipeline (at most {MAX_INPUTS})"
        )
    return Pipeline(name, tuple(inputs), folder / output, steps, folder)


def _safe_part(part: str) -> str:
    part = part.replace(os.sep, "_").replace("\x00", "_")
    return "_" + part if part.startswith(".") or not part else part


def result_folder(pipeline: Pipeline, input_path: Path) -> Path:
    """The input's result folder: its path below the pipeline folder without the suffix, every
    part made safe ("..", hidden names), always inside the output folder."""
    absolute = Path(os.path.abspath(input_path))
    try:
        relative = absolute.relative_to(pipeline.folder)
    except ValueError:
        relative = Path("_outside", *absolute.parts[1:])
    parts = list(relative.parts[:-1]) + [
        relative.name[: -len(relative.suffix)] if relative.suffix else relative.name
    ]
    folder = pipeline.output.joinpath(*[_safe_part(p) for p in parts])
    root = os.path.abspath(pipeline.output)
    if os.path.commonpath([root, os.path.abspath(folder)]) != root:
        raise ValueError(f"{input_path.name}: its result folder would leave the output folder")
    return folder


def run_steps(input_path: str, steps: tuple[Step, ...], folder: str) -> FileOutcome:
    """Run every step on one file, writing results; never raises (runs on a worker)."""
    from insitu_tem.cli.parsing import CommandModules, build_command_parser

    start = time.perf_counter()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    modules = CommandModules()
    parser = build_command_parser(modules)
    results = {}
    command = steps[0].command if steps else ""
    try:
        for step in steps:
            command = step.command
            args: argparse.Namespace = parser.parse_args(
                [step.command, input_path, *step.args, "--quiet"]
            )
            results[step.command] = modules[step.command].run(args, lambda *_: None)
            write_atomic(out / f"{step.command}.json", _json(results[step.command]))
    except (Exception, SystemExit) as error:  # noqa: BLE001 - reported per file, the batch goes on
        message = _failure(command, error, input_path)
        write_atomic(out / "error.json", json.dumps({"input": input_path, "error": message}))
        return FileOutcome(input_path, "failed", time.perf_counter() - start, message)
    record = {
        "input": input_path,
        "program": "insitu-tem",
        "version": __version__,
        "steps": [{"command": s.command, "args": list(s.args)} for s in steps],
    }
    write_atomic(out / "provenance.json", json.dumps(record, indent=1))
    (out / "error.json").unlink(missing_ok=True)
    write_atomic(out / "done.json", json.dumps({"seconds": time.perf_counter() - start}))
    return FileOutcome(
        input_path, "done", time.perf_counter() - start, results={k: True for k in results}
    )


def _failure(command: str, error: BaseException, input_path: str) -> str:
    """The one line ``error.json`` and the summary give: the step, then what the command line
    would say after the file name (``eels: is a pattern, but `eels` needs a spectrum…``)."""
    from insitu_tem.cli.errors import classify_error

    _, where, text = classify_error(error, input_path)
    named = "" if where in (None, input_path) else f"{Path(where).name}: "
    return f"{command}: {named}{' '.join(str(text).split())}"


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
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL + 1,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_pipeline(
    pipeline: Pipeline, client, *, progress: Callable[[float, str], None] | None = None
) -> list[FileOutcome]:
    """Run the pipeline over its inputs on ``client``; finished files are skipped."""
    from dask.distributed import as_completed

    outcomes = []
    todo = []
    for path in pipeline.inputs:
        if (result_folder(pipeline, path) / "done.json").exists():
            outcomes.append(FileOutcome(str(path), "skipped"))
        else:
            todo.append(path)
    futures = [
        client.submit(
            run_steps, str(p), pipeline.steps, str(result_folder(pipeline, p)), pure=False
        )
        for p in todo
    ]
    for count, future in enumerate(as_completed(futures), start=1):
        outcome = future.result()
        outcomes.append(outcome)
        if progress:
            progress(count / max(len(futures), 1), Path(outcome.path).name)
    return sorted(outcomes, key=lambda o: o.path)
