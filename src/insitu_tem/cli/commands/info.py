"""``insitu-tem info FILE``: kind, shape, dtype, calibrated axes, signals, warnings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from insitu_tem.cli.commands.common import Progress, add_input_arguments, load_input_and_list

if TYPE_CHECKING:
    from insitu_tem.io.signal_summaries import SignalSummary

NAME = "info"
HELP = "describe a file: kind, shape, dtype, calibrated axes, signals and warnings"

_KIND_WORDS = {
    "image": "image",
    "movie": "movie",
    "pattern": "diffraction pattern",
    "pattern_series": "diffraction pattern series",
    "spectrum": "spectrum",
    "spectrum_series": "spectrum series",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--lazy", action="store_true", default=None, help="force a lazy (dask) load"
    )


def signal_line(summary: SignalSummary) -> str:
    """One signal of a file in words, for choosing ``--signal N``.

    Its index as ``--signal`` takes it (from 0), title, detector, kind (with EDS or EELS), size
    and calibration, e.g. ``--signal 14: EELS (Zebra): EELS spectrum series, 16 × 20 × 2048
    channels, 0.1692 eV/channel from 800 eV``; why it cannot be opened instead of its kind when
    it cannot.
    """
    title = summary.title or "(untitled)"
    if summary.detector and summary.detector.lower() not in title.lower():
        title += f" ({summary.detector})"
    size = " × ".join(str(axis.size) for axis in summary.axes)
    if summary.kind:
        size += " channels" if summary.kind.startswith("spectrum") else " px"
    else:
        return f"--signal {summary.index}: {title}: {size}, cannot be opened ({summary.problem})"
    tag = summary.signal_type.upper()
    words = _KIND_WORDS[summary.kind]
    if summary.kind.startswith("spectrum") and (tag.startswith("EDS") or tag == "EELS"):
        words = f"{'EDS' if tag.startswith('EDS') else 'EELS'} {words}"
    return f"--signal {summary.index}: {title}: {words}, {size}, {_calibration(summary)}"


def _calibration(summary: SignalSummary) -> str:
    last = summary.axes[-1]
    if not last.calibrated:
        return "uncalibrated"
    per = "channel" if summary.kind.startswith("spectrum") else "px"
    step = f"{last.scale:.4g} {last.units}" + (f" per {per}" if "/" in last.units else f"/{per}")
    return step + (f" from {last.offset:.4g} {last.units}" if per == "channel" else "")


def run(args: argparse.Namespace, progress: Progress) -> dict:
    dataset, summaries = load_input_and_list(args, lazy=args.lazy)
    return {**dataset.summary(), "signal_list": [signal_line(s) for s in summaries]}
