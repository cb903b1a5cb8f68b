"""How far the transfer of an unmeasured defocus may have moved a ring seen in an HRTEM power
spectrum: the spread of the true ring positions consistent with the ring seen, over the defoci
the Thon-ring fit still allows (their relative likelihood from the per-bin noise,
:class:`.thon_fit.DefocusFit`) and over the ring's true width, which a transfer lobe narrower
than the ring cuts: the ring seen is then a flank of the true one, narrower than it and off its
centre, so both its position and its width are asked of every (defocus, position, width).

References
----------
Rohou, A. & Grigorieff, N. (2015). CTFFIND4: fast and accurate defocus estimation from electron
micrographs. *J. Struct. Biol.* 192, 216–221 (the contrast transfer sin χ).
"""

from __future__ import annotations

import math

import numpy as np

from insitu_tem.analysis.hrtem.fft_spectrum import RING_MEDIAN_SCATTER
from insitu_tem.analysis.hrtem.thon_fit import DefocusFit, Optics, transfer

QUANTILES = (0.1587, 0.5, 0.8413)
WIDTH_STEP = 1.25
"""Ratio of successive true Gaussian widths tried (uniform in ln s), from half the width seen (a
ring broadened by the profile's smoothing and background) to the widest ring the profile calls a
ring (FWHM = k, :func:`.lattice_ring._separated_peak`): a lobe narrower than the ring shows a
flank of it, as narrow as the lobe, whatever the ring's true width."""
_FWHM = 2.0 * math.sqrt(2.0 * math.log(2.0))
DEFOCI_PER_BLOCK = 64
"""Defoci whose transfer is taken at once (memory: defoci × positions × |k| samples)."""


def position_spread(
    seen: float, fwhm: float, excess: float, fit: DefocusFit, optics: Optics, *, bin_per_nm: float
) -> float | None:
    """How far (1/nm) the true positions consistent with the ring seen (k₀ ``seen`` and full
    width ``fwhm``, 1/nm, at ``excess``, its ln ratio to the background;
    :func:`_consistent_positions`) lie from ``seen``: the distance of their median in quadrature
    with half their 16–84 % range; None when no ring under the transfer of the defoci allowed
    would be seen so."""
    positions, weight = _consistent_positions(seen, fwhm, excess, fit, optics, bin_per_nm)
    if not weight.any():
        return None
    low, median, high = _weighted_quantiles(positions, weight, QUANTILES)
    return float(np.hypot(median - seen, 0.5 * (high - low)))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    """Quantiles ``q`` of ``values`` under ``weights``."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) - 0.5 * weights[order]
    return np.interp(q, cumulative / weights.sum(), values[order])


def _half_level(excess: float) -> float:
    """The fraction of its maximum at which a ring of peak ln excess ``excess`` over a flat
    background is within ln 2 of its peak in ln P (the width :func:`.lattice_ring._fwhm`
    measures): ½ for a strong ring, lower for a weak one."""
    ratio = math.exp(excess)
    return max(ratio - 2.0, 0.0) / (2.0 * (ratio - 1.0))


def _width_tolerance(seen: float, fwhm: float, excess: float, bin_per_nm: float) -> float:
    """How far (1/nm) a ring's measured full width may lie from its model's: a bin from counting
    whole bins, plus 2σ of the two half-maximum crossings moved by the ring median's noise
    (``RING_MEDIAN_SCATTER``/(ln 2·√(πk/Δk)) in ln P, a ring of πk/Δk independent pixel pairs)
    over the slope of a Gaussian of that width there."""
    noise = RING_MEDIAN_SCATTER / (math.log(2.0) * math.sqrt(math.pi * seen / bin_per_nm))
    level = max(_half_level(excess), 1e-3)
    width = fwhm / _FWHM
    slope = (1.0 - 2.0 * math.exp(-excess)) * math.sqrt(2.0 * math.log(1.0 / level)) / width
    return bin_per_nm + 2.0 * math.sqrt(2.0) * noise / max(slope, 1e-9)


def _width_at(product: np.ndarray, top: np.ndarray, level: float) -> np.ndarray:
    """How many samples (last axis) of the run around each maximum ``top`` lie above ``level``
    of it."""
    below = product <= level * np.take_along_axis(product, top[..., None], axis=-1)
    index = np.arange(product.shape[-1])
    low = np.where(below & (index < top[..., None]), index, -1).max(axis=-1)
    high = np.where(below & (index > top[..., None]), index, product.shape[-1]).min(axis=-1)
    return high - low - 1


def _peak_at(product: np.ndarray, top: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Where (1/nm) each row of ``product`` (last axis over ``k``) peaks: its sample ``top``
    refined by the parabola through it and its neighbours."""
    inner = np.clip(top, 1, k.size - 2)[..., None]
    left, centre, right = (
        np.take_along_axis(product, inner + i, axis=-1)[..., 0] for i in (-1, 0, 1)
    )
    curvature = left - 2 * centre + right
    offset = np.where(
        curvature < 0, 0.5 * (left - right) / np.where(curvature < 0, curvature, -1), 0
    )
    return k[inner[..., 0]] + np.clip(offset, -1, 1) * (k[1] - k[0])


