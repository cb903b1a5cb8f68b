"""Conventions shared by every subcommand: input file, calibration override, JSON."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from dataclasses import replace
from typing import Any, Callable

from insitu_tem.cli.errors import InputError, OptionError

# Re-exported: the commands and the entry point import to_jsonable from here.
from insitu_tem.cli.jsonable import to_jsonable  # noqa: F401
from insitu_tem.core.calibration import recalibrate
from insitu_tem.core.model import Axis, Dataset

Progress = Callable[[float, str], None]


def add_input_arguments(parser: argparse.ArgumentParser, *, name: str = "FILE") -> None:
    """Add the input file and the options every reading command accepts."""
    parser.add_argument("file", metavar=name, help="any supported microscope file")
    parser.add_argument(
        "--signal",
        type=int,
        default=None,
        metavar="N",
        help="signal index in a multi-signal file (see `info`)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        metavar="VALUE",
        help="override the pixel/channel size of the signal axes",
    )
    parser.add_argument(
        "--units", default=None, metavar="UNIT", help="units of --scale (nm, Å, 1/nm, eV, ...)"
    )
    parser.add_argument(
        "--kind",
        default=None,
        choices=("image", "movie", "pattern", "pattern_series"),
        help="read the file as this kind, e.g. a movie of diffraction patterns as pattern_series",
    )


def warn(path: str, reason: str) -> None:
    """One ``insitu-tem: warning: PATH: REASON`` line on stderr (on a line of its own after a
    progress bar)."""
    from insitu_tem.cli.parsing import PROG

    start = "\n" if sys.stderr.isatty() else ""
    sys.stderr.write(f"{start}{PROG}: warning: {path}: {reason}\n")
    sys.stderr.flush()


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    """``--force``: allow replacing an existing microscope data file with an output."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing microscope data file with the output (never an input)",
    )


def input_paths(args: argparse.Namespace) -> tuple[str, ...]:
    """Every file a command's options name as input: the positional file, ``--log``,
    ``--also``, ``--composition EL=PATH`` and ``--cif``."""
    named = [getattr(args, "file", None), getattr(args, "log", None)]
    named += list(getattr(args, "also", None) or ())
    named += [item.partition("=")[2] for item in getattr(args, "composition", None) or ()]
    named += list(getattr(args, "cif", None) or ())
    return tuple(str(path) for path in named if path)


def check_outputs(
    args: argparse.Namespace,
    *dests: str,
    inputs: tuple[str, ...] = (),
    table: str | None = None,
) -> None:
    """Refuse bad output paths up front, before any work (see :mod:`insitu_tem.io.outputs`);
    ``table`` names the text written to them (a CSV table), refused under a data file's name."""
    from insitu_tem.io.outputs import check_output

    for dest in dests:
        value = getattr(args, dest, None)
        if value is not None:
            check_output(
                value,
                inputs=(*input_paths(args), *inputs),
                force=getattr(args, "force", False),
                option="--" + dest.replace("_", "-"),
                table=table,
            )


def output_for(args: argparse.Namespace, dest: str, *, inputs: tuple[str, ...] = ()):
    """Context manager yielding the temporary path to write ``args.<dest>`` through."""
    from insitu_tem.io.outputs import output_file

    return output_file(
        getattr(args, dest),
        inputs=(*input_paths(args), *inputs),
        force=getattr(args, "force", False),
        option="--" + dest.replace("_", "-"),
    )


def load_project(path: str, *, command: str):
    """The Session saved in project ``path``; a microscope data file given instead is refused
    saying so (not as a damaged project)."""
    from pathlib import Path

    from insitu_tem.core.project import load_session
    from insitu_tem.io.load import SUPPORTED_SUFFIXES
    from insitu_tem.io.raw_formats import OTHER_RAW_SUFFIXES

    if Path(path).is_dir():
        raise InputError(path, "is a folder; give the project file (.itproj) itself")
    if Path(path).suffix.lower() in SUPPORTED_SUFFIXES + OTHER_RAW_SUFFIXES:
        raise InputError(
            path,
            f"is a data file, not a project; `{command}` takes a project (.itproj) saved from "
            "the workbench (File ▸ Save Project) — see the file itself with `insitu-tem info`",
        )
    return load_session(path)


