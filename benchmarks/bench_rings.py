"""Histogrammed Debye equation vs the direct O(N²) pair sum, 3 nm W grain, same q grid.

Both sides evaluate I(q) = Σᵢ fᵢ² + 2 Σᵢ<ⱼ fᵢ fⱼ sinc(2 q rᵢⱼ) with the same
scattering factors on the same cluster; the notes give the largest relative
difference between the two results.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.crystal.phases import get_phase
from insitu_tem.analysis.crystal.debye import build_cluster, debye_intensity, debye_intensity_direct

from ._timing import best_time


def run() -> list[dict]:
    rows = []
    for name, size, n_q in (("W", 3.0, 741), ("Li2O", 2.0, 741)):
        cluster = build_cluster(get_phase(name), grain_diameter_nm=size)
        q = np.linspace(0.02, 1.5, n_q)
        ours_s, ours = best_time(lambda: debye_intensity(cluster, q), repeats=3)
        peer_s, peer = best_time(lambda: debye_intensity_direct(cluster, q), repeats=1)
        difference = float(np.max(np.abs(ours / peer - 1)))
        rows.append(
            {
                "name": f"Debye ring profile, {size:g} nm {name} ({len(cluster.elements)} atoms, {n_q} q)",
                "ours_s": ours_s,
                "peer": "direct O(N^2) pair sum (numpy)",
                "peer_s": peer_s,
                "notes": f"max relative difference {difference:.1e}",
            }
        )
    return rows