def _within(at: np.ndarray, centres: np.ndarray, seen: float, tolerance: float):
    """For each interval between neighbouring ``centres`` (last axis), with the peak moving
    linearly between its ends' ``at``, the centre of the part whose peak lies within
    ``tolerance`` of ``seen`` and that part's length (0 where the peak jumps to another lobe:
    by more than two intervals)."""
    spacing = centres[1] - centres[0]
    start, end = at[..., :-1], at[..., 1:]
    rate = np.where(end != start, end - start, np.inf)
    low = np.clip((seen - tolerance - start) / rate, 0, 1)
    high = np.clip((seen + tolerance - start) / rate, 0, 1)
    low, high = np.minimum(low, high), np.maximum(low, high)
    still = np.isinf(rate) & (np.abs(start - seen) <= tolerance)
    low, high = np.where(still, 0.0, low), np.where(still, 1.0, high)
    length = (high - low) * spacing * (np.abs(end - start) <= 2 * spacing)
    return centres[:-1] + 0.5 * (low + high) * spacing, length


def _consistent_positions(seen, fwhm, excess, fit: DefocusFit, optics: Optics, bin_per_nm):
    """The true ring positions k₀ (1/nm) that would be seen as the ring seen, and their weights:
    for each defocus the profile allows (weighted by its relative likelihood, above 10⁻⁶ of the
    best), each true width s (``WIDTH_STEP``; uniform in ln s) and each k₀ within 3 s of ``seen``
    (uniform in k₀), whether the Gaussian times that defocus's transfer peaks within half a bin
    of ``seen`` and has the width seen, within :func:`_width_tolerance`, at
    :func:`_half_level`."""
    weight = np.exp(-0.5 * (fit.rise - fit.rise.min()))
    likely = np.flatnonzero(weight > 1e-6)
    narrowest = 0.5 * fwhm / _FWHM
    count = math.ceil(math.log(max(seen / _FWHM / narrowest, 1.0)) / math.log(WIDTH_STEP)) + 1
    level = _half_level(excess)
    width_tolerance = _width_tolerance(seen, fwhm, excess, bin_per_nm)
    positions, consistent = [], []
    for width in narrowest * WIDTH_STEP ** np.arange(count):
        step = max(0.25 * bin_per_nm, 0.05 * width)
        k = seen + np.arange(-6.0 * width - fwhm, 6.0 * width + fwhm + step, step)
        k = k[k > bin_per_nm]
        centres = seen + width * np.linspace(-3.0, 3.0, 61)
        gaussians = np.exp(-0.5 * ((k[None, :] - centres[:, None]) / width) ** 2)
        for chunk in np.array_split(likely, max(likely.size // DEFOCI_PER_BLOCK, 1)):
            passed = transfer(
                k[None, :],
                fit.grid_nm[chunk][:, None],
                optics,
                fit.grid_astigmatism_nm[chunk][:, None],
                amplitude_contrast=fit.grid_amplitude_contrast[chunk][:, None],
                bin_per_nm=bin_per_nm,
            )
            product = passed[:, None, :] * gaussians[None, :, :]
            top = np.argmax(product, axis=2)
            widths = _width_at(product, top, level) * step
            matched = np.abs(widths - fwhm) <= width_tolerance + step
            where, length = _within(_peak_at(product, top, k), centres, seen, 0.5 * bin_per_nm)
            length = length * (matched[:, 1:] & matched[:, :-1]) * (where > bin_per_nm)
            positions.append(where.ravel())
            consistent.append((weight[chunk][:, None] * length).ravel())
    return np.concatenate(positions), np.concatenate(consistent)
