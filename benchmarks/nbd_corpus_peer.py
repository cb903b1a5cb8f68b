"""Spot d on the abTEM NBD validation corpus: ours against py4DSTEM, on the same patterns.

An informative comparison, not a validation row: ``python -m benchmarks.nbd_corpus_peer`` with
``$INSITU_TEM_PY4DSTEM_PYTHON`` set (see :mod:`benchmarks._nbd_peer`). Every pattern of the
corpus ``validation.nbd`` reads (the tuning fixtures and the held-out sets, reported apart).

- **Ours**: ``analyse_pattern`` with the true calibration, as ``validation.nbd`` calls it; a
  pattern whose centre it declares ambiguous is not measured.
- **py4DSTEM**: the template from the corpus's own vacuum probe (the same abTEM probe, convergence
  and detector sampling with no specimen, and the same source blur): ``Probe.measure_disk`` for
  its radius α and origin, ``get_kernel(mode="sigmoid", radii=(α, 2α))``, then
  ``find_Bragg_disks`` on the pattern by cross-correlation (``corrPower=1``) with its defaults
  (``sigma_cc=2``, ``subpixel="multicorr"``, ``upsample_factor=16``,
  ``minRelativeIntensity=0.005``, ``maxNumPeaks=70``) but ``minPeakSpacing`` 2α and
  ``edgeBoundary`` α (defaults 60 and 20 px). Its brightest peak is the direct beam.

Both are scored by the same code, ``validation.nbd``'s measure: each spot's d = 1/|g| from the
tool's own centre against the nearest true reflection within half a disk radius (at least 2 px);
spots farther from every reflection are stray; a centre more than that from the truth is wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._nbd_peer import peer_python

PEER = """
import json, sys, time
import numpy as np
import py4DSTEM

out = []
with np.load(sys.argv[1]) as arrays:
    n = len(arrays.files) // 2
    start = time.process_time()
    for i in range(n):
        probe = py4DSTEM.Probe(arrays[f"probe{i}"].astype(np.float64))
        alpha, x0, y0 = probe.measure_disk(plot=False)
        probe.get_kernel(mode="sigmoid", origin=(x0, y0), radii=(alpha, 2 * alpha))
        found = py4DSTEM.braggvectors.find_Bragg_disks(
            arrays[f"pattern{i}"].astype(np.float64), probe.kernel, corrPower=1.0,
            minPeakSpacing=2 * alpha, edgeBoundary=int(np.ceil(alpha)),
        )
        out.append(np.stack([found.data["qx"], found.data["qy"], found.data["intensity"]], 1)
                   .tolist())
print(json.dumps({"cpu_s": time.process_time() - start, "peaks": out}))
"""


def vacuum_probe(truth: dict, shape: tuple[int, int]) -> np.ndarray:
    """The case's diffraction pattern with no specimen: the corpus's abTEM probe on its detector
    sampling, with its source blur."""
    import abtem
    from scipy import ndimage

    from validation.abtem_corpus import ENERGY_EV, NBD_SAMPLING_A, configure_abtem

    configure_abtem()
    case = truth["case"]
    wavelength_A = float(abtem.core.energy.energy2wavelength(ENERGY_EV))
    box_A = wavelength_A / (case["detector_mrad"] * 1e-3)
    gpts = int(2 * round(box_A / NBD_SAMPLING_A / 2))
    probe = abtem.Probe(
        energy=ENERGY_EV,
        semiangle_cutoff=case["alpha_mrad"],
        aberrations={"C10": -case["probe_defocus_A"]},
        gpts=gpts,
        extent=box_A,
    )
    data = np.asarray(probe.build().diffraction_patterns(max_angle="cutoff").compute().array, float)
    if data.shape != shape:
        raise ValueError(f"vacuum probe {data.shape} is not the pattern's {shape}")
    if case["blur_px"] > 0:
        data = ndimage.gaussian_filter(data, case["blur_px"])
    return data / data.sum() * case["electrons"]


def spot_d_errors(centre_rc, positions_rc, truth) -> tuple[dict[int, float], int, bool]:
    """``validation.nbd``'s measure for any tool: d error (%) by the index of the true reflection
    each spot sits on, the stray spots and whether the centre is wrong."""
    scale = truth["scale_per_nm"]
    radius = max(2.0, 0.5 * truth["disk_radius_px"])
    wrong = bool(np.hypot(*np.subtract(centre_rc, truth["centre_rc"])) > radius)
    g_true = np.asarray(truth["g_rc_per_A"]) * 10.0 / scale
    position_true = np.asarray(truth["centre_rc"]) + g_true
    errors, stray = [], 0
    for rc in np.asarray(positions_rc, float).reshape(-1, 2):
        distance = np.hypot(*(position_true - rc).T)
        k = int(np.argmin(distance))
        if distance[k] > radius:
            stray += 1
            continue
        r_measured = float(np.hypot(*(rc - np.asarray(centre_rc))))
        errors.append((k, 100.0 * (float(np.hypot(*g_true[k])) / r_measured - 1)))
    return errors, stray, wrong


def ours(cases) -> tuple[list, float]:
    """Per case (centre, spots) from ``analyse_pattern`` (None when the centre is ambiguous), and
    the CPU seconds it took."""
    from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern

    out, start = [], time.process_time()
    for pattern, truth in cases:
        analysis = analyse_pattern(
            np.asarray(pattern, dtype=float), scale_per_nm=truth["scale_per_nm"]
        )
        ok = analysis.centre.ok
        out.append((analysis.spots.centre_rc, analysis.spots.position_rc) if ok else None)
    return out, time.process_time() - start


def peer(cases, python: str) -> tuple[list, float]:
    """Per case (brightest peak, the other peaks) from py4DSTEM, and its CPU seconds."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "corpus.npz"
        arrays = {}
        for i, (pattern, truth) in enumerate(cases):
            arrays[f"pattern{i}"] = np.asarray(pattern, np.float32)
            arrays[f"probe{i}"] = vacuum_probe(truth, np.shape(pattern)).astype(np.float32)
        np.savez(path, **arrays)
        done = subprocess.run(
            [python, "-c", PEER, str(path)], capture_output=True, text=True, check=True
        )
    result = json.loads(done.stdout)
    out = []
    for found in result["peaks"]:
        found = np.asarray(found, float).reshape(-1, 3)
        brightest = int(np.argmax(found[:, 2]))
        out.append((found[brightest, :2], np.delete(found[:, :2], brightest, axis=0)))
    return out, result["cpu_s"]


