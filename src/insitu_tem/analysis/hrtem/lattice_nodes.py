"""Weak reflections at the nodes of a fitted lattice, and at the half nodes of a centred one.

Once strong spots define a reciprocal lattice, a weak reflection need only be
tested where the lattice predicts it, so a much lower SNR is significant than
for a search over the whole spectrum (a few hundred positions instead of
every pixel). The half nodes ``(h + ½) a* + (k + ½) b*`` (and the half of a
1-D basis) are tested too: when the strong spots are a centred sub-lattice
— the (110) spots of a cubic crystal along [001], say — the primitive
reflections (100) and (010) sit there, and weak "forbidden" reflections of a
finite crystal (a partial unit cell at its surface) sit there too. A node's SNR is the
larger of the ring SNR (:func:`.fft_spectrum.snr_map`) and the SNR against the local
background around the node (:func:`local_snr`), which is what a user sees as a spot.
A node's spot must refine to within 1.5 px of the node. Half-node spots are kept only when two
distinct ones (not a Friedel pair) reach twice the threshold: the 3×3-summed power of speckle is
heavy-tailed (about 2 % of pure-noise positions reach 5σ), and single half-node spots at SNR 5–10
are as often noise as weak forbidden reflections. Whether half-node reflections re-index the
lattice is then decided by the lattice fit: only reflections holding a few per cent of the
strongest one's power choose the basis (:data:`.lattice_fit.STRONG_FRACTION`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_lattice import Spot, make_spots
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit

NODE_SNR = 5.0
_MIN_RADIUS_PX = 3.0
_SAME_SPOT_PX = 1.5
_ANNULUS_PX = (3.0, 6.0)
_CLEAR_OF_SPOTS_PX = 2.5
_MIN_ANNULUS_PIXELS = 10


def _nodes(fit: LatticeFit, g_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and half nodes of ``fit`` with both components within ``g_max`` (1/nm), and which
    are half nodes."""
    a = np.asarray(fit.a_star)
    b = np.asarray(fit.b_star) if fit.two_dimensional else None
    shortest = min(np.linalg.norm(a), np.linalg.norm(b) if b is not None else np.inf)
    reach = int(np.ceil(g_max * np.sqrt(2.0) / shortest * 2)) + 1
    out = []
    for h2 in range(-reach, reach + 1):
        for k2 in range(-reach, reach + 1) if b is not None else (0,):
            if (h2, k2) == (0, 0):
                continue
            g = 0.5 * (h2 * a + (k2 * b if b is not None else 0.0))
            if np.all(np.abs(g) <= g_max):
                out.append((g, bool(h2 % 2 or k2 % 2)))
    return np.array([g for g, _ in out]).reshape(-1, 2), np.array([h for _, h in out], bool)


def _near_any(position: np.ndarray, taken: list[tuple[float, float]]) -> bool:
    """True when ``position`` or its Friedel mate is within the same-spot distance of a taken
    spot."""
    if not taken:
        return False
    points = np.asarray(taken, float)
    nearest = min(np.hypot(*(points - position).T).min(), np.hypot(*(points + position).T).min())
    return bool(nearest < _SAME_SPOT_PX)


def _clear_of_spots(spectrum: PowerSpectrum, positions: np.ndarray) -> np.ndarray:
    """True where a spectrum pixel is farther than 2.5 px from every one of ``positions`` (both
    Friedel mates) and 3 px from the centre."""
    r0, c0 = spectrum.centre
    raster = np.ones(spectrum.shape, bool)
    for sign in (1, -1):
        at = np.rint(np.array([r0, c0]) + sign * positions).astype(int)
        inside = np.all((at >= 0) & (at < np.array(spectrum.shape)), axis=1)
        raster[at[inside, 0], at[inside, 1]] = False
    raster[r0, c0] = False
    return ndimage.distance_transform_edt(raster) > _CLEAR_OF_SPOTS_PX


