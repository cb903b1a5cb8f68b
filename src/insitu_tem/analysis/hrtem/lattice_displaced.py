"""Reflections whose power maximum the contrast transfer moves off their lattice node.

A small crystal's reflection is its shape transform (under the Hann window) multiplied by the
contrast transfer function. Where the CTF changes fast across the shape transform — a few hundred
Å of defocus at an uncorrected Cs, higher orders — the maximum of the product moves away from the
node towards the side where the transfer is larger, up to the edge of the main lobe (abTEM
Si [001] 4.7 nm at −428 Å, Cs 1.2 mm: 1.8–2.2 FFT px for the 620 and 660 reflections,
``docs/fft.md``). The maximum then gives the wrong d, while the node itself, predicted by the
lattice of the strong spots, is where the reflection is.

:func:`displaced_reflections` takes each node of the lattice that has no spot within
:data:`.lattice_nodes.SAME_SPOT_PX` but passes the node test (node SNR ≥ 5 within ±1 px,
:func:`.lattice_nodes.node_snr`, the test :func:`.lattice_nodes.node_spots` applies) and looks
for its maximum over the reach of its reflection — the main lobe's radius (:func:`lobe_radius_px`,
from the strong spots' own width) plus twice the node's 1σ from the lattice
(:func:`node_sigma_px`). A maximum over that disk instead of the node test's 3 × 3 px passes on
speckle more often, so its SNR must clear a level raised to keep the node test's rate per node:
speckle's node SNR has an exponential tail of scale β (:func:`tail_scale`, over the quarter-node
controls of :func:`.lattice_nodes.speckle_controls`), and the maximum over ``n`` times as many
positions exceeds a level ``β ln n`` higher as often, so the maximum must reach
``5 + β ln(π r² / 9)``. It must refine within the reach, on no spot or on a strong spot the
lattice does not index (the same reflection, found by the spectrum-wide search at its displaced
maximum, which it replaces). It is reported *at the node* (:func:`with_displaced`), its d and 1σ
those of the lattice for that (h, k); such spots carry no position of their own, so they do not
enter the lattice fit or its window test. Half nodes keep the node test alone
(:mod:`.lattice_nodes`).

On 40 generated 0.25 nm lattices with no reflection beyond the first orders (256², 200 and 2000
counts) this reports 2 spots at empty nodes, against 9 the node test reports there (0 of 20 for 2 nm
crystals); searching every empty node's disk without the node test reported 6 and 7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot, make_spots, spot_from_position
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap
from insitu_tem.analysis.hrtem.fft_spot_refinement import dtft_power_and_hessian
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit
from insitu_tem.analysis.hrtem.lattice_nodes import (
    NODE_SNR,
    SAME_SPOT_PX,
    canonical,
    clear_of_spots,
    lattice_points,
    near_any,
    node_snr,
    speckle_controls,
)

HANN_LOBE_PX = 2.0
NODE_SIGMAS = 2.0
_BOX_PX = 9.0
_MIN_RADIUS_PX = 3.0


@dataclass(frozen=True)
class Displaced:
    """A reflection found at a lattice node whose power maximum lies off the node.

    Attributes
    ----------
    node_px : tuple of float
        The node (row, col) from the spectrum centre in the lattice that found it, FFT px.
    snr : float
        Node SNR at the maximum (:func:`.lattice_nodes.node_snr`), or that of the strong spot it
        replaces.
    intensity : float
        Fraction of the region's variance at the maximum (as :attr:`Spot.intensity`).
    replaces : int
        Index of the strong spot (not indexed on the lattice) that was this reflection's
        displaced maximum, or -1.
    """

    node_px: tuple[float, float]
    snr: float
    intensity: float
    replaces: int = -1


def _hann_width_px(n: int) -> float:
    """Peak width ``√(−P / P'')`` (FFT px) of the power of the Hann window of ``n`` samples the
    spectrum uses (a crystal filling the region)."""
    window = np.hanning(n + 2)[1:-1]
    x = np.arange(n)
    mean = float(np.sum(window * x) / window.sum())
    variance = float(np.sum(window * (x - mean) ** 2) / window.sum())
    return n / (2.0 * math.pi * math.sqrt(2.0 * variance))


def lobe_radius_px(spectrum: PowerSpectrum, positions: np.ndarray) -> float:
    """Radius (FFT px) of the main lobe of a reflection of the crystal in ``spectrum``.

    The width ``s = √(−P / P'')`` of the windowed DTFT power at each of ``positions`` (refined
    strong reflections, FFT px from the centre; P'' the mean of the Hessian's diagonal) is that of
    the fringes' envelope under the Hann window: ``1 / (2π √2 σ_x)`` for an envelope of spread
    ``σ_x`` (FFT px per sample). A crystal filling the region has the window's own width and main
    lobe (first zero at :data:`HANN_LOBE_PX`); a smaller one has a narrower envelope and a wider
    lobe, in proportion. Returns :data:`HANN_LOBE_PX` times the median width over the window's
    (at least that), or nan without a peak of negative curvature.
    """
    power, hessian = dtft_power_and_hessian(spectrum.windowed, np.asarray(positions, float))
    curvature = 0.5 * (hessian[:, 0, 0] + hessian[:, 1, 1])
    usable = (curvature < 0) & (power > 0)
    if not usable.any():
        return math.nan
    width = float(np.median(np.sqrt(-power[usable] / curvature[usable])))
    hann = float(np.mean([_hann_width_px(n) for n in spectrum.shape]))
    return HANN_LOBE_PX * max(width / hann, 1.0)


def _basis_px(spectrum: PowerSpectrum, fit: LatticeFit) -> np.ndarray:
    """Basis vectors a*, b* (rows; one row for a 1-D lattice) in FFT px."""
    step = np.asarray(spectrum.k_step_per_nm)
    rows = [np.asarray(fit.a_star) / step]
    if fit.two_dimensional:
        rows.append(np.asarray(fit.b_star) / step)
    return np.array(rows)


def _relative_sigmas(fit: LatticeFit) -> np.ndarray:
    sigmas = [fit.sigma_d_a_nm / fit.d_a_nm]
    if fit.two_dimensional:
        sigmas.append(fit.sigma_d_b_nm / fit.d_b_nm)
    return np.array(sigmas)


def node_sigma_px(spectrum: PowerSpectrum, fit: LatticeFit, hk: np.ndarray) -> np.ndarray:
    """1σ (FFT px) of the position of each node ``hk`` (rows of integer indices, one column for a
    1-D lattice): ``|h| |a*| σ(d_a)/d_a`` and ``|k| |b*| σ(d_b)/d_b`` in quadrature (the spacings'
    1σ, their common-shift and window terms included, ``docs/fft.md``)."""
    lengths = np.linalg.norm(_basis_px(spectrum, fit), axis=1)
    terms = np.abs(np.asarray(hk, float)) * lengths * _relative_sigmas(fit)
    return np.sqrt(np.sum(terms**2, axis=1))


def node_reach_px(spectrum: PowerSpectrum, fit: LatticeFit, hk: np.ndarray, lobe: float):
    """How far (FFT px) the maximum of each node's reflection may lie from the predicted node:
    the main lobe's radius ``lobe`` plus :data:`NODE_SIGMAS` times the node's 1σ."""
    return lobe + NODE_SIGMAS * node_sigma_px(spectrum, fit, hk)


def tail_scale(control: np.ndarray) -> float:
    """Scale β of the exponential tail of ``control`` above its 80th percentile, from the median
    excess (β ln 2 for an exponential tail): robust against the few reflections the lattice does
    not predict (forbidden or aliased) among the controls, which the mean excess is not (abTEM
    Si [001] 4.7 nm: 2.1 from the median, 8.2 from the mean, with two controls at SNR 72–74).
    ∞ without controls."""
    if control.size == 0:
        return math.inf
    excess = control - np.quantile(control, 0.8)
    return float(np.median(excess[excess > 0]) / math.log(2.0)) if np.any(excess > 0) else 0.0


def _disk_maxima(snr: SnrMap, centre, nodes: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Per node (FFT px from the centre), the pixel (row, col, absolute) of the largest ring SNR
    within ``reach`` of it and at least 3 px from the centre; (-1, -1) where there is none."""
    out = np.full((len(nodes), 2), -1, int)
    r0, c0 = centre
    shape = np.array(snr.snr.shape)
    for i, ((d_row, d_col), radius) in enumerate(zip(nodes, reach)):
        if not np.isfinite(radius):
            continue
        size = int(np.ceil(radius))
        lo = np.maximum(np.rint([r0 + d_row, c0 + d_col]).astype(int) - size, 0)
        hi = np.minimum(np.rint([r0 + d_row, c0 + d_col]).astype(int) + size + 1, shape)
        rows, cols = np.mgrid[lo[0] : hi[0], lo[1] : hi[1]]
        inside = (np.hypot(rows - r0 - d_row, cols - c0 - d_col) <= radius) & (
            np.hypot(rows - r0, cols - c0) >= _MIN_RADIUS_PX
        )
        if inside.any():
            values = np.where(inside, snr.snr[rows, cols], -np.inf)
            best = np.unravel_index(int(np.argmax(values)), values.shape)
            out[i] = rows[best], cols[best]
    return out


def _on_spot(position: np.ndarray, taken: np.ndarray) -> int:
    """Index of the taken spot within the same-spot distance of ``position`` or its Friedel
    mate, or -1."""
    if not len(taken):
        return -1
    distance = np.minimum(np.hypot(*(taken - position).T), np.hypot(*(taken + position).T))
    nearest = int(np.argmin(distance))
    return nearest if distance[nearest] < SAME_SPOT_PX else -1


def displaced_reflections(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    known: tuple[Spot, ...],
    found: tuple[Spot, ...],
    *,
    threshold: float = NODE_SNR,
) -> tuple[Displaced, ...]:
    """Reflections at nodes of ``fit`` without a spot whose maximum lies off the node (module).

    Parameters
    ----------
    spectrum : PowerSpectrum
    snr : SnrMap
        :func:`insitu_tem.analysis.hrtem.fft_spectrum.snr_map` of ``spectrum``.
    fit : LatticeFit
        Lattice fitted to ``known`` (its indices in their order).
    known : tuple of Spot
        The strong spots.
    found : tuple of Spot
        Spots found at nodes and half nodes (:func:`.lattice_nodes.node_spots`).
    threshold : float
        SNR of the node test; the level over the reach is raised from it.

    Returns
    -------
    tuple of Displaced
    """
    if not fit.ok:
        return ()
    step = np.asarray(spectrum.k_step_per_nm)
    g, hk = lattice_points(fit, 0.95 * 0.5 / spectrum.pixel_nm, 1)
    keep = canonical(spectrum, g)
    taken = [(s.row_px, s.col_px) for s in known + found]
    free = np.array([not near_any(p, taken) for p in g[keep] / step], bool)
    nodes, hk = (g[keep] / step)[free], hk[keep][free][:, : 2 if fit.two_dimensional else 1]
    known_px = np.array(taken[: len(known)], float).reshape(-1, 2)
    indexed = np.array([fit.indices[j] != (0, 0) for j in range(len(known))], bool)
    if not len(nodes) or not indexed.any():
        return ()
    reach = node_reach_px(spectrum, fit, hk, lobe_radius_px(spectrum, known_px[indexed]))
    pixels = _disk_maxima(snr, spectrum.centre, nodes, reach)
    clear = clear_of_spots(spectrum, known_px)
    at_node = node_snr(spectrum, snr, nodes, clear)[0]
    peak = node_snr(spectrum, snr, pixels - np.asarray(spectrum.centre), clear)[0]
    candidate = np.flatnonzero((pixels[:, 0] >= 0) & (at_node >= threshold) & (peak >= threshold))
    if not candidate.size:
        return ()
    beta = tail_scale(speckle_controls(spectrum, snr, fit, clear, nodes, known_px))
    spots = make_spots(spectrum, snr, pixels[candidate, 0], pixels[candidate, 1])
    points, out = np.array(taken, float).reshape(-1, 2), []
    for i, spot in zip(candidate, spots):
        refined = np.array([spot.row_px, spot.col_px])
        off_node = min(np.hypot(*(refined - nodes[i])), np.hypot(*(refined + nodes[i])))
        on = _on_spot(refined, points)
        if off_node > reach[i] or (on >= 0 and (on >= len(known) or indexed[on])):
            continue
        strength = known[on].snr if on >= 0 else float(peak[i])
        if strength < threshold + beta * math.log(math.pi * reach[i] ** 2 / _BOX_PX):
            continue
        if on >= 0:
            indexed[on] = True
        node = (float(nodes[i][0]), float(nodes[i][1]))
        points = np.vstack([points, node])
        out.append(Displaced(node, strength, spot.intensity, on))
    return tuple(out)


def with_displaced(
    spectrum: PowerSpectrum,
    spots: tuple[Spot, ...],
    fit: LatticeFit,
    displaced: tuple[Displaced, ...],
    *,
    max_spots: int | None = None,
) -> tuple[tuple[Spot, ...], LatticeFit]:
    """``spots`` with the ``displaced`` reflections placed at the nodes of ``fit``, strongest
    first, and ``fit`` with their (h, k) appended to its indices (not to ``n_indexed``: they were
    not fitted).

    Each displaced node is indexed in the final lattice (it may have been refitted since the node
    was found) and placed at ``h a* + k b*``; its 1σ per component of g is the node's
    (:func:`node_sigma_px`).
    """
    if not displaced or not fit.ok:
        return spots, fit
    basis = _basis_px(spectrum, fit)
    nodes = np.array([d.node_px for d in displaced], float)
    hk = np.rint(np.linalg.lstsq(basis.T, nodes.T, rcond=None)[0].T).astype(int)
    placed = hk @ basis
    sigma = node_sigma_px(spectrum, fit, hk)
    new = [
        spot_from_position(spectrum, *position, snr=d.snr, intensity=d.intensity, sigma_px=float(s))
        for position, d, s in zip(placed, displaced, sigma)
    ]
    pairs = [(h, k) for h, k in (hk if fit.two_dimensional else np.c_[hk, 0 * hk])]
    entries = list(zip(spots, fit.indices)) + [
        (spot, (int(h), int(k))) for spot, (h, k) in zip(new, pairs)
    ]
    entries = sorted(entries, key=lambda e: -e[0].snr)[:max_spots]
    return tuple(e[0] for e in entries), replace(fit, indices=tuple(e[1] for e in entries))
