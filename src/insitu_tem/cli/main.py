"""Command-line entry point: ``insitu-tem [FILE...]`` opens the GUI,
``insitu-tem COMMAND ...`` runs a batch command. Never imports Qt at module level.

Every command prints one JSON document with ``--json``; bad input exits 2 with
``insitu-tem: error: <file>: <what to do>`` on stderr (``--debug`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import pkgutil
import sys
import traceback
from importlib import import_module
from pathlib import Path
from types import ModuleType

from insitu_tem import __version__
from insitu_tem.cli import commands
from insitu_tem.cli.commands.common import InputError, stderr_progress, to_jsonable
from insitu_tem.core.model import DataError

PROG = "insitu-tem"
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def command_modules() -> dict[str, ModuleType]:
    """Every subcommand module in :mod:`insitu_tem.cli.commands`, by command name."""
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = import_module(f"{commands.__name__}.{info.name}")
        found[module.NAME] = module
    return dict(sorted(found.items()))


def build_command_parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="insitu-tem batch commands")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in modules.items():
        child = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(child)
        child.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        child.add_argument("--debug", action="store_true", help="show tracebacks")
        child.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Open the insitu-tem workbench (no FILE: the sample project). "
        "Batch commands: insitu-tem COMMAND --help.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="files or a project to open")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window offscreen to a PNG and exit")
    parser.add_argument("--signal", type=int, default=None, metavar="N")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def report_error(path: str | None, message: str) -> None:
    """Write the one-line error the user sees."""
    where = f"{Path(path).name}: " if path else ""
    first_line = " ".join(str(message).split())
    sys.stderr.write(f"{PROG}: error: {where}{first_line}\n")


def _print_result(result: dict, *, as_json: bool) -> None:
    document = to_jsonable(result)
    if as_json:
        json.dump(document, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
        return
    for key, value in document.items():
        text = json.dumps(value)
        sys.stdout.write(f"{key}: {text if len(text) < 200 else text[:197] + '...'}\n")


def run_command(argv: list[str], modules: dict[str, ModuleType]) -> int:
    args = build_command_parser(modules).parse_args(argv)
    module = modules[args.command]
    path = getattr(args, "file", None)
    try:
        result = module.run(args, stderr_progress(not (args.quiet or not sys.stderr.isatty())))
    except InputError as error:
        if args.debug:
            traceback.print_exc()
        report_error(error.path or path, error.message)
        return EXIT_BAD_INPUT
    except (DataError, ValueError, OSError) as error:
        if args.debug:
            traceback.print_exc()
        report_error(getattr(error, "filename", None) or path, str(error) or type(error).__name__)
        return EXIT_BAD_INPUT
    except MemoryError:
        report_error(path, "not enough memory; try again with a smaller --roi or a lazy load")
        return EXIT_BAD_INPUT
    except Exception as error:  # noqa: BLE001 - the CLI's last line of defence
        if args.debug:
            traceback.print_exc()
        report_error(path, f"internal error ({type(error).__name__}: {error}); rerun with --debug")
        return EXIT_INTERNAL
    try:
        _print_result(result, as_json=args.json)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def run_gui(argv: list[str]) -> int:
    args = build_gui_parser().parse_args(argv)
    from insitu_tem.gui.app import main as gui_main

    return gui_main(files=args.files, screenshot=args.screenshot, signal=args.signal, debug=args.debug)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``insitu-tem`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    modules = command_modules()
    if argv and argv[0] in modules:
        return run_command(argv, modules)
    if argv and argv[0] in {"-h", "--help"}:
        build_gui_parser().print_help()
        sys.stdout.write("\ncommands: " + ", ".join(modules) + "\n")
        return 0
    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
