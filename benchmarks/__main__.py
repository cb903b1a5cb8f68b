"""Run every benchmark module and print one table of our time, the peer's and the ratio.

Each ``benchmarks/bench_*.py`` defines ``run() -> list[dict]`` whose rows hold
``name``, ``ours_s``, ``peer``, ``peer_s`` (None when there is no peer), and
optional ``notes``. ``python -m benchmarks [NAME ...]`` runs a subset.
"""

from __future__ import annotations

import json
import platform
import pkgutil
import sys
from importlib import import_module
from pathlib import Path

import numpy as np


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


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
    print(f"machine: {machine()}")
    header = f"{'benchmark':<48} {'ours (s)':>10} {'peer':<40} {'peer (s)':>10} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for row in rows:
        peer_s = row.get("peer_s")
        ratio = f"{peer_s / row['ours_s']:8.1f}x" if peer_s else "        -"
        peer_text = f"{peer_s:10.4f}" if peer_s else "         -"
        print(f"{row['name']:<48} {row['ours_s']:10.4f} {row.get('peer') or '-':<40} {peer_text} {ratio}")
        if row.get("notes"):
            print(f"    {row['notes']}")
    Path("benchmarks/last_run.json").write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
