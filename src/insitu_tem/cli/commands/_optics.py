"""``--kv`` and ``--cs`` of `lattice`: the objective's voltage and Cs, with which the broad ring is
measured through the Thon rings (the defocus fitted, the transfer divided out)."""

from __future__ import annotations

import argparse

from insitu_tem.analysis.hrtem.thon_fit import Optics
from insitu_tem.cli.commands.common import InputError, check_range


def add_optics_arguments(parser: argparse.ArgumentParser) -> None:
    """--kv and --cs."""
    parser.add_argument(
        "--kv",
        type=float,
        default=None,
        metavar="KV",
        help="accelerating voltage, kV (default: the file's, when it has one); with --cs the "
        "broad ring is measured through the Thon rings and the defocus fitted",
    )
    parser.add_argument(
        "--cs",
        type=float,
        default=None,
        metavar="MM",
        help="spherical aberration Cs, mm (default: the file's, when it has one)",
    )


def optics_from(args: argparse.Namespace, metadata: dict, warnings: list[str]) -> Optics | None:
    """The optics from --kv and --cs, each else from the file's ``metadata``; None without
    either (the ring is then declined when Thon rings are seen)."""
    given = {"kv": args.kv, "cs": args.cs}
    read = {"kv": metadata.get("beam_energy_kV"), "cs": metadata.get("cs_mm")}
    value = {name: read[name] if given[name] is None else given[name] for name in given}
    missing = [name for name in value if value[name] is None]
    if missing and any(v is not None for v in given.values()):
        raise InputError(
            args.file,
            f"give both --kv KV and --cs MM, e.g. --kv 200 --cs 1.2 (the file gives no "
            f"{missing[0]})",
        )
    if missing:
        return None
    warnings.extend(
        f"--{name} {read[name]:g} taken from the file's metadata"
        for name in value
        if given[name] is None
    )
    check_range("--kv", value["kv"], low=20.0, high=1500.0, example="200")
    check_range("--cs", value["cs"], low=-10.0, high=10.0, example="1.2")
    return Optics(float(value["kv"]), float(value["cs"]))
