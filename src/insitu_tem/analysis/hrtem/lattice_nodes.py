"""Weak reflections at the nodes of a fitted lattice, and the half nodes of a centred one.

Once strong spots define a reciprocal lattice, a weak reflection need only be
tested where the lattice predicts it, so a much lower SNR is significant than
for a search over the whole spectrum (a few hundred positions instead of
every pixel). The half nodes ``(h + ½) a* + (k + ½) b*`` (and the half of a
1-D basis) are tested too: when the strong spots are a centred sub-lattice
— the (110) spots of a cubic crystal along [001], say — the primitive
reflections (100) and (010) sit there, and the lattice must be re-indexed on
them. Half-node spots are accepted only when two distinct ones (not a Friedel pair)
reach twice the threshold, so that noise or a stray feature cannot halve the
lattice.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot, make_spots
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit

NODE_SNR = 5.0
_MIN_RADIUS_PX = 3.0
_SAME_SPOT_PX = 1.5


def _nodes(fit: LatticeFit, g_max: float) -> list[tuple[np.ndarray, bool]]:
    a = np.asarray(fit.a_star)
    b = np.asarray(fit.b_star) if fit.two_dimensional else None
    shortest = min(np.linalg.norm(a), np.linalg.norm(b) if b is not None else np.inf)
    reach = int(np.ceil(g_max / shortest * 2)) + 1
    out = []
    for h2 in range(-reach, reach + 1):
        for k2 in range(-reach, reach + 1) if b is not None else (0,):
            if (h2, k2) == (0, 0):
                continue
            g = 0.5 * (h2 * a + (k2 * b if b is not None else 0.0))
            if np.linalg.norm(g) <= g_max:
                out.append((g, bool(h2 % 2 or k2 % 2)))
    return out


def _near_any(position: np.ndarray, taken: list[tuple[float, float]]) -> bool:
    """True when ``position`` or its Friedel mate is within the same-spot distance of a taken
    spot."""
    if not taken:
        return False
    points = np.asarray(taken, float)
    nearest = min(np.hypot(*(points - position).T).min(), np.hypot(*(points + position).T).min())
    return bool(nearest < _SAME_SPOT_PX)


def node_spots(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    known: tuple[Spot, ...],
    *,
    threshold: float = NODE_SNR,
) -> tuple[Spot, ...]:
    """Spots at the (half) nodes of ``fit`` not yet in ``known`` whose SNR reaches ``threshold``.

    Parameters
    ----------
    spectrum : PowerSpectrum
    snr : SnrMap
        :func:`insitu_tem.analysis.hrtem.fft_spectrum.snr_map` of ``spectrum``.
    fit : LatticeFit
        Lattice of the strong spots (``ok``).
    known : tuple of Spot
        Spots already found (each Friedel pair once).
    threshold : float
        SNR a node must reach (units of :func:`snr_map`).

    Returns
    -------
    tuple of Spot
        New spots (each Friedel pair once), half-node spots only when the rule in the module
        docstring accepts them.
    """
    if not fit.ok:
        return ()
    step = np.asarray(spectrum.k_step_per_nm)
    r0, c0 = spectrum.centre
    g_max = 0.95 * 0.5 / spectrum.pixel_nm
    taken = [(s.row_px, s.col_px) for s in known]
    candidates = []
    for g, half in _nodes(fit, g_max):
        position = g / step
        if (
            position[0] > 0
            or (position[0] == 0 and position[1] < 0)
            or np.hypot(*position) < _MIN_RADIUS_PX
        ):
            continue
        row, col = int(round(r0 + position[0])), int(round(c0 + position[1]))
        box = snr.snr[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2]
        if box.size == 0 or box.max() < threshold or _near_any(position, taken):
            continue
        best = np.unravel_index(int(np.argmax(box)), box.shape)
        candidates.append((position, half, max(row - 1, 0) + best[0], max(col - 1, 0) + best[1]))
    spots = make_spots(spectrum, snr, [c[2] for c in candidates], [c[3] for c in candidates])
    found: list[tuple[Spot, bool]] = []
    for (position, half, _, _), spot in zip(candidates, spots):
        if _near_any(position, taken):
            continue
        found.append((spot, half))
        taken.append((spot.row_px, spot.col_px))
    if sum(half and s.snr >= 2 * threshold for s, half in found) < 2:
        found = [(s, half) for s, half in found if not half]
    return tuple(s for s, _ in found)
