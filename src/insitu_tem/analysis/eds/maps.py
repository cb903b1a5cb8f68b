"""Line-intensity maps from spectrum images and Cliff–Lorimer quantification.

``line_maps(cube, energies, lines)`` sums each line's peak window and
subtracts the straight-line background through its two side windows
(:mod:`.lines`), pixel by pixel, with channel sums so the cost is a few
passes over the cube whatever the number of lines. Channels partly inside a
window count by their overlap fraction.

Cliff–Lorimer [1]_: weight fractions ``C_i = k_i I_i / Σ_j k_j I_j`` with
user k-factors (relative to any one element), no absorption correction.

1σ: the windows' counts are Poisson, so the net counts' variance is the peak window's counts
plus the straight-line background's, ``w² [(1 - f)² B / Δb² + f² A / Δa²]`` (``w`` the peak
window, ``B``, ``A`` the side windows' counts over their widths ``Δb``, ``Δa``, ``f`` where the
peak centre lies between theirs); the weight fractions' variance is the delta method through
Cliff–Lorimer, ``∂C_i/∂I_j = k_j (δ_ij − C_i) / Σ k I`` (and likewise for the k-factors when
their 1σ is given). The straight background's own error is a systematic term: the curvature
the side windows show (each window's two halves give a slope; their change between the windows
is the curvature), times how far a chord misses a parabola at the peak, squared less its own
counting variance. Not included:
absorption, and peak overlaps (flagged in ``reason``).

References
----------
.. [1] G. Cliff and G. W. Lorimer, J. Microsc. 103, 203 (1975).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eds.lines import XrayLine


@dataclass(frozen=True)
class LineMaps:
    """Background-subtracted line intensities.

    Attributes
    ----------
    lines : tuple of XrayLine
    maps : ndarray
        (n_lines, *navigation) net counts (may be negative in noise).
    background : ndarray
        (n_lines, *navigation) background counts under each peak window.
    ok : bool
    reason : str
        Lines whose windows leave the energy range, if any.
    variance : ndarray or None
        (n_lines, *navigation) variance of ``maps`` from counting statistics, counts².
    """

    lines: tuple[XrayLine, ...]
    maps: np.ndarray
    background: np.ndarray
    ok: bool = True
    reason: str = ""
    variance: np.ndarray | None = None

    def map(self, name: str) -> np.ndarray:
        """Net-count map of line ``name``."""
        return self.maps[[line.name for line in self.lines].index(name)]


def _overlap_weights(edges: np.ndarray, window: tuple[float, float]) -> tuple[int, int, np.ndarray]:
    low = np.clip(edges[:-1], window[0], window[1])
    high = np.clip(edges[1:], window[0], window[1])
    fraction = (high - low) / np.diff(edges)
    inside = np.flatnonzero(fraction > 0)
    if inside.size == 0:
        return 0, 0, np.zeros(0)
    start, stop = int(inside[0]), int(inside[-1]) + 1
    return start, stop, fraction[start:stop]


def window_sum(
    cube: np.ndarray, energies_ev: np.ndarray, window: tuple[float, float]
) -> np.ndarray:
    """Counts in ``window`` (eV) for every pixel of a (..., channels) cube, partial channels
    weighted."""
    step = float(np.median(np.diff(energies_ev)))
    edges = np.concatenate([energies_ev - step / 2, [energies_ev[-1] + step / 2]])
    start, stop, weights = _overlap_weights(edges, window)
    if stop == start:
        return np.zeros(cube.shape[:-1], dtype=np.float64)
    return np.tensordot(
        np.asarray(cube[..., start:stop], dtype=np.float32),
        weights.astype(np.float32),
        axes=(-1, 0),
    )


def line_maps(
    cube: np.ndarray, energies_ev: np.ndarray, lines: tuple[XrayLine, ...] | list[XrayLine]
) -> LineMaps:
    """Net counts of every line in every pixel of a spectrum image.

    Parameters
    ----------
    cube : ndarray
        (..., channels) counts.
    energies_ev : ndarray
        Centre energy of each channel, eV.
    lines : sequence of XrayLine

    Returns
    -------
    LineMaps
    """
    energies = np.asarray(energies_ev, dtype=float)
    if cube.shape[-1] != energies.size:
        raise ValueError(f"{energies.size} energies for {cube.shape[-1]} channels")
    nets, backgrounds, variances, outside = [], [], [], []
    for line in lines:
        if (
            line.background_windows[0][0] < energies[0]
            or line.background_windows[1][1] > energies[-1]
        ):
            outside.append(line.name)
        peak = window_sum(cube, energies, line.peak_window)
        (b0, b1), (a0, a1) = line.background_windows
        below_counts = window_sum(cube, energies, (b0, b1))
        above_counts = window_sum(cube, energies, (a0, a1))
        below, above = below_counts / (b1 - b0), above_counts / (a1 - a0)
        centre_below, centre_above, centre = (b0 + b1) / 2, (a0 + a1) / 2, sum(line.peak_window) / 2
        f = (centre - centre_below) / (centre_above - centre_below)
        level = below + (above - below) * f
        width = line.peak_window[1] - line.peak_window[0]
        background = level * width
        level_variance = (1 - f) ** 2 * below_counts / (b1 - b0) ** 2
        level_variance = level_variance + f**2 * above_counts / (a1 - a0) ** 2
        nets.append(peak - background)
        backgrounds.append(background)
        counting = np.clip(peak, 0, None) + width**2 * np.clip(level_variance, 0, None)
        variances.append(counting + width**2 * _curvature_bias(cube, energies, line))
    reasons = [f"windows outside the energy range for {', '.join(outside)}"] if outside else []
    overlaps = overlapping_windows(lines)
    if overlaps:
        reasons.append("windows on another line's peak (net counts biased): " + ", ".join(overlaps))
    return LineMaps(
        tuple(lines),
        np.stack(nets).astype(np.float32),
        np.stack(backgrounds).astype(np.float32),
        not reasons,
        "; ".join(reasons),
        np.stack(variances),
    )


def _curvature_bias(cube, energies: np.ndarray, line: XrayLine) -> np.ndarray:
    """Squared error of the straight background at the peak centre, (counts per eV)², from the
    curvature the side windows show: the slope inside each (its two halves) changes by κ between
    them, and a chord between the windows' centres misses a parabola by ``κ g / 2`` with
    ``g = (c - c_b)(c_a - c)``. The square is debiased by κ's own Poisson variance."""
    slopes, slope_variances = [], []
    for low, high in line.background_windows:
        middle, half = (low + high) / 2, (high - low) / 2
        first = window_sum(cube, energies, (low, middle))
        second = window_sum(cube, energies, (middle, high))
        slopes.append((second - first) / half**2)
        slope_variances.append(np.clip(first + second, 0, None) / half**4)
    (b0, b1), (a0, a1) = line.background_windows
    centre_below, centre_above, centre = (b0 + b1) / 2, (a0 + a1) / 2, sum(line.peak_window) / 2
    span = centre_above - centre_below
    gap = 0.5 * (centre - centre_below) * (centre_above - centre) / span
    squared = (gap * (slopes[1] - slopes[0])) ** 2 - gap**2 * (
        slope_variances[0] + slope_variances[1]
    )
    return np.clip(squared, 0, None)


