"""Opening a 2 GiB in situ movie: time to the first frame and peak memory, ours vs
tifffile/HyperSpy.

Each side runs in a fresh subprocess and reports its own peak resident memory (VmHWM).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ._inputs import BIG_FRAMES as FRAMES, BIG_SIZE as SIZE, big_movie

PEAK = """
def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's (kept across fork+exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

OURS = """
import json, sys, time
t0 = time.perf_counter()
from insitu_tem.io.load import load
dataset = load(sys.argv[1])
frame = dataset.frame(0)
elapsed = time.perf_counter() - t0
print(json.dumps({"s": elapsed, "rss_mb": peak_mb(),
                  "lazy": dataset.lazy}))
"""

HYPERSPY = """
import json, sys, time
t0 = time.perf_counter()
import hyperspy.api as hs
signal = hs.load(sys.argv[1], lazy=True)
frame = signal.inav[0].data.compute()
elapsed = time.perf_counter() - t0
print(json.dumps({"s": elapsed, "rss_mb": peak_mb()}))
"""

TIFFFILE_EAGER = """
import json, sys, time
t0 = time.perf_counter()
import tifffile
movie = tifffile.imread(sys.argv[1])
frame = movie[0]
elapsed = time.perf_counter() - t0
print(json.dumps({"s": elapsed, "rss_mb": peak_mb()}))
"""


def measure(script: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PEAK + script, str(path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def median_of_alternated(
    first: str, second: str, path: Path, *, repeats: int = 3
) -> tuple[dict, dict]:
    """The run of median time of each script, the two run in turn ``repeats`` times (a single
    read of a file just written can wait seconds on the disk's write-back)."""
    runs = [(measure(first, path), measure(second, path)) for _ in range(repeats)]
    return tuple(
        sorted((pair[i] for pair in runs), key=lambda run: run["s"])[repeats // 2] for i in (0, 1)
    )


def run() -> list[dict]:
    path = big_movie()
    size_gib = path.stat().st_size / 2**30
    ours, peer = median_of_alternated(OURS, HYPERSPY, path)
    eager = measure(TIFFFILE_EAGER, path)
    note = (
        f"{size_gib:.2f} GiB uint16 {FRAMES}x{SIZE}x{SIZE}; peak RSS ours {ours['rss_mb']:.0f} MB "
        f"(lazy={ours['lazy']}), HyperSpy lazy {peer['rss_mb']:.0f} MB, tifffile eager "
        f"{eager['rss_mb']:.0f} MB in {eager['s']:.2f} s"
    )
    return [
        {
            "name": "open 2 GiB movie + first frame",
            "ours_s": ours["s"],
            "peer": "hs.load(lazy=True) + frame 0",
            "peer_s": peer["s"],
            "notes": note,
        }
    ]
