"""py4DSTEM, the peer of the NBD disk finding, and both tools' accuracy against the sample's truth.

The peer runs in ``$INSITU_TEM_PY4DSTEM_PYTHON`` (a separate venv: ``pip install py4DSTEM``) or
this interpreter when py4DSTEM imports there. Its recipe is the one py4DSTEM's disk-detection
tutorial gives, on a detector of 128² px: read the ``.hspy`` (HDF5) with h5py, wrap the
46 patterns as a 46 × 1 ``DataCube``; the probe radius and centre from the mean pattern
(``get_probe_size``); the vacuum probe from the direct beam of every pattern
(``get_vacuum_probe`` with a mask of twice the probe radius around it, patterns aligned); a
sigmoid-edged template (``get_kernel(mode="sigmoid", radii=(α, 2α))``); then
``find_Bragg_disks`` by cross-correlation (``corrPower=1``) with its defaults (``sigma_cc=2``,
``subpixel="multicorr"``, ``upsample_factor=16``, ``minRelativeIntensity=0.005``) except what
the detector size asks for: ``minPeakSpacing`` a disk diameter (2α, default 60 px),
and ``edgeBoundary`` a disk radius (default 20 px); ``maxNumPeaks`` stays 70 (a pattern holds
at most 56 WO3 disks wholly on the detector). The brightest peak is the direct beam.
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache

import numpy as np

MATCH_PX = 1.5

PEER = """
import json, resource, sys, time
import h5py
import numpy as np
import py4DSTEM

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

wall, used = time.perf_counter(), cpu()
with h5py.File(sys.argv[1], "r") as f:
    (group,) = f["Experiments"].values()
    data = group["data"][()]
datacube = py4DSTEM.DataCube(data=data[:, None].astype(np.float32))
alpha, qx0, qy0 = datacube.get_probe_size(datacube.get_dp_mean().data)
qx, qy = np.indices(datacube.Qshape)
probe = datacube.get_vacuum_probe(mask=np.hypot(qx - qx0, qy - qy0) < 2 * alpha)
probe.get_kernel(mode="sigmoid", radii=(alpha, 2 * alpha))
peaks = datacube.find_Bragg_disks(
    template=probe.kernel, corrPower=1.0, minPeakSpacing=2 * alpha,
    edgeBoundary=int(np.ceil(alpha)),
)
wall, used = time.perf_counter() - wall, cpu() - used
found = [peaks.raw[i, 0] for i in range(data.shape[0])]
print(json.dumps({"s": wall, "cpu_s": used, "alpha_px": float(alpha),
                  "peaks": [np.stack([v.qx, v.qy, v.I], 1).tolist() for v in found]}))
"""


def peer_python() -> tuple[str | None, str]:
    """``$INSITU_TEM_PY4DSTEM_PYTHON`` or this interpreter when py4DSTEM and h5py import there;
    else None and why."""
    python = os.environ.get("INSITU_TEM_PY4DSTEM_PYTHON", sys.executable)
    probe = subprocess.run(
        [python, "-c", "import py4DSTEM, h5py"], capture_output=True, text=True, timeout=300
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
        return None, (
            "py4DSTEM not run: set INSITU_TEM_PY4DSTEM_PYTHON to a venv with py4DSTEM "
            f"({last[:120]})"
        )
    return python, ""


@cache
def true_disks() -> tuple[np.ndarray, list[np.ndarray]]:
    """Direct-beam centres (n, 2) and, per pattern, the WO3 disks wholly on the detector, px."""
    from insitu_tem.samples import nbd

    truth = nbd.scan_truth()
    distortion = nbd._distortion()
    q_max = 0.5 * min(nbd.SHAPE) * nbd.SCALE_PER_NM
    g_rc = np.array([s.g_rc for s in nbd.wo3_010_reflections(q_max_per_nm=q_max)])
    radius, size = nbd.DISK_RADIUS_PX, np.asarray(nbd.SHAPE) - 1
    disks = []
    for centre, strain, spots in zip(
        truth["centre_rc"], truth["lattice_strain"], truth["phase_fractions"]["WO3 spots"]
    ):
        if spots <= 0:
            disks.append(np.empty((0, 2)))
            continue
        pos = (g_rc / (1.0 + strain) / nbd.SCALE_PER_NM) @ distortion.T + centre
        disks.append(pos[np.all((pos >= radius) & (pos <= size - radius), axis=1)])
    return truth["centre_rc"], disks


def disk_errors(spot_sets: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Distance (px) from each true disk of every pattern to the nearest spot found within
    :data:`MATCH_PX` (NaN: not found), and the number of spots found near no true disk."""
    _, disks = true_disks()
    errors, false = [], 0
    for found, truth in zip(spot_sets, disks):
        found = np.asarray(found, float).reshape(-1, 2)
        distance = np.hypot(*(found[:, None] - truth[None]).transpose(2, 0, 1))
        nearest = distance.min(axis=0, initial=np.inf)
        errors.append(np.where(nearest <= MATCH_PX, nearest, np.nan))
        false += int(np.sum(distance.min(axis=1, initial=np.inf) > MATCH_PX))
    return np.concatenate(errors), false


def accuracy(centres_rc: np.ndarray, spot_sets: list[np.ndarray]) -> dict:
    """Direct-beam centres and disk positions against the truth: centre RMS (px); true disks found
    within :data:`MATCH_PX`, their error median / 95th (px), and the spots near no true disk."""
    true_centres, _ = true_disks()
    errors, false = disk_errors(spot_sets)
    found = errors[np.isfinite(errors)]
    centre_error = np.asarray(centres_rc, float) - true_centres
    return {
        "centre_rms_px": float(np.sqrt(np.mean(np.sum(centre_error**2, axis=1)))),
        "errors": errors,
        "found": found.size,
        "total": errors.size,
        "median_px": float(np.median(found)) if found.size else float("nan"),
        "p95_px": float(np.percentile(found, 95)) if found.size else float("nan"),
        "false": false,
    }


def on_common(ours: dict, theirs: dict) -> str:
    """Disk error median / 95th of each tool on the true disks both found."""
    both = np.isfinite(ours["errors"]) & np.isfinite(theirs["errors"])
    if not both.any():
        return "no disk found by both"
    return (
        f"on the {int(both.sum())} disks both found, error median / 95th ours "
        f"{np.median(ours['errors'][both]):.3f} / {np.percentile(ours['errors'][both], 95):.3f} "
        f"px, py4DSTEM {np.median(theirs['errors'][both]):.3f} / "
        f"{np.percentile(theirs['errors'][both], 95):.3f} px"
    )


def peer_spots(peaks: list[list[list[float]]], alpha_px: float) -> tuple[np.ndarray, list]:
    """The peer's direct beam (its brightest peak) and the other peaks of each pattern, px."""
    centres, spots = [], []
    for found in peaks:
        found = np.asarray(found, float).reshape(-1, 3)
        brightest = found[np.argmax(found[:, 2]), :2]
        centres.append(brightest)
        spots.append(found[np.hypot(*(found[:, :2] - brightest).T) > alpha_px, :2])
    return np.asarray(centres), spots


def describe(name: str, measured: dict) -> str:
    """One tool's accuracy, for a row's notes."""
    return (
        f"{name}: direct beam {measured['centre_rms_px']:.3f} px RMS per pattern; "
        f"{measured['found']} of {measured['total']} WO3 disks found within {MATCH_PX} px, "
        f"error median {measured['median_px']:.3f} / 95th {measured['p95_px']:.3f} px, "
        f"{measured['false']} spots near no true disk"
    )