def overlapping_windows(lines) -> list[str]:
    """``"S_Ka/Pt_Ma"`` for every line whose peak or background windows overlap another line's
    peak window."""
    found = []
    for line in lines:
        for other in lines:
            if other is line:
                continue
            low, high = other.peak_window
            if any(a < high and b > low for a, b in (line.peak_window, *line.background_windows)):
                found.append(f"{line.name}/{other.name}")
    return found


@dataclass(frozen=True)
class Composition:
    """Cliff–Lorimer weight fractions.

    Attributes
    ----------
    elements : tuple of str
    weight_percent : ndarray
        (n_elements, ...) wt %, summing to 100 where the total is positive.
    kfactors : tuple of float
    ok : bool
    reason : str
    weight_percent_sigma : ndarray or None
        1σ of ``weight_percent`` (module docstring); None without the intensities' variance.
    """

    elements: tuple[str, ...]
    weight_percent: np.ndarray
    kfactors: tuple[float, ...]
    ok: bool = True
    reason: str = ""
    weight_percent_sigma: np.ndarray | None = None


def cliff_lorimer(
    intensities: np.ndarray,
    elements,
    kfactors,
    *,
    intensity_variance=None,
    kfactor_sigmas=None,
) -> Composition:
    """Weight fractions from line intensities (n_elements, ...) and k-factors (see module
    docstring).

    Parameters
    ----------
    intensities : array_like
        (n_elements, ...) net line counts.
    elements : sequence of str
    kfactors : sequence of float
        One positive k-factor per element.
    intensity_variance : array_like, optional
        Variance of ``intensities`` (counts², e.g. :attr:`LineMaps.variance` summed); gives
        ``weight_percent_sigma``.
    kfactor_sigmas : sequence of float, optional
        1σ of each k-factor (same units), added to ``weight_percent_sigma``.
    """
    values = np.clip(np.asarray(intensities, dtype=float), 0, None)
    k = np.asarray(kfactors, dtype=float).reshape((-1,) + (1,) * (values.ndim - 1))
    if k.shape[0] != values.shape[0] or np.any(k <= 0):
        raise ValueError("give one positive k-factor per element, e.g. --kfactors Si=1.0,O=1.9")
    weighted = values * k
    total = weighted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(total > 0, 100.0 * weighted / total, np.nan)
    ok = bool(np.any(total > 0))
    sigma = None
    if intensity_variance is not None:
        sigma = _percent_sigma(values, k, total, percent, intensity_variance, kfactor_sigmas)
    return Composition(
        tuple(elements),
        percent,
        tuple(float(v) for v in k.ravel()),
        ok,
        "" if ok else "no positive line intensity",
        sigma,
    )


def _percent_sigma(values, k, total, percent, intensity_variance, kfactor_sigmas) -> np.ndarray:
    """1σ of the Cliff–Lorimer wt % by the delta method (module docstring)."""
    fraction = percent / 100.0
    n = values.shape[0]
    delta = np.eye(n).reshape((n, n) + (1,) * (values.ndim - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (delta - fraction[:, None]) / total
    variance = np.sum((slope * k[None]) ** 2 * np.asarray(intensity_variance, float)[None], axis=1)
    if kfactor_sigmas is not None:
        k_sigma = np.asarray(kfactor_sigmas, float).reshape(k.shape)
        variance = variance + np.sum((slope * values[None]) ** 2 * k_sigma[None] ** 2, axis=1)
    return 100.0 * np.sqrt(variance)
