"""Where the reported HRTEM spots lie: on a listed reflection, on a zone reflection the truth list
leaves out, on a reflection of a higher-order Laue zone projected by the crystal's finite
thickness, on an aliasing satellite of the simulation, or nowhere (a false spot).

The truth lists the zone reflections inside the circle |g| ≤ Nyquist; the FFT square also holds
the zone reflections in its corners. The crystal is a cylinder of a few nm cut from the lattice,
so its projected potential is not that of whole unit cells along the beam: a reflection g of a
higher-order Laue zone (``hkl · uvw = n ≠ 0``) keeps the weight of the shape transform at its
component g_z along the beam, which vanishes only when the thickness is a whole number of
periods, and it appears in the image at g's component perpendicular to the beam (session 32:
the 1/3{422} spots of Cu and Si along [111], the half-node spots of W along [110]; the noise-free
simulations hold a peak at each, 15–900 noise standard deviations high). Those of the first two
Laue zones (|n| ≤ :data:`LAUE_ZONES`) whose kinematic structure factor is not extinct are counted
as reflections of the crystal within :data:`SAME_PX`.

The abTEM images carry a further set of spots that are in the image but not in the crystal: the
projected potential is sampled on the simulation grid (step ``s``, :func:`simulation_step_A`), so
its high-order lattice components ``G`` near a multiple ``m / s`` of the grid's reciprocal step
fold onto ``G − m / s``, close to the centre, where the contrast transfer passes them; they
interfere with every beam and put a satellite at ``g + G − m / s`` beside each reflection g,
i.e. on the zone lattice shifted by ``−m / s``. In session 8 the strongest of them (SNR in the
thousands on a 10 nm Cu [110] crystal) lay exactly there to 0.01 px; in session 32 thirteen spots
of the same image lay within 0.13 px of the second order (``m`` in {−2, …, 2}²). A spot counts
as such a satellite within :data:`ALIAS_PX` of one (``m`` up to :data:`ALIAS_ORDERS`). Uniformly
random positions in the fixtures' spectra fall within reach of a listed, corner or Laue-zone
reflection or a satellite by chance 25 % of the time (20 % without the Laue zones and second
orders), so a few of the spots so counted may be chance coincidences. A spot farther from all of
these is counted false.
"""

from __future__ import annotations

import math

import numpy as np

SAME_PX = 1.5
ALIAS_PX = 0.3
ALIAS_ORDERS = 2
LAUE_ZONES = 2
EXTINCT = 1e-3

LISTED, CORNER, ALIAS, FALSE, LAUE = 0, 1, 2, 3, 4


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


def laue_zone_reflections(case: dict, reach_per_A: float) -> np.ndarray:  # noqa: N803
    """(row, col) components perpendicular to the beam (1/Å, |g_⊥| ≤ ``reach_per_A``) of the
    reflections of the Laue zones 1 … :data:`LAUE_ZONES` (either sign) of the case's rotated
    crystal whose kinematic structure factor (atomic numbers as scattering factors) is not
    extinct."""
    from validation._abtem_structures import orientation, unit_cell

    cell = unit_cell(case["phase"])
    rotation = orientation(
        cell, case["zone"], rotation_deg=case["rotation_deg"], tilt_deg=tuple(case["tilt_deg"])
    )
    h_max = int(np.ceil(reach_per_A * max(cell.cell.lengths()))) + LAUE_ZONES
    steps = np.arange(-h_max, h_max + 1)
    hkl = np.stack(np.meshgrid(steps, steps, steps, indexing="ij"), -1).reshape(-1, 3)
    zone = np.abs(hkl @ np.asarray(case["zone"]))
    hkl = hkl[(zone >= 1) & (zone <= LAUE_ZONES)]
    phases = np.exp(2j * np.pi * hkl @ cell.get_scaled_positions().T)
    amplitude = np.abs(phases @ cell.numbers) / cell.numbers.sum()
    g = (hkl[amplitude > EXTINCT] @ cell.cell.reciprocal() @ rotation.T)[:, :2]
    return g[np.hypot(*g.T) <= reach_per_A]


def _reference_points(truth, shape) -> list[tuple[int, np.ndarray, float]]:
    """(label, positions in FFT px, reach in px) of every class of :func:`classify`, lowest
    priority first."""
    to_px = truth["pixel_A"] * np.asarray(shape, float)
    step = simulation_step_A(truth["case"])
    nyquist = 0.5 / truth["pixel_A"]
    lattice = zone_lattice(truth, np.sqrt(2.0) * (ALIAS_ORDERS / step + nyquist))
    orders = np.arange(-ALIAS_ORDERS, ALIAS_ORDERS + 1)
    shifts = [np.array((a, b)) for a in orders for b in orders if a or b]
    alias = np.concatenate([lattice - m / step for m in shifts]) * to_px
    alias = alias[np.all(np.abs(alias) <= np.asarray(shape) / 2 + ALIAS_PX, axis=1)]
    laue = laue_zone_reflections(truth["case"], np.sqrt(2.0) * nyquist) * to_px
    listed = np.asarray(truth["g_rc_per_A"], float).reshape(-1, 2) * to_px
    return [
        (ALIAS, alias, ALIAS_PX),
        (LAUE, laue, SAME_PX),
        (CORNER, lattice * to_px, SAME_PX),
        (LISTED, listed, SAME_PX),
    ]


def classify(spots_px: np.ndarray, truth, shape) -> np.ndarray:
    """Per spot (row, col FFT px from the centre): :data:`LISTED` reflection, :data:`CORNER` zone
    reflection outside the list (FFT corners), :data:`LAUE` reflection of a higher-order Laue zone,
    :data:`ALIAS` simulation-alias satellite, or :data:`FALSE` (none of these)."""
    spots_px = np.asarray(spots_px, float).reshape(-1, 2)
    out = np.full(len(spots_px), FALSE)
    for label, points, near in _reference_points(truth, shape):
        if not len(points):
            continue
        for i, at in enumerate(spots_px):
            distance = np.minimum(np.hypot(*(points - at).T), np.hypot(*(points + at).T))
            if distance.min() <= near:
                out[i] = label
    return out