def check_range(
    option: str,
    value: float | None,
    *,
    low: float | None = None,
    high: float | None = None,
    example: str = "",
) -> None:
    """Raise OptionError unless ``low <= value <= high`` (and finite); None passes."""
    if value is None:
        return
    ok = math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)
    if ok:
        return
    if low is not None and low > 0 and math.isfinite(value) and value <= 0:
        bounds = "positive" + (f" (at most {high:g})" if high is not None else "")
    elif low is not None and high is not None:
        bounds = f"between {low:g} and {high:g}"
    elif low is not None:
        bounds = f"at least {low:g}"
    elif high is not None:
        bounds = f"at most {high:g}"
    else:
        bounds = "a finite number"
    raise OptionError(
        None,
        f"{option} {value:g} must be {bounds}" + (f", e.g. {option} {example}" if example else ""),
    )


def load_input(args: argparse.Namespace, **kwargs: Any) -> Dataset:
    """Load ``args.file`` honouring ``--signal``, ``--scale`` and ``--units``."""
    from insitu_tem.io.load import load

    _check_input_options(args)
    dataset = load(args.file, signal=args.signal, kind=getattr(args, "kind", None), **kwargs)
    return recalibrate(dataset, scale=args.scale, units=args.units)


def load_input_and_list(args: argparse.Namespace, **kwargs: Any) -> tuple[Dataset, tuple]:
    """:func:`load_input` and a :class:`~insitu_tem.io.load.SignalSummary` of every signal of
    the file (one read)."""
    from insitu_tem.io.signal_summaries import load_and_list

    _check_input_options(args)
    dataset, summaries = load_and_list(
        args.file, signal=args.signal, kind=getattr(args, "kind", None), **kwargs
    )
    return recalibrate(dataset, scale=args.scale, units=args.units), summaries


def _check_input_options(args: argparse.Namespace) -> None:
    if args.scale is not None and not (math.isfinite(args.scale) and args.scale > 0):
        raise OptionError(
            None, f"--scale {args.scale:g} is not a positive number; give e.g. --scale 0.05"
        )
    check_range("--scale", args.scale, low=1e-12, high=1e12, example="0.05")
    check_range("--signal", args.signal, low=0)


def require_kind(
    dataset: Dataset,
    kinds: tuple[str, ...],
    *,
    command: str,
    fits: Callable[[Any], bool] | None = None,
) -> None:
    """Raise InputError unless ``dataset.kind`` is one of ``kinds``; in a multi-signal file the
    message names the signals of those kinds (and, with ``fits``, that a
    :class:`~insitu_tem.io.load.SignalSummary` passes) to open instead."""
    if dataset.kind not in kinds:
        raise InputError(
            dataset.source,
            f"is {_article(dataset.kind)} {dataset.kind}, but `{command}` needs "
            f"{_article(kinds[0])} {' or '.join(kinds)}"
            + other_signals(dataset, lambda s: s.kind in kinds and (fits is None or fits(s))),
        )


def other_signals(dataset: Dataset, fits: Callable[[Any], bool]) -> str:
    """For a multi-signal file opened at a signal a command cannot use: ``"; open --signal 14,
    15 or 16 of this file instead"`` (``"; open --signal 1 (HAADF) of this file instead"`` for
    one) naming, by the number ``--signal`` takes (from 0), the signals whose
    :class:`~insitu_tem.io.load.SignalSummary` ``fits``; "" for a single-signal file, when none
    fits or when the file cannot be listed again."""
    if len(dataset.signals) < 2:
        return ""
    from insitu_tem.core.model import DataError
    from insitu_tem.io.signal_summaries import load_or_list

    try:
        listed = load_or_list(dataset.source)
    except (DataError, OSError):
        return ""
    opened = dataset.metadata.get("signal_index")
    found = (
        []
        if isinstance(listed, Dataset)
        else [s for s in listed if s.index != opened and s.kind and fits(s)]
    )
    if not found:
        return ""
    if len(found) == 1:
        return f"; open --signal {found[0].index} ({found[0].title}) of this file instead"
    numbers = [str(s.index) for s in found]
    return f"; open --signal {', '.join(numbers[:-1])} or {numbers[-1]} of this file instead"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


_INTERRUPT = {"requested": False}


def _on_sigint(signum, frame) -> None:
    _INTERRUPT["requested"] = True
    raise KeyboardInterrupt


def _quiet_interrupt_in_finaliser(unraisable) -> None:
    """A Ctrl-C that lands in a finaliser or weakref callback is already remembered; do not
    print it as an "Exception ignored" traceback. Anything else goes to Python's default hook."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def catch_interrupts() -> None:
    """Remember Ctrl-C so that progress reports raise it again: a KeyboardInterrupt that lands in
    a finaliser (e.g. matplotlib's) is swallowed by Python, the next progress report is not."""
    _INTERRUPT["requested"] = False
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)
        sys.unraisablehook = _quiet_interrupt_in_finaliser


