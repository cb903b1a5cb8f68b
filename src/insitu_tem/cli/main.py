"""Command-line entry point: ``insitu-tem [FILE...]`` opens the GUI,
``insitu-tem COMMAND ...`` runs a batch command. Never imports Qt at module level,
and imports only the module of the command that runs.

Every command prints one JSON document with ``--json``; bad input or a bad option
exits 2 with one line ``insitu-tem: error: <file or option>: <what to do>`` on
stderr (``--debug`` shows the traceback); Ctrl-C exits 130 with
``insitu-tem: interrupted``. Library warnings and log lines are collected, not
printed.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import traceback
from pathlib import Path
from typing import Mapping

from insitu_tem.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    OptionError,
    classify_error,
)
from insitu_tem.cli.parsing import (
    COMMANDS,
    PROG,
    CommandModules,
    build_command_parser,
    build_gui_parser,
)
from insitu_tem.cli.quiet import library_messages, native_stderr_collected


__all__ = [
    "build_command_parser",
    "classify_error",
    "command_modules",
    "main",
    "report_error",
    "run_command",
]


def command_modules() -> CommandModules:
    """Every subcommand module by command name, each imported when first looked up."""
    return CommandModules()


def printable(text: str) -> str:
    """``text`` on one line: control characters (a newline in a file name) escaped, and the bytes
    of a name that is not UTF-8 shown as ``\\xff`` (not as the surrogates Python reads them as)."""
    text = str(text)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        pass
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def report_error(path: str | None, message: str) -> None:
    """Write the one-line error the user sees: ``path``'s name, then ``message`` (which may
    start with that name already)."""
    name = None
    if path is not None and str(path) != "":
        name = (
            Path(path).name
            if Path(path).name not in ("", "..")
            else Path(path).resolve().name or str(path)
        )
    first_line = " ".join(printable(" ".join(str(message).split())).split())
    where = f"{printable(name)}: " if name else ""
    if first_line.startswith(where):
        where = ""
    sys.stderr.write(f"{PROG}: error: {where}{first_line}\n")
    sys.stderr.flush()


def interrupted() -> int:
    """Report Ctrl-C in one line; return exit code 130."""
    start = "\n" if sys.stderr.isatty() else ""
    sys.stderr.write(f"{start}{PROG}: interrupted\n")
    sys.stderr.flush()
    return EXIT_INTERRUPTED


TEXT_WIDTH = 200
"""Characters of one line of the text output (``--json`` prints everything)."""
TEXT_ITEMS = 12
"""A list of at most this many records (axes, rings, phase matches) is shown one a line."""
WRAP_WIDTH = 100
"""Characters of one line of a long text (a reason) written whole over several lines."""


def _text_lines(key: str, value) -> list[str]:
    """The text output of one result field: ``key: value`` cut at :data:`TEXT_WIDTH`, with
    characters as they are (``γ-WO3``, ``240–444.7 eV``, not JSON escapes); a text too long for
    one line (a reason) is written whole, wrapped at :data:`WRAP_WIDTH` under ``key:``; a list
    too long for one line is written one item a line: texts (warnings, signals) in full, up to
    :data:`TEXT_ITEMS` records (axes, rings, phase matches) each cut at the width."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text) < TEXT_WIDTH:
        return [f"{key}: {text}"]
    if isinstance(value, str):
        lines = textwrap.wrap(printable(value), WRAP_WIDTH - 2, break_on_hyphens=False)
        return [f"{key}:", *(f"  {line}" for line in lines)]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [f"{key}:", *(f"  - {printable(item)}" for item in value)]
    if isinstance(value, list) and 0 < len(value) <= TEXT_ITEMS:
        return [f"{key}:", *(_cut(f"  - {json.dumps(item, ensure_ascii=False)}") for item in value)]
    return [_cut(f"{key}: {text}")]


def _cut(line: str) -> str:
    return line if len(line) < TEXT_WIDTH else f"{line[: TEXT_WIDTH - 3]}..."


def _print_result(result: dict | list[dict], *, as_json: bool) -> None:
    """One JSON document (a list of them for a command that measured several things, e.g. one
    per ``--edge``); as text, each document's lines, documents apart by a blank line."""
    from insitu_tem.cli.commands.common import to_jsonable

    document = to_jsonable(result)
    if as_json:
        sys.stdout.write(json.dumps(document, allow_nan=False) + "\n")
        return
    encoding = sys.stdout.encoding or "utf-8"
    for index, part in enumerate(document if isinstance(document, list) else [document]):
        lines = [""] if index else []
        lines += [line for key, value in part.items() for line in _text_lines(key, value)]
        text = "".join(f"{line}\n" for line in lines)
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))


def run_command(argv: list[str], modules: Mapping | None = None) -> int:
    """Parse and run one command; return the exit code."""
    modules = command_modules() if modules is None else modules
    debug = "--debug" in argv
    path = None
    with library_messages() as messages:
        try:
            named = argv[0] if argv and argv[0] in set(modules) else None
            args = build_command_parser(modules, only=named).parse_args(argv)
            path = getattr(args, "file", None)
            quiet = args.quiet or not sys.stderr.isatty()
            from insitu_tem.cli.commands.common import catch_interrupts, stderr_progress

            catch_interrupts()
            result = modules[args.command].run(args, stderr_progress(not quiet))
        except KeyboardInterrupt:
            return interrupted()
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001 - the CLI's last line of defence
            if debug:
                traceback.print_exc()
                sys.stderr.write("".join(f"  {line}\n" for line in messages))
            code, where, message = classify_error(error, path)
            report_error(where, message)
            return code
    try:
        _print_result(result, as_json=args.json)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def run_gui(argv: list[str]) -> int:
    try:
        args = build_gui_parser().parse_args(argv)
    except OptionError as error:
        report_error(None, error.message)
        return EXIT_BAD_INPUT
    from insitu_tem.gui.app import main as gui_main

    return gui_main(
        files=args.files,
        screenshot=args.screenshot,
        size=args.size,
        signal=args.signal,
        debug=args.debug,
    )


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] in COMMANDS:
        return run_command(argv)
    if argv and argv[0] in {"-h", "--help"}:
        build_gui_parser().print_help()
        width = max(map(len, COMMANDS))
        sys.stdout.write("\ncommands (insitu-tem COMMAND --help):\n")
        sys.stdout.write(
            "".join(f"  {name:<{width}}  {text}\n" for name, (_, text) in COMMANDS.items())
        )
        return 0
    return run_gui(argv)


def _silence_exit() -> None:
    """After Ctrl-C the one line is written: what libraries print while shutting down
    (dask.distributed's atexit cluster close) goes nowhere."""
    sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``insitu-tem`` console script; returns the exit code."""
    console = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if console and argv and argv[0] in COMMANDS:
            with native_stderr_collected(replay="--debug" in argv):
                code = _dispatch(argv)
            if code == EXIT_INTERRUPTED:
                _silence_exit()
            return code
        return _dispatch(argv)
    except KeyboardInterrupt:
        return interrupted()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