def scored(found: list, cases, *, true_centre: bool = False) -> dict:
    """Every spot's d error (%) keyed by (case, reflection), with the stray spots, the patterns
    not measured and the wrong centres; d from the true centre when ``true_centre``."""
    errors, stray, wrong, ambiguous = [], 0, 0, 0
    for i, (result, (_, truth)) in enumerate(zip(found, cases)):
        if result is None:
            ambiguous += 1
            continue
        centre = truth["centre_rc"] if true_centre else result[0]
        e, s, w = spot_d_errors(centre, result[1], truth)
        errors += [((i, k), error) for k, error in e]
        stray, wrong = stray + s, wrong + w
    return {"errors": errors, "stray": stray, "wrong": wrong, "ambiguous": ambiguous}


def _stats(errors) -> str:
    size = np.abs(np.asarray(errors, float))
    return (
        f"|d error| median {np.median(size):.4f} % / 95th {np.percentile(size, 95):.3f} % / "
        f"worst {size.max():.2f} %"
    )


def summary(name: str, measured: dict, cpu_s: float) -> str:
    """Spot d |error| median / 95th / worst (%), spots measured, stray, not measured, wrong."""
    errors = [e for _, e in measured["errors"]]
    return (
        f"{name}: {len(errors)} spots, {_stats(errors)}; {measured['stray']} stray spots; "
        f"{measured['ambiguous']} patterns not measured (centre ambiguous); "
        f"{measured['wrong']} wrong centres; CPU {cpu_s:.1f} s"
    )


def on_common(ours_scored: dict, peer_scored: dict) -> str:
    """Both tools on the reflections both measured in the same pattern."""
    mine, theirs = dict(ours_scored["errors"]), dict(peer_scored["errors"])
    both = sorted(set(mine) & set(theirs))
    if not both:
        return "no reflection measured by both"
    return (
        f"{len(both)} reflections both measured: ours {_stats([mine[k] for k in both])}; "
        f"py4DSTEM {_stats([theirs[k] for k in both])}"
    )


def main() -> int:
    from validation.hrtem import corpus

    python, why_not = peer_python()
    if python is None:
        print(why_not)
        return 1
    _, cases = corpus(fast=False)
    for label, held_out in (("tuning fixtures", False), ("held out", True)):
        chosen = [case for case in cases if case[1]["held_out"] == held_out]
        (mine, mine_s), (theirs, theirs_s) = ours(chosen), peer(chosen, python)
        print(f"{label}, {len(chosen)} patterns")
        for true_centre in (False, True):
            a, b = (scored(f, chosen, true_centre=true_centre) for f in (mine, theirs))
            print("  d from " + ("the true centre" if true_centre else "each tool's own centre"))
            print(f"    {summary('ours', a, mine_s)}")
            print(f"    {summary('py4DSTEM', b, theirs_s)}")
            print(f"    {on_common(a, b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
