"""How far the transfer of an unmeasured defocus may have moved a ring seen in an HRTEM power
spectrum: the spread of the true ring positions consistent with the position seen, over the
defoci the Thon-ring fit still allows (their relative likelihood from the per-bin noise,
:class:`.thon_fit.DefocusFit`).

References
----------
Rohou, A. & Grigorieff, N. (2015). CTFFIND4: fast and accurate defocus estimation from electron
micrographs. *J. Struct. Biol.* 192, 216–221 (the contrast transfer sin χ).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.hrtem.thon_fit import DefocusFit, Optics, transfer

QUANTILES = (0.1587, 0.5, 0.8413)


def position_spread(
    seen: float, width: float, fit: DefocusFit, optics: Optics, *, bin_per_nm: float
) -> float | None:
    """How far (1/nm) the true positions consistent with ``seen`` (the ring's k₀ as seen, 1/nm;
    ``width`` its Gaussian s, 1/nm; :func:`_consistent_positions`) lie from it: the distance of
    their median in quadrature with half their 16–84 % range; None when no position under the
    transfer of the defoci allowed would be seen there."""
    positions, weight = _consistent_positions(seen, width, fit, optics, bin_per_nm)
    if not weight.any():
        return None
    low, median, high = _weighted_quantiles(positions, weight, QUANTILES)
    return float(np.hypot(median - seen, 0.5 * (high - low)))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    """Quantiles ``q`` of ``values`` under ``weights``."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) - 0.5 * weights[order]
    return np.interp(q, cumulative / weights.sum(), values[order])


def _consistent_positions(seen: float, width: float, fit: DefocusFit, optics: Optics, bin_per_nm):
    """The ring positions k₀ (1/nm) that would be seen at ``seen`` (1/nm), and their weights:
    for each defocus the profile allows (relative likelihood above 10⁻⁶ of the best) and each
    k₀ within 3 Gaussian widths of ``seen``, whether the maximum of the ring's Gaussian (its
    width ``width`` as seen, 1/nm) times that defocus's transfer lies within half a bin of it."""
    weight = np.exp(-0.5 * (fit.rise - fit.rise.min()))
    likely = np.flatnonzero(weight > 1e-6)
    k = seen + np.linspace(-4.5 * width, 4.5 * width, 181)
    k = k[k > bin_per_nm]
    positions = seen + np.linspace(-3 * width, 3 * width, 121)
    gaussians = np.exp(-0.5 * ((k[None, :] - positions[:, None]) / width) ** 2)
    tolerance = max(0.5 * bin_per_nm, 0.5 * (k[1] - k[0]))
    consistent = np.zeros(positions.size)
    for chunk in np.array_split(likely, max(likely.size // 64, 1)):
        passed = transfer(
            k[None, :],
            fit.grid_nm[chunk][:, None],
            optics,
            fit.grid_astigmatism_nm[chunk][:, None],
            amplitude_contrast=fit.grid_amplitude_contrast[chunk][:, None],
            bin_per_nm=bin_per_nm,
        )
        maxima = k[np.argmax(passed[:, None, :] * gaussians[None, :, :], axis=2)]
        consistent += weight[chunk] @ (np.abs(maxima - seen) <= tolerance)
    return positions, consistent
