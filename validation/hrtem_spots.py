"""Where the reported HRTEM spots lie: on a listed reflection, on a zone reflection the truth list
leaves out, on an aliasing satellite of the simulation, or nowhere (a false spot).

The truth lists the zone reflections inside the circle |g| ≤ Nyquist; the FFT square also holds
the zone reflections in its corners. The abTEM images carry a second set of spots that are in the
image but not in the crystal: the projected potential is sampled on the simulation grid (step
``s``, :func:`simulation_step_A`), so its high-order lattice components ``G`` near a multiple
``m / s`` of the grid's reciprocal step fold onto ``G − m / s``, close to the centre, where the
contrast transfer passes them; they interfere with every beam and put a satellite at ``g + G −
m / s`` beside each reflection g, i.e. on the zone lattice shifted by ``−m / s``. In session 8
the strongest of them (SNR in the thousands on a 10 nm Cu [110] crystal) lay exactly there to
0.01 px. A spot counts as such a satellite within :data:`ALIAS_PX` of one (first order,
``m`` in {-1, 0, 1}², only): 8–9 % of uniformly random positions in the fixtures' spectra do so by
chance (7–8 % fall within :data:`SAME_PX` of a listed or corner reflection), so a few of the
satellites may be chance coincidences. A spot farther from all of these is counted false.
"""

from __future__ import annotations

import math

import numpy as np

SAME_PX = 1.5
ALIAS_PX = 0.75
ALIAS_ORDERS = 1


def simulation_step_A(case: dict) -> float:  # noqa: N802 - unit suffix
    """Grid step of the abTEM potential of a case (as :mod:`validation.abtem_corpus` sets it), Å."""
    box_A = 10.0 * case["diameter_nm"] + 30.0
    n = math.ceil(box_A / max(0.15, box_A / 512) - 1e-9)
    return box_A / n


def _basis(truth) -> np.ndarray:
    """Two (row, col) vectors (1/Å) generating every listed reflection (Gauss-reduced)."""
    g = np.asarray(truth["g_rc_per_A"], float)
    hkl = np.asarray(truth["hkl"], float)
    order = np.argsort(np.hypot(*g.T))
    first = order[0]
    for second in order[1:]:
        pair = hkl[[first, second]]
        if np.linalg.matrix_rank(pair) < 2:
            continue
        coefficients = np.linalg.lstsq(pair.T, hkl.T, rcond=None)[0]
        if np.allclose(coefficients, np.rint(coefficients), atol=1e-6):
            return g[[first, second]]
    raise ValueError("the listed reflections do not form a 2-D lattice")


def zone_lattice(truth, reach_per_A: float) -> np.ndarray:  # noqa: N803 - unit suffix
    """Every zone reflection g (row, col, 1/Å) with |g| ≤ ``reach_per_A``, origin excluded."""
    basis = _basis(truth)
    area = abs(np.linalg.det(basis))
    k = int(np.ceil(reach_per_A * np.max(np.hypot(*basis.T)) / area)) + 1
    hk = np.array([(h, j) for h in range(-k, k + 1) for j in range(-k, k + 1) if h or j])
    g = hk @ basis
    return g[np.hypot(*g.T) <= reach_per_A]


def classify(spots_px: np.ndarray, truth, shape) -> np.ndarray:
    """Per spot (row, col FFT px from the centre): 0 listed reflection, 1 zone reflection outside
    the list (FFT corners), 2 simulation-alias satellite, 3 none of these (false)."""
    to_px = truth["pixel_A"] * np.asarray(shape, float)
    listed = np.asarray(truth["g_rc_per_A"], float).reshape(-1, 2) * to_px
    step = simulation_step_A(truth["case"])
    nyquist = 0.5 / truth["pixel_A"]
    lattice = zone_lattice(truth, np.sqrt(2.0) * (ALIAS_ORDERS / step + nyquist))
    shifts = [np.array(m) - ALIAS_ORDERS for m in np.ndindex(*(2 * ALIAS_ORDERS + 1,) * 2)]
    alias = np.concatenate([lattice - m / step for m in shifts if np.any(m)]) * to_px
    out = np.full(len(spots_px), 3)
    for label, points, near in (
        (2, alias, ALIAS_PX),
        (1, lattice * to_px, SAME_PX),
        (0, listed, SAME_PX),
    ):
        for i, at in enumerate(np.asarray(spots_px, float).reshape(-1, 2)):
            distance = np.minimum(np.hypot(*(points - at).T), np.hypot(*(points + at).T))
            if distance.size and distance.min() <= near:
                out[i] = label
    return out
