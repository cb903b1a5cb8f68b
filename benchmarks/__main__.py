"""Run every benchmark module, print the whole-process and kernel tables, and write
docs/performance.md.

Each ``benchmarks/bench_*.py`` defines ``run() -> list[dict]`` whose rows hold
``name``, ``ours_s``, ``peer``, ``peer_s`` (None when there is no peer), and
optional ``notes``; whole-process rows (``whole_process``) add peak memory,
the ratio and the bar and goal they are held to. ``python -m benchmarks
[NAME ...]`` runs a subset and leaves docs/performance.md alone.
"""

from __future__ import annotations

import json
import os
import platform
import pkgutil
import sys
from importlib import import_module
from pathlib import Path

import numpy as np

from benchmarks.report import kernel_table, markdown, met, whole_table, write

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {memory_gb:.0f} "
        f"GB, Python {platform.python_version()}, numpy {np.__version__}"
    )


def main(selected: list[str]) -> int:
    folder = Path(__file__).parent
    rows = []
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        if selected and info.name.removeprefix("bench_") not in selected:
            continue
        print(f"running {info.name} ...", file=sys.stderr, flush=True)
        rows += import_module(f"benchmarks.{info.name}").run()
    whole = [row for row in rows if row.get("whole_process")]
    kernels = [row for row in rows if not row.get("whole_process")]
    print(f"machine: {machine()}\n")
    print("\n".join(whole_table(whole) + [""] + kernel_table(kernels)))
    Path(folder / "last_run.json").write_text(
        json.dumps({"machine": machine(), "rows": rows}, indent=1)
    )
    if not selected:
        write(DOC, markdown(machine(), whole, kernels))
        print(f"\nwrote {DOC}")
    return 1 if any(met(row, row.get("bar")) is False for row in whole) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