def local_snr(spectrum: PowerSpectrum, positions: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """SNR of each node against its local background: the 3×3-summed power's maximum within
    1 px of the node above the median of an annulus 3–6 px around it (pixels in ``clear``), in
    standard deviations of that annulus (0 where the annulus holds fewer than 10 pixels).

    Near the centre of a small crystal's spectrum, or in a ring crowded with other reflections,
    the power at a spot's own |k| scatters far more than around the spot itself, so the ring's
    noise (:func:`.fft_spectrum.snr_map`) hides reflections a user sees clearly.
    """
    summed = ndimage.uniform_filter(spectrum.power, size=3, mode="wrap") * 9.0
    r0, c0 = spectrum.centre
    reach = int(np.ceil(_ANNULUS_PX[1]))
    offsets = np.arange(-reach, reach + 1)
    out = np.zeros(len(positions))
    for i, (d_row, d_col) in enumerate(positions):
        rows = int(round(r0 + d_row)) + offsets[:, None]
        cols = int(round(c0 + d_col)) + offsets[None, :]
        inside = (rows >= 0) & (rows < spectrum.shape[0]) & (cols >= 0) & (cols < spectrum.shape[1])
        rows, cols = (
            np.clip(rows, 0, spectrum.shape[0] - 1),
            np.clip(cols, 0, spectrum.shape[1] - 1),
        )
        distance = np.hypot(rows - r0 - d_row, cols - c0 - d_col)
        ring = (
            inside & clear[rows, cols] & (distance >= _ANNULUS_PX[0]) & (distance <= _ANNULUS_PX[1])
        )
        core = (
            inside
            & (np.abs(rows - round(r0 + d_row)) <= 1)
            & (np.abs(cols - round(c0 + d_col)) <= 1)
        )
        if ring.sum() < _MIN_ANNULUS_PIXELS:
            continue
        background = summed[rows, cols][ring]
        spread = float(np.std(background))
        if spread > 0:
            out[i] = (float(summed[rows, cols][core].max()) - float(np.median(background))) / spread
    return out


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
        docstring accepts them; their ``snr`` is the larger of the ring and the local SNR.
    """
    if not fit.ok:
        return ()
    step = np.asarray(spectrum.k_step_per_nm)
    r0, c0 = spectrum.centre
    g_max = 0.95 * 0.5 / spectrum.pixel_nm
    taken = [(s.row_px, s.col_px) for s in known]
    g, half = _nodes(fit, g_max)
    positions = g / step
    keep = ~((positions[:, 0] > 0) | ((positions[:, 0] == 0) & (positions[:, 1] < 0))) & (
        np.hypot(*positions.T) >= _MIN_RADIUS_PX
    )
    positions, half = positions[keep], half[keep]
    local = local_snr(
        spectrum, positions, _clear_of_spots(spectrum, np.array(taken).reshape(-1, 2))
    )
    candidates = []
    for position, is_half, node_local in zip(positions, half, local):
        row, col = int(round(r0 + position[0])), int(round(c0 + position[1]))
        box = snr.snr[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2]
        if box.size == 0 or max(box.max(), node_local) < threshold or _near_any(position, taken):
            continue
        best = np.unravel_index(int(np.argmax(box)), box.shape)
        candidates.append(
            (position, is_half, node_local, max(row - 1, 0) + best[0], max(col - 1, 0) + best[1])
        )
    spots = make_spots(spectrum, snr, [c[3] for c in candidates], [c[4] for c in candidates])
    found: list[tuple[Spot, bool]] = []
    for (position, is_half, node_local, _, _), spot in zip(candidates, spots):
        refined = np.array([spot.row_px, spot.col_px])
        off_node = min(np.hypot(*(refined - position)), np.hypot(*(refined + position)))
        if off_node > _SAME_SPOT_PX or _near_any(position, taken) or _near_any(refined, taken):
            continue
        found.append((replace(spot, snr=max(spot.snr, float(node_local))), is_half))
        taken.append((spot.row_px, spot.col_px))
    if sum(is_half and s.snr >= 2 * threshold for s, is_half in found) < 2:
        found = [(s, is_half) for s, is_half in found if not is_half]
    return tuple(s for s, _ in found)
