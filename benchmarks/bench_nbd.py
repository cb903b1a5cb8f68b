"""The NBD line-scan analysis (``analyse_scan``: direct-beam track and descan, every disk located
by the whole-disk model, strain, radial profiles and rings, PCA/NMF) on the sample project's scan,
next to py4DSTEM's ``find_Bragg_disks`` (template cross-correlation) on the same patterns.

The 46 simulated 128² patterns of the bundled sample project, analysed exactly as the GUI's
worker does when the project opens (``insitu_tem.workflows.nbd.scan_ahead``). The peer and its
recipe are in :mod:`benchmarks._nbd_peer`; it reads the same ``.hspy``. A process remembers the
spots of a scan it has detected, so every repeat of either tool is a fresh process, timed whole
(start-up, imports, reading, work) and, inside it, the analysis alone (wall and CPU: ours from
the loaded patterns, the peer's from reading the file, which is a few ms) and ours up to the
end of its direct-beam and disk stage (the progress report that starts the radial profiles),
the part the peer does. Both are measured against the sample's truth on the same quantities:
each pattern's direct-beam centre and the positions of the WO3 disks. The rows are medians of
three. ``python -m benchmarks.nbd_corpus_peer`` compares both on the abTEM validation corpus.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from . import _nbd_peer as peer
from ._inputs import folder
from ._process import run_once

REPEATS = 3
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
NAME = "NBD scan, the sample line scan (46 × 128² patterns)"
PEER_NAME = "py4DSTEM find_Bragg_disks (cross-correlation, vacuum-probe template)"

SCRIPT = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
from insitu_tem.samples import PROJECT_NAME
from insitu_tem.workflows.nbd import scan_ahead

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

class Asked:  # stands in for the worker: keeps the call scan_ahead hands it, timed here
    def run(self, fn, steps, *args, **kwargs):
        self.call = fn, args, kwargs

sample = Path(sys.argv[1])
asked = Asked()
scan_ahead(asked, str(sample / PROJECT_NAME))
analyse, args, options = asked.call
marks = {}
start = time.perf_counter(), cpu()
result = analyse(*args, progress=lambda f, m: marks.setdefault(m, (time.perf_counter(), cpu())),
                 **options)
wall, used = time.perf_counter() - start[0], cpu() - start[1]
disks = marks["radial profiles and rings"]
truth = json.loads((sample / "nbd_linescan.truth.json").read_text())
error = result.descan.fitted_rc - np.asarray(truth["centre_rc"])
print(json.dumps({"s": wall, "cpu_s": used, "disks_s": disks[0] - start[0],
                  "disks_cpu_s": disks[1] - start[1],
                  "centre_rms_px": float(np.sqrt(np.mean(error**2))),
                  "strain_measured": int(np.isfinite(result.tracks.lattice_strain).sum()),
                  "centres_rc": result.centres_rc.tolist(),
                  "spots": [s.position_rc.tolist() for s in result.tracks.spot_sets]}))
"""


def _runs(argv: list[str]) -> list[dict]:
    out = []
    for _ in range(REPEATS):
        measured = run_once(argv, folder())
        out.append(
            {**json.loads(measured["stdout"]), "whole_s": measured["s"], "mb": measured["rss_mb"]}
        )
    return out


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run() -> list[dict]:
    ours = _runs([sys.executable, "-c", SCRIPT, str(SAMPLE)])
    last = ours[-1]
    measured = peer.accuracy(last["centres_rc"], last["spots"])
    python, why_not = peer.peer_python()
    theirs = _runs([python, "-c", peer.PEER, str(SAMPLE / "nbd_linescan.hspy")]) if python else []
    accuracy = peer.describe("ours", measured) + "; "
    if theirs:
        found = peer.peer_spots(theirs[-1]["peaks"], theirs[-1]["alpha_px"])
        peer_measured = peer.accuracy(*found)
        accuracy += (
            f"{peer.describe('py4DSTEM', peer_measured)}; {peer.on_common(measured, peer_measured)}"
        )
    else:
        accuracy += why_not
    common = (
        f"{accuracy}. Ours also fits the descan ({last['centre_rms_px']:.3f} px RMS from the "
        f"truth), the strain (measured at {last['strain_measured']} of 46 positions), rings and "
        "PCA/NMF; the peer finds disks only"
    )
    peer_cpu = f"; py4DSTEM CPU {_median(theirs, 'cpu_s'):.2f} s" if theirs else ""
    peer_name = PEER_NAME if theirs else None

    def peers(key: str) -> float | None:
        return _median(theirs, key) if theirs else None

    return [
        {
            "name": f"{NAME}: analysis alone",
            "ours_s": _median(ours, "s"),
            "peer": peer_name,
            "peer_s": peers("s"),
            "notes": (
                f"CPU ours {_median(ours, 'cpu_s'):.2f} s{peer_cpu} (medians of {REPEATS} fresh "
                "processes); accuracy in the whole-process row"
            ),
        },
        {
            "name": f"{NAME}: direct beam and disks",
            "ours_s": _median(ours, "disks_s"),
            "peer": peer_name,
            "peer_s": peers("s"),
            "notes": (
                f"ours: beam track, descan, every disk by the whole-disk model and the strain fit "
                f"(analyse_scan up to its radial profiles), CPU {_median(ours, 'disks_cpu_s'):.2f} "
                f"s{peer_cpu}; the peer: probe size, vacuum probe, template, find_Bragg_disks"
            ),
        },
        {
            "name": f"{NAME}: whole process (start-up, imports, reading, analysis)",
            "ours_s": _median(ours, "whole_s"),
            "peer": peer_name,
            "peer_s": peers("whole_s"),
            "ours_mb": _median(ours, "mb"),
            "peer_mb": peers("mb"),
            "ratio": peers("whole_s") / _median(ours, "whole_s") if theirs else None,
            "lower_is_better": False,
            "notes": f"ours opens the sample project (scan_ahead); {common}",
            "why_not": why_not,
            "whole_process": True,
        },
    ]