def stderr_progress(enabled: bool) -> Progress:
    """A progress callback drawing a one-line bar on stderr (no-op when disabled); it raises
    KeyboardInterrupt once Ctrl-C was pressed (see :func:`catch_interrupts`)."""

    def report(fraction: float, message: str = "") -> None:
        if _INTERRUPT["requested"]:
            raise KeyboardInterrupt
        if not enabled:
            return
        width = 30
        filled = int(round(max(0.0, min(1.0, fraction)) * width))
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:6.1%} {message[:40]:<40}"
        )
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


MIN_PATTERN_PX = 8
"""Smallest pattern side a direct-beam centre and a radial profile can be measured on, px."""


def as_patterns(dataset: Dataset, kinds: tuple[str, ...], *, command: str) -> Dataset:
    """The dataset as diffraction patterns for a command that needs ``kinds``.

    A movie (a stack of frames the reader could not tell were patterns) is read
    as a pattern series, frame by frame, with a note in its warnings; signal
    axes not in 1/nm become uncalibrated pixels. Anything else outside
    ``kinds``, patterns smaller than 8 × 8 px and patterns with unreadable pixels
    (:func:`~insitu_tem.io.kinds.unusable_values` with ``squared_sum``) raise InputError.
    """
    from insitu_tem.io.kinds import unusable_values

    if dataset.kind == "movie" and "pattern_series" in kinds:
        patterns = tuple(
            a if a.units == "1/nm" else Axis(n, a.size)
            for a, n in zip(dataset.signal_axes, ("ky", "kx"))
        )
        note = (
            f"a movie read as a series of {dataset.n_items} diffraction patterns "
            "(say so with --kind pattern_series to silence this note)"
        )
        used = replace(
            dataset,
            kind="pattern_series",
            axes=dataset.navigation_axes + patterns,
            warnings=dataset.warnings + (note,),
        )
    else:
        require_kind(dataset, kinds, command=command)
        used = dataset
    rows, cols = used.shape[-2:]
    if min(rows, cols) < MIN_PATTERN_PX:
        raise InputError(
            used.source,
            f"holds {rows} × {cols} px patterns; `{command}` needs at least "
            f"{MIN_PATTERN_PX} × {MIN_PATTERN_PX} px",
        )
    unreadable = unusable_values(used.array, squared_sum=True)
    if unreadable:
        raise InputError(
            used.source,
            f"holds {unreadable} NaN, infinite or overflowing pixel values, which `{command}` "
            "cannot centre or integrate; replace them (e.g. by 0) and export the patterns again",
        )
    return used


def conversion_note(loaded: Dataset, used: Dataset) -> dict[str, str]:
    """``{"note": ...}`` when :func:`as_patterns` read ``loaded`` as something else, else ``{}``."""
    return {} if used is loaded else {"note": used.warnings[-1]}


MAX_CELL_A = 200.0
MAX_CELL_SITES = 2000


def check_phase(phase, path: str) -> None:
    """Refuse a crystal structure too large to simulate within memory and time
    (cell edges 1-200 Å, at most 2000 sites in the asymmetric unit, 20 000 atoms per cell)."""
    cell = phase.lattice
    edges = (cell.a, cell.b, cell.c)
    if not all(math.isfinite(e) and 1.0 <= e <= MAX_CELL_A for e in edges):
        raise InputError(
            path,
            f"has cell edges {', '.join(f'{e:g}' for e in edges)} Å; insitu-tem simulates "
            f"cells with edges from 1 to {MAX_CELL_A:g} Å",
        )
    if (
        len(phase.sites) > MAX_CELL_SITES
        or len(phase.sites) * len(phase.symmetry_operations) > 20_000
    ):
        raise InputError(
            path,
            f"has {len(phase.sites)} sites × {len(phase.symmetry_operations)} symmetry "
            "operations; at most 20 000 atoms per cell can be simulated",
        )


def require_memory(dataset: Dataset, command: str, *, copies: float = 3.0) -> None:
    """Raise InputError when ``command`` would hold ``dataset`` in memory (with ``copies``
    working copies) beyond the memory budget."""
    from insitu_tem.io.readers.budget import human, memory_budget

    need = float(math.prod(dataset.shape)) * max(dataset.array.dtype.itemsize, 4) * copies
    budget = memory_budget()
    if need > budget:
        raise InputError(
            dataset.source,
            f"is {human(need / copies)} decoded; `{command}` needs about {human(need)} "
            f"of memory for it, more than the {human(budget)} budget — crop or bin "
            "the data, or choose fewer frames/patterns",
        )
