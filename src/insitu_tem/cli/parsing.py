"""The command table and the argument parser: one-line option errors, negative numbers as
values, and command modules imported only when their command runs.

``COMMANDS`` names every command, its module and its help without importing it, so
``insitu-tem --help`` and ``insitu-tem info`` import nothing they do not use.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Iterator, Mapping
from importlib import import_module
from types import ModuleType

from insitu_tem.cli.errors import OptionError

PROG = "insitu-tem"
PACKAGE = "insitu_tem.cli.commands"

COMMANDS: dict[str, tuple[str, str]] = {
    "across": (
        "across",
        "W O2,3 shift, Li K, lattice strain and phase fractions against distance from the reaction "
        "front",
    ),
    "batch": (
        "batch",
        "run a pipeline (TOML) of commands over many files, locally or on a dask.distributed "
        "scheduler",
    ),
    "crystallinity": (
        "crystallinity",
        "crystalline area fraction, domain size and a crystalline/amorphous map from a "
        "sliding-window FFT",
    ),
    "diffraction": (
        "diffraction",
        "analyse one diffraction pattern: centre, spots (d, g, angle, hkl), rings and "
        "radial profile",
    ),
    "dose": (
        "dose",
        "electron dose per frame and cumulative (e/Å²) from the beam current or the camera counts",
    ),
    "drift": (
        "drift",
        "measure the rigid drift of a movie (sub-pixel phase correlation); shifts per frame",
    ),
    "eds": (
        "eds",
        "EDS: which X-ray lines a spectrum (or a spectrum image's sum) holds; line maps and "
        "Cliff–Lorimer wt %",
    ),
    "eels": (
        "eels",
        "EELS: ZLP offset/FWHM per spectrum; --edge adds onsets, chemical shifts and a window map",
    ),
    "export": (
        "export",
        "render a view of a project (movie, hrtem, survey, nbd, nbd-profile, nbd-map, eels, "
        "montage, kymograph, kinetics, across, figure, overview, timeline, tomo) to "
        "PNG/TIFF/SVG/PDF, or the movie to MP4/GIF",
    ),
    "front": (
        "front",
        "track a reaction front along a line (kymograph + step fit) and fit its kinetics",
    ),
    "info": ("info", "describe a file: kind, shape, dtype, calibrated axes, signals and warnings"),
    "lattice": (
        "lattice",
        "lattice spacings from the FFT of an HRTEM image: spots, refined lattice, phase matches",
    ),
    "log": (
        "log",
        "read a holder log (Protochips, DENSsolutions Impulse or .dens, CSV/TSV): channels, start, "
        "notes",
    ),
    "nbd": (
        "nbd",
        "analyse an NBD scan: direct-beam centres, lattice strain, crystalline flags, NMF phase "
        "fractions",
    ),
    "phases": (
        "phases",
        "list the reference phases, their reflections, or match d-spacings (and angles) to them",
    ),
    "radial": (
        "radial",
        "radial (azimuthally averaged) profiles I(r) of a diffraction pattern or pattern series",
    ),
    "rings": (
        "rings",
        "simulate the electron-diffraction ring profile of a spherical grain (Debye equation)",
    ),
    "segment": (
        "segment",
        "segment a float32 TIFF volume (Otsu, multi-Otsu, watershed); shell thickness, voids, "
        "volumes per label",
    ),
    "tomo": (
        "tomo",
        "tilt-series tomography: align (auto), reconstruct (MLEM-20) HAADF and EDS/other channels "
        "to TIFF volumes",
    ),
}

_NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)


class CommandModules(Mapping):
    """Command name -> module, importing a module only when it is looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, ModuleType] = {}

    def __getitem__(self, name: str) -> ModuleType:
        if name not in COMMANDS:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = import_module(f"{PACKAGE}.{COMMANDS[name][0]}")
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class StoreOnce(argparse._StoreAction):
    """An option that takes one value: given again with another value, it is refused (argparse
    would keep the last silently, so ``--model exp --model linear`` measured with one model while
    the user asked for two). A NaN is refused as such (it never equals itself, so it read as a
    second value)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if isinstance(values, float) and math.isnan(values):
            raise argparse.ArgumentError(self, "nan is not a number; give a finite value")
        if parser.given.setdefault(self.dest, values) != values:
            raise argparse.ArgumentError(
                self, "given twice with different values, but it takes one value; give it once"
            )
        super().__call__(parser, namespace, values, option_string)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise :class:`OptionError` (one line) instead of
    printing the usage, which takes ``--line -5,3,...`` as an option value, and which refuses an
    option of one value given twice with different values (:class:`StoreOnce`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, StoreOnce)
        self.register("action", "store", StoreOnce)
        self.given: dict[str, object] = {}

    def error(self, message: str):
        raise OptionError(None, f"{' '.join(message.split())}; see `{self.prog} --help`")

    def parse_known_args(self, args=None, namespace=None):
        self.given = {}
        return super().parse_known_args(self._join_negative_values(args), namespace)

    def _join_negative_values(self, args):
        if args is None:
            return None
        joined, args = [], list(args)
        index = 0
        while index < len(args):
            token = args[index]
            action = self._option_string_actions.get(token)
            following = args[index + 1] if index + 1 < len(args) else None
            if (
                action is not None
                and action.nargs is None
                and action.option_strings
                and isinstance(following, str)
                and _NEGATIVE_VALUE.match(following)
            ):
                joined.append(f"{token}={following}")
                index += 2
                continue
            joined.append(token)
            index += 1
        return joined


class CommandParser(OneLineParser):
    """A command's parser that imports its module and adds its options on first use."""

    def __init__(self, *args, command: str = "", modules: Mapping | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._command, self._modules, self._ready = command, modules, False

    def populate(self) -> "CommandParser":
        """Import the command's module and add its arguments (once)."""
        if not self._ready:
            self._ready = True
            self._modules[self._command].add_arguments(self)
            self.add_argument(
                "--json", action="store_true", help="print one JSON document on stdout"
            )
            self.add_argument("--debug", action="store_true", help="show tracebacks")
            self.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
        return self

    def parse_known_args(self, args=None, namespace=None):
        self.populate()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self.populate()
        return super().format_help()

    def format_usage(self) -> str:
        self.populate()
        return super().format_usage()


class _VersionAction(argparse.Action):
    def __init__(
        self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None
    ):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from insitu_tem import __version__

        sys.stdout.write(f"{PROG} {__version__}\n")
        parser.exit()


def build_command_parser(
    modules: Mapping | None = None, *, only: str | None = None
) -> OneLineParser:
    """The parser of every ``insitu-tem COMMAND`` (or of the command ``only`` alone, which is
    all one command line needs); a command's module is imported only when its arguments are
    parsed or its help is shown."""
    modules = CommandModules() if modules is None else modules
    parser = OneLineParser(prog=PROG, description="insitu-tem batch commands")
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )
    for name in modules if only is None else [only]:
        help_text = COMMANDS[name][1] if name in COMMANDS else modules[name].HELP
        sub.add_parser(name, help=help_text, description=help_text, command=name, modules=modules)
    return parser


def command_parser(parser: OneLineParser, name: str) -> CommandParser:
    """The (populated) sub-parser of one command."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.choices[name].populate()


def _window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give the size as WIDTHxHEIGHT, e.g. 1280x800")
    if not (320 <= width <= 10000 and 240 <= height <= 10000):
        raise argparse.ArgumentTypeError(f"{text!r}: give a size from 320x240 to 10000x10000 px")
    return width, height


def build_gui_parser() -> OneLineParser:
    """The parser of ``insitu-tem [FILE...]`` (the workbench)."""
    parser = OneLineParser(
        prog=PROG,
        description="Open the insitu-tem workbench (no FILE: the sample project). "
        "Batch commands: insitu-tem COMMAND --help.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="files or a project to open")
    parser.add_argument(
        "--screenshot", metavar="PATH", help="render the window offscreen to a PNG and exit"
    )
    parser.add_argument(
        "--size",
        type=_window_size,
        default=None,
        metavar="WxH",
        help="window size in px, e.g. 1280x800 (default: the screen; 1920x1200 for --screenshot)",
    )
    parser.add_argument(
        "--signal",
        type=int,
        default=None,
        metavar="N",
        help="signal index to open in a multi-signal file (see `insitu-tem info FILE`)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    return parser
