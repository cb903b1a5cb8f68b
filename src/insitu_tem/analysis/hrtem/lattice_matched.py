"""Weak reflections at the nodes of a fitted lattice by the matched test, at a stated false rate.

The node test of :mod:`.lattice_nodes` calls a spot where the 3×3-summed power's maximum within
1 px of a node stands 5 standard deviations above its local background. At a node the lattice
of the strong spots predicts, the reflection's position is known (to a fraction of a pixel), and
the statistic that uses it is the power of the windowed region's transform *at the node*,
``|F(g)|²`` (off the FFT grid, :func:`.fft_spot_refinement.dtft_power`), over the
local mean power of the speckle around it (the median of the per-pixel power 3–6 FFT px around
the node, away from the strong spots, over ln 2; :func:`power_ratio`). For speckle — the
transform of windowed noise, circular Gaussian at every frequency, on or off the grid — this
ratio is exponential with mean 1: ``P(x > t) = e^(−t)``, whatever the background's level.

The ratio's tail is measured on each spectrum, at the quarter nodes of the lattice that are
neither nodes nor half nodes (:func:`.lattice_nodes.control_positions`, as far from the strong
spots as the tested nodes): above its 80th percentile u it is taken as exponential with the
scale β from the median excess (:func:`.lattice_displaced.tail_scale`, robust against the few
reflections the lattice does not predict among the controls; β = 1, u = ln 5 for pure speckle).
Every node and half node without a spot is tested, and a node is reported when its ratio
exceeds ``u + β ln(0.2 / (α w))``: a weighted Bonferroni bound over the tested nodes, with
weights ``w ∝ 1/|g|²`` summing to 1 (as :func:`.lattice_nodes.noise_level`), so that speckle
passes one of the image's nodes with probability at most α = :data:`FALSE_RATE` (0.01 per
image, the rate of the half-node level). No level with fewer than 20 controls.

The spot is refined from the pixel nearest the node and kept within
:data:`.lattice_nodes.SAME_SPOT_PX` of it; its SNR is the node SNR (:func:`.lattice_nodes.node_snr`,
what a user sees), which may be below 5.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from insitu_tem.analysis.hrtem.fft_lattice import Spot, make_spots
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap
from insitu_tem.analysis.hrtem.fft_spot_refinement import dtft_power
from insitu_tem.analysis.hrtem.lattice_displaced import tail_scale
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit
from insitu_tem.analysis.hrtem.lattice_nodes import (
    FALSE_SPOTS,
    MIN_CONTROLS,
    SAME_SPOT_PX,
    annuli,
    canonical,
    clear_of_spots,
    control_positions,
    lattice_points,
    near_any,
    node_snr,
    ring_values,
)

FALSE_RATE = FALSE_SPOTS


def power_ratio(spectrum: PowerSpectrum, positions: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """Per position (FFT px from the centre, off the grid): the windowed transform's power there
    over the local mean power, the median over ln 2 of the spectrum's pixels in ``clear`` 3–6 px
    around it (nan where fewer than 10 such pixels)."""
    positions = np.asarray(positions, float).reshape(-1, 2)
    out = np.full(len(positions), np.nan)
    around = annuli(spectrum, positions, clear)
    if not around.enough.any():
        return out
    power = dtft_power(spectrum.windowed, positions[around.enough])
    mean = np.nanmedian(ring_values(spectrum.power, around), axis=1) / math.log(2.0)
    out[around.enough] = np.where(mean > 0, power / np.where(mean > 0, mean, 1.0), np.nan)
    return out


def matched_level(
    spectrum: PowerSpectrum,
    fit: LatticeFit,
    clear: np.ndarray,
    tested: np.ndarray,
    spots: np.ndarray,
    *,
    false_rate: float = FALSE_RATE,
) -> np.ndarray:
    """Per tested node (FFT px from the centre), the :func:`power_ratio` speckle exceeds at one
    of them with probability at most ``false_rate`` (module docstring); ∞ with fewer than 20
    controls."""
    tested = np.asarray(tested, float).reshape(-1, 2)
    control = power_ratio(spectrum, control_positions(spectrum, fit, clear, tested, spots), clear)
    control = control[np.isfinite(control)]
    if control.size < MIN_CONTROLS or not len(tested):
        return np.full(len(tested), np.inf)
    u = float(np.quantile(control, 0.8))
    weight = 1.0 / np.hypot(*tested.T) ** 2
    weight /= weight.sum()
    speckle = np.log(1.0 / (false_rate * weight))
    return np.maximum(u + tail_scale(control) * np.log(0.2 / (false_rate * weight)), speckle)


def matched_spots(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    known: tuple[Spot, ...],
    found: tuple[Spot, ...],
    *,
    false_rate: float = FALSE_RATE,
) -> tuple[Spot, ...]:
    """Spots at the nodes (and, on a 2-D lattice, half nodes) of ``fit`` without a spot whose
    :func:`power_ratio` exceeds :func:`matched_level`.

    Parameters
    ----------
    spectrum : PowerSpectrum
    snr : SnrMap
        :func:`insitu_tem.analysis.hrtem.fft_spectrum.snr_map` of ``spectrum``.
    fit : LatticeFit
        Lattice of the strong spots ``known``.
    known, found : tuple of Spot
        The strong spots, and those found at (half) nodes (:func:`.lattice_nodes.node_spots`).
    false_rate : float
        Probability that speckle passes one of the image's tested nodes.

    Returns
    -------
    tuple of Spot
        New spots (each Friedel pair once), their ``snr`` the larger of the ring SNR and the node
        SNR.
    """
    if not fit.ok:
        return ()
    g, _ = lattice_points(fit, 0.95 * 0.5 / spectrum.pixel_nm, 2 if fit.two_dimensional else 1)
    positions = g[canonical(spectrum, g)] / np.asarray(spectrum.k_step_per_nm)
    taken = [(s.row_px, s.col_px) for s in known + found]
    positions = positions[[not near_any(p, taken) for p in positions]].reshape(-1, 2)
    known_px = np.array(taken[: len(known)], float).reshape(-1, 2)
    clear = clear_of_spots(spectrum, known_px)
    passed = power_ratio(spectrum, positions, clear) >= matched_level(
        spectrum, fit, clear, positions, known_px, false_rate=false_rate
    )
    if not passed.any():
        return ()
    nodes = positions[passed]
    pixels = np.rint(nodes + np.asarray(spectrum.centre)).astype(int)
    levels = node_snr(spectrum, snr, nodes, clear)[0]
    out: list[Spot] = []
    for node, level, spot in zip(nodes, levels, make_spots(spectrum, snr, *pixels.T)):
        refined = np.array([spot.row_px, spot.col_px])
        off_node = min(np.hypot(*(refined - node)), np.hypot(*(refined + node)))
        if off_node > SAME_SPOT_PX or near_any(refined, taken):
            continue
        out.append(replace(spot, snr=max(spot.snr, float(level))))
        taken.append((spot.row_px, spot.col_px))
    return tuple(out)
