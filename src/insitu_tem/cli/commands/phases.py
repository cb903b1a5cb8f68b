"""``insitu-tem phases [--d 2.05,2.35]``: list the phase library or match measured spacings."""

from __future__ import annotations

import argparse
import math

from insitu_tem.analysis.crystal.phases import get_phase, load_cif, load_library, match_spacings
from insitu_tem.cli.commands.common import OptionError, Progress, check_phase, check_range

NAME = "phases"
HELP = "list the reference phases, their reflections, or match d-spacings (and angles) to them"


def _numbers(text: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of numbers"
        ) from error


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--d",
        type=_numbers,
        action="extend",
        default=None,
        metavar="D1,D2,...",
        help="measured d-spacings in Å to match (given again: more spacings)",
    )
    parser.add_argument(
        "--angles",
        type=_numbers,
        action="extend",
        default=None,
        metavar="A1,A2,...",
        help="azimuth in degrees of each spot's g (same count and order as --d)",
    )
    parser.add_argument(
        "--tolerance", type=float, default=0.02, help="relative d tolerance (0.02 = 2 %%)"
    )
    parser.add_argument(
        "--angle-tolerance", type=float, default=2.0, help="angle tolerance in degrees"
    )
    parser.add_argument(
        "--phase",
        action="append",
        default=None,
        metavar="NAME",
        help="restrict to this phase (repeatable); with no --d, list its reflections",
    )
    parser.add_argument(
        "--cif", action="append", default=[], metavar="FILE", help="add a phase from a CIF file"
    )
    parser.add_argument(
        "--d-min", type=float, default=1.0, metavar="A", help="smallest d to list, Å"
    )
    parser.add_argument(
        "--energy", type=float, default=300.0, metavar="KV", help="beam energy in kV"
    )


def _describe(phase, *, d_min: float, energy: float, count: int) -> dict:
    cell = phase.lattice
    return {
        "name": phase.name,
        "space_group": phase.space_group,
        "lattice": {
            "a": cell.a,
            "b": cell.b,
            "c": cell.c,
            "alpha": cell.alpha,
            "beta": cell.beta,
            "gamma": cell.gamma,
        },
        "reflections": [
            {
                "hkl": list(r.hkl),
                "d_A": r.d_A,
                "g_per_A": r.g_per_A,
                "intensity": r.intensity,
                "multiplicity": r.multiplicity,
            }
            for r in phase.reflections(d_min_A=d_min, energy_kV=energy)[:count]
        ],
        "source": phase.source,
    }


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_range("--d-min", args.d_min, low=0.2, high=100.0, example="1.0")
    check_range("--energy", args.energy, low=1.0, high=3000.0, example="300")
    check_range("--tolerance", args.tolerance, low=1e-4, high=0.5, example="0.02")
    check_range("--angle-tolerance", args.angle_tolerance, low=0.01, high=90.0, example="2")
    for values, option in ((args.d, "--d"), (args.angles, "--angles")):
        if values is not None and not (
            1 <= len(values) <= 50 and all(math.isfinite(v) for v in values)
        ):
            raise OptionError(
                None, f"{option} takes 1 to 50 finite numbers, e.g. {option} 2.05,2.35"
            )
    selected = (
        [get_phase(name) for name in args.phase] if args.phase else list(load_library().values())
    )
    cifs = [load_cif(path) for path in args.cif]
    for path, phase in zip(args.cif, cifs):
        check_phase(phase, path)
    pool = selected + cifs
    if args.d is None:
        count = 1000 if args.phase else 6
        return {
            "phases": [
                _describe(p, d_min=args.d_min, energy=args.energy, count=count) for p in pool
            ]
        }
    result = match_spacings(
        args.d,
        angles_deg=args.angles,
        tolerance=args.tolerance,
        angle_tolerance_deg=args.angle_tolerance,
        phases=pool,
        energy_kV=args.energy,
    )
    return {
        "ok": result.ok,
        "ambiguous": result.ambiguous,
        "note": result.note or result.reason,
        "matches": [
            {
                "phase": c.phase,
                "hkl": [list(h) if h else None for h in c.hkl],
                "d_reference_A": list(c.d_reference_A),
                "d_error": list(c.d_error),
                "zone_axis": list(c.zone_axis) if c.zone_axis else None,
                "score": c.score,
                "n_matched": c.n_matched,
            }
            for c in result.candidates
        ],
    }
