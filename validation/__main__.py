"""``python -m validation [--fast] [--families movie,eels] [--out docs/validation.md]``.

Runs every family module ``validation/<family>.py`` that defines ``run(*, fast: bool)``, prints
the error distribution and the coverage of the stated uncertainty per measurement, writes the
markdown report with its plots, and exits 1 when any target is missed (or a family fails to run).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

import validation
from validation.report import FamilyResult, format_table, write_report

NOT_FAMILIES = {"stats", "report", "plots"}
DEFAULT_OUT = Path("docs/validation.md")


def discover_families() -> list[str]:
    """Names of the modules in ``validation/`` that may define a family ``run``."""
    names = [info.name for info in pkgutil.iter_modules(validation.__path__)]
    return sorted(n for n in names if not n.startswith("_") and n not in NOT_FAMILIES)


def run_family(name: str, *, fast: bool) -> FamilyResult | None:
    """Import and run one family; None when the module is not a family (defines no ``run``)."""
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"validation.{name}")
        run = getattr(module, "run", None)
        if run is None:
            return None
        measurements = tuple(run(fast=fast))
        error = None
    except Exception:
        module, measurements, error = None, (), traceback.format_exc()
    doc = (module.__doc__ or "").strip() if module is not None else ""
    return FamilyResult(name, measurements, time.perf_counter() - start, doc, error)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m validation", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--fast", action="store_true", help="the small subset that runs in make test"
    )
    parser.add_argument(
        "--families", default="", help="comma-separated, e.g. movie,eels (default: all)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"markdown report (default: {DEFAULT_OUT} for a full run of every family, "
        "none otherwise)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    available = discover_families()
    wanted = [f.strip() for f in args.families.split(",") if f.strip()] or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        print(
            f"validation: error: no family module {', '.join(unknown)}; "
            f"available: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    results = []
    for name in wanted:
        result = run_family(name, fast=args.fast)
        if result is None:
            continue
        results.append(result)
        if result.error:
            print(f"validation: family {name} failed to run:\n{result.error}", file=sys.stderr)
    print(format_table(results))
    out = args.out
    if out is None and not args.fast and not args.families:
        out = DEFAULT_OUT
    if out is not None:
        write_report(results, out, fast=args.fast)
        print(f"report written to {out}")
    return 0 if results and all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
