"""Run a command in a fresh process and measure its wall time and its own peak memory.

A tiny stdlib-only wrapper process spawns the command and reads the child's
``ru_maxrss`` with ``os.wait4``: the peak resident memory of that child alone
(the benchmark process, which holds large arrays, is never its parent, so its
memory cannot leak into the figure through fork).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WRAPPER = """
import json, os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
err = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
actions = [(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)]
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
print(json.dumps({"s": elapsed, "rss_mb": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status)}))
"""


@dataclass(frozen=True)
class Run:
    """Median wall time (s) and median peak RSS (MB) of repeated runs; captured stdout of the
    last."""

    s: float
    rss_mb: float
    stdout: str
    times: tuple[float, ...]


def run_once(argv: list[str], folder: Path) -> dict:
    """One run of ``argv`` (argv[0] an absolute path): wall time, peak RSS, exit code, stdout."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    result = subprocess.run(
        [sys.executable, "-S", "-c", WRAPPER, str(out), str(err), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout)
    if measured["rc"] != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... failed: {err.read_text()[-1500:]}")
    measured["stdout"] = out.read_text()
    return measured


def median_run(argv: list[str], folder: Path, *, repeats: int = 3) -> Run:
    """Median over ``repeats`` runs of ``argv``."""
    runs = [run_once(argv, folder) for _ in range(repeats)]
    return Run(
        statistics.median(r["s"] for r in runs),
        statistics.median(r["rss_mb"] for r in runs),
        runs[-1]["stdout"],
        tuple(r["s"] for r in runs),
    )
