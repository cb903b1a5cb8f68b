"""Radial profiles of an NBD series: our CSR integrator vs pyFAI's CSR integrator and a numpy bincount loop.

The same 46 simulated 128² patterns (the sample line scan), the same centre,
the same 90 radius bins of 1 px (to the corners), no solid-angle or
polarisation correction on either side. pyFAI is set up with 100 µm pixels
and the centre as its PONI so that its ``r_mm`` unit is 0.1 mm per px;
setup (building the sparse matrix) is timed once, the integration of the whole
series is the best of several repeats. Notes give the largest relative
difference of the profiles (pixel splitting "none" must agree to rounding;
"bbox" splitting is computed independently on both sides).
"""

from __future__ import annotations

import time

import numpy as np

from insitu_tem.analysis.diffraction.radial import radial_integrator
from insitu_tem.samples.nbd import generate

from ._timing import best_time

N_BINS = 90
PIXEL_M = 1e-4
REPEATS = 9


def _pyfai(patterns, centre, split):
    from pyFAI.detectors import Detector
    from pyFAI.integrator.azimuthal import AzimuthalIntegrator

    detector = Detector(PIXEL_M, PIXEL_M, max_shape=patterns.shape[1:])
    integrator = AzimuthalIntegrator(
        dist=0.1,
        poni1=(centre[0] + 0.5) * PIXEL_M,
        poni2=(centre[1] + 0.5) * PIXEL_M,
        detector=detector,
    )
    method = ("no" if split == "none" else "bbox", "csr", "cython")
    options = dict(
        unit="r_mm", method=method, correctSolidAngle=False, radial_range=(0.0, N_BINS * 0.1)
    )
    start = time.perf_counter()
    integrator.integrate1d(patterns[0], N_BINS, **options)
    setup = time.perf_counter() - start
    run_s, results = best_time(
        lambda: [integrator.integrate1d(p, N_BINS, **options).intensity for p in patterns],
        repeats=REPEATS,
    )
    return setup, run_s, np.array(results)


def _bincount(patterns, centre):
    rows, cols = np.indices(patterns.shape[1:])
    bins = np.hypot(rows - centre[0], cols - centre[1]).astype(int).ravel()
    keep = bins < N_BINS
    counts = np.bincount(bins[keep], minlength=N_BINS)
    return np.array(
        [np.bincount(bins[keep], p.ravel()[keep], minlength=N_BINS) / counts for p in patterns]
    )


def run() -> list[dict]:
    patterns, truth = generate()
    patterns = patterns.astype(np.float32)
    centre = tuple(float(v) for v in np.median(truth["centre_rc"], axis=0))
    rows = []
    full = slice(5, int(min(patterns.shape[1:]) / 2) - 2)
    for split in ("none", "bbox"):
        start = time.perf_counter()
        integ = radial_integrator(
            patterns.shape[1:], centre_rc=centre, n_bins=N_BINS, r_max_px=N_BINS, split=split
        )
        ours_setup = time.perf_counter() - start
        batch_s, ours = best_time(lambda: integ.profiles(patterns), repeats=REPEATS)
        loop_s, _ = best_time(lambda: [integ.profile(p) for p in patterns], repeats=REPEATS)
        peer_setup, peer_s, peer = _pyfai(patterns, centre, split)
        difference = float(np.max(np.abs(ours[:, full] / peer[:, full] - 1)))
        for label, ours_s in (("one sparse product", batch_s), ("pattern by pattern", loop_s)):
            rows.append(
                {
                    "name": f"46 patterns 128², {N_BINS} bins, split={split}, {label}",
                    "ours_s": ours_s,
                    "peer": "pyFAI integrate1d CSR (cython)",
                    "peer_s": peer_s,
                    "notes": f"setup ours {ours_setup * 1e3:.1f} ms, pyFAI {peer_setup * 1e3:.1f} ms; max relative "
                    f"difference on full annuli (5-62 px) {difference:.1e}",
                }
            )
    naive_s, naive = best_time(lambda: _bincount(patterns, centre), repeats=REPEATS)
    plain = radial_integrator(patterns.shape[1:], centre_rc=centre, n_bins=N_BINS, r_max_px=N_BINS)
    ours_s, ours = best_time(lambda: plain.profiles(patterns), repeats=REPEATS)
    rows.append(
        {
            "name": f"46 patterns 128², {N_BINS} bins, split=none",
            "ours_s": ours_s,
            "peer": "numpy bincount loop",
            "peer_s": naive_s,
            "notes": (
                "max relative difference "
                f"{float(np.nanmax(np.abs(ours[:, :60] / naive[:, :60] - 1))):.1e}"
            ),
        }
    )
    return rows
