"""The NBD line-scan analysis (``analyse_scan``: direct-beam track and descan, every disk located
by the whole-disk model, strain, radial profiles and rings, PCA/NMF) on the sample project's scan.

The 46 simulated 128² patterns of the bundled sample project, analysed exactly as the GUI's
worker does when the project opens (``insitu_tem.workflows.nbd.scan_ahead``). No peer is
installed (pyxem and py4DSTEM find Bragg disks by template correlation; neither is in the
environment). A process remembers the spots of a scan it has detected, so each repeat runs in a
fresh process that times the analysis alone (wall and CPU) and measures the fitted direct-beam
centres against the sample's truth; the row is the median of three.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from ._inputs import folder
from ._process import run_once

REPEATS = 3
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"

SCRIPT = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
from insitu_tem.samples import PROJECT_NAME
from insitu_tem.workflows.nbd import scan_ahead

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

sample = Path(sys.argv[1])
analyse, args, options = scan_ahead(str(sample / PROJECT_NAME))
wall, used = time.perf_counter(), cpu()
result = analyse(*args, **options)
wall, used = time.perf_counter() - wall, cpu() - used
truth = json.loads((sample / "nbd_linescan.truth.json").read_text())
error = result.descan.fitted_rc - np.asarray(truth["centre_rc"])
print(json.dumps({"s": wall, "cpu_s": used, "centre_rms_px": float(np.sqrt(np.mean(error**2))),
                  "strain_measured": int(np.isfinite(result.tracks.lattice_strain).sum())}))
"""


def run() -> list[dict]:
    work = folder()
    runs = [
        json.loads(run_once([sys.executable, "-c", SCRIPT, str(SAMPLE)], work)["stdout"])
        for _ in range(REPEATS)
    ]
    last = runs[-1]
    return [
        {
            "name": "NBD scan analysis, the sample line scan (46 × 128² patterns)",
            "ours_s": statistics.median(r["s"] for r in runs),
            "peer": None,
            "peer_s": None,
            "notes": (
                f"CPU {statistics.median(r['cpu_s'] for r in runs):.2f} s (median of "
                f"{REPEATS} fresh processes); descan centres {last['centre_rms_px']:.3f} px RMS "
                f"from the truth; strain measured at {last['strain_measured']} of 46 positions"
            ),
        }
    ]
