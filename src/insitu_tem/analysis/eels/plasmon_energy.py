"""The plasmon energy of every spectrum and its 1σ.

Definition: the loss of the maximum of the recorded low-loss spectrum between 5 and 40 eV,
measured from the ZLP's fitted centre (plural scattering, the ZLP's tail and any edge in that
range included; it is not the Drude E_p, which lies up to ~0.5 eV above the maximum for a
broad plasmon, nor the maximum of the single-scattering distribution, which a thick specimen's
plural scattering moves). Measured as in :func:`.windows.plasmon_peak` on the raw counts
(search window per spectrum from its ZLP): the maximum of the spectrum smoothed by a Gaussian
of σ_s = 0.5 eV, located by a parabola through three channels, minus the ZLP's centre.

Its 1σ has three terms in quadrature:

* statistical: the vertex is linear in the counts to first order: its shift is the noise of the
  smoothed derivative s₋ − s₊ (the smoothing kernel's rows, aⱼ) over twice the top's curvature
  (a least-squares parabola over the channels above 90 % of the top; the three channels' own
  second difference is noise on a broad top), so var = κ Σ aⱼ² yⱼ / (2c)². κ, the counts'
  variance per count at the smoothing's scale (a gain, and a detector blur that correlates
  neighbouring channels), is measured on the spectra themselves (:func:`noise_gain`);
* smoothing: the maximum of a skewed peak moves with the smoothing as σ_s², so the vertex at
  √2 σ_s minus that at σ_s estimates the smoothing's own shift (Richardson);
* zero: the 1σ of the ZLP centre the loss is measured from (:mod:`.zlp_sigma`) and the
  distance of that centre from the ZLP's raw maximum (parabola through three channels), which
  differ on a ZLP with a tail.

References
----------
R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed.
(Springer, 2011), §3.3 (plasmon peak and its dispersion with the collection angle);
D. Freedman, *Am. Stat.* 60, 299 (2006) (sandwich variance); L. F. Richardson, *Phil. Trans.
R. Soc. A* 210, 307 (1911) (the σ² extrapolation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import (
    as_spectra,
    parabola_vertex,
    reshape_nav,
    residual_maker,
)
from insitu_tem.analysis.eels.smoothing import SmoothedRows, smooth_rows
from insitu_tem.analysis.eels.zlp import ZlpFit

SMOOTH_EV = 0.5
SEARCH_EV = (5.0, 40.0)
DEGREE = 6
_NOISE_SPECTRA = 64


@dataclass(frozen=True)
class PlasmonEnergy:
    """Plasmon energy of every spectrum (module docstring); arrays have the navigation shape.

    Attributes
    ----------
    energy_eV : ndarray
        Loss of the maximum from the ZLP's centre, eV (NaN where not found).
    sigma_eV : ndarray
        Its 1σ, eV: ``statistical_eV``, ``smoothing_eV`` and ``zlp_eV`` in quadrature.
    statistical_eV, smoothing_eV, zlp_eV : ndarray
        The three terms, eV.
    found : ndarray of bool
        False where the maximum lies on the search window's limit or no ZLP was found.
    ok : bool
        True when every spectrum has a plasmon maximum.
    reason : str
        Why some have none ("" when ok).
    search_eV : (float, float)
        Losses searched, eV.
    """

    energy_eV: np.ndarray
    sigma_eV: np.ndarray
    statistical_eV: np.ndarray
    smoothing_eV: np.ndarray
    zlp_eV: np.ndarray
    found: np.ndarray
    ok: bool
    reason: str
    search_eV: tuple[float, float]


def gaussian_kernel(sigma_channels: float) -> np.ndarray:
    """The discrete Gaussian of :func:`scipy.ndimage.gaussian_filter1d` (radius 4σ)."""
    radius = int(4.0 * sigma_channels + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 * (x / sigma_channels) ** 2)
    return weights / weights.sum()


def _block(y, start, stop, margin):
    """Per row, the channels from ``start - margin`` on (kept within the spectra), as many for
    every row as the longest window plus two margins: each row's first channel and the block
    (the whole rows when they are not longer)."""
    width = int(np.max(stop - start, initial=0)) + 2 * margin
    if width >= y.shape[1]:
        return np.zeros(len(y), dtype=int), y.astype(np.float64, copy=False)
    first = np.clip(start - margin, 0, y.shape[1] - width)
    block = np.take_along_axis(y, first[:, None] + np.arange(width), axis=1)
    return first, block.astype(np.float64, copy=False)


def _vertices(smoothed: SmoothedRows, first, start, stop):
    """Peak channel, sub-channel vertex and found flags (channels of the spectra) in [start, stop)
    of the ``smoothed`` block, which holds the channels from ``first`` on and the window with the
    smoothing kernel's radius on each side. Only the channels whose estimate lies within twice
    its bound of the estimate's maximum can hold the maximum: their exact values decide (the
    first maximum; the first NaN; the block's first channel when none is above −inf)."""
    estimate = smoothed.estimate
    columns = np.arange(estimate.shape[1])[None, :]
    inside = (columns >= (start - first)[:, None]) & (columns < (stop - first)[:, None])
    top = np.max(estimate, axis=1, where=inside, initial=-np.inf)
    rows, near = np.nonzero(inside & ~(estimate < (top - 2 * smoothed.bound)[:, None]))
    values = smoothed.exact(rows, near)[:, 0]
    position = np.zeros(len(estimate), dtype=int)
    if len(rows):
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        best = np.repeat(np.maximum.reduceat(values, starts), np.diff(np.r_[starts, len(rows)]))
        hit = np.flatnonzero((values == best) | np.isnan(values))
        hit = hit[np.r_[True, rows[hit][1:] != rows[hit][:-1]]]
        position[rows[hit]] = np.where(values[hit] == -np.inf, 0, near[hit])
    inner = np.clip(position, 1, estimate.shape[1] - 2)
    around = smoothed.exact(np.arange(len(estimate)), inner - 1, 3)
    offset, _ = parabola_vertex(*around.T)
    index = first + position
    found = (index > start) & (index < stop - 1)
    return inner + first, inner + first + offset, found


def _zlp_maximum(y, rows, channel, fwhm_channels) -> np.ndarray:
    """The raw counts' maximum within one FWHM of the fitted ZLP centre ``channel`` (parabola
    through three channels), fractional channel of each of the ``rows``."""
    reach = np.maximum(np.nan_to_num(fwhm_channels, nan=1.0), 1.0)
    low = np.clip(np.floor(channel - reach) - 1, 0, y.shape[1])
    width = int(np.max(np.clip(np.ceil(channel + reach) + 2, 0, y.shape[1]) - low, initial=0))
    if width < y.shape[1]:
        columns = np.minimum(low.astype(int)[:, None] + np.arange(width), y.shape[1] - 1)
    else:
        columns = np.broadcast_to(np.arange(y.shape[1]), (len(rows), y.shape[1]))
    near = np.abs(columns - channel[:, None]) <= reach[:, None]
    position = np.argmax(np.where(near, y[rows[:, None], columns], -np.inf), axis=1)[:, None]
    index = np.where(near.any(axis=1), np.take_along_axis(columns, position, axis=1)[:, 0], 0)
    index = np.clip(index, 1, y.shape[1] - 2)
    offset, _ = parabola_vertex(
        *(y[rows, index + k].astype(np.float64, copy=False) for k in (-1, 0, 1))
    )
    return index + offset


def _filter_rows(kernel: np.ndarray, size: int, starts) -> np.ndarray:
    """Rows of ``size`` channels holding the kernel from channel ``starts[k]`` on (the smoothed
    value at ``starts[k]`` + radius)."""
    r = len(kernel) // 2
    out = np.zeros((len(starts), size))
    for k, c in enumerate(starts):
        out[k, c : c + 2 * r + 1] = kernel
    return out


def _top_region(smoothed: SmoothedRows, index):
    """Per row, the reach of the channels around ``index`` that stay above 90 % of the top (at
    least 2), the fit's channels [low, high) (within the rows), and whether those and the first
    channel below 90 % on each side lie within the rows. The channels whose estimate lies within
    its bound of the 90 % level are compared by their exact values."""
    estimate = smoothed.estimate
    size = estimate.shape[1]
    columns = np.arange(size)
    level = 0.9 * smoothed.exact(np.arange(len(estimate)), index)[:, 0]
    below = estimate < (level - smoothed.bound)[:, None]
    rows, unsure = np.nonzero((estimate < (level + smoothed.bound)[:, None]) & ~below)
    below[rows, unsure] = smoothed.exact(rows, unsure)[:, 0] < level[rows]
    before = below & (columns < index[:, None])
    after = below & (columns >= index[:, None])
    left = np.where(before.any(axis=1), size - 1 - np.argmax(before[:, ::-1], axis=1), -1)
    right = np.where(after.any(axis=1), np.argmax(after, axis=1), size)
    reach = np.maximum(np.maximum(index - left - 1, right - 1 - index), 2)
    low, high = np.maximum(index - reach, 0), np.minimum(index + reach + 1, size)
    clear = (left >= 0) & (right < size) & (low == index - reach) & (high == index + reach + 1)
    return reach, low, high, clear


def _top_curvature(smoothed: SmoothedRows, rows, index, region) -> np.ndarray:
    """Second derivative at the top of the smoothed ``rows``, counts per channel²: the
    least-squares parabola over their channels [low, high) of ``region``
    (:func:`_top_region`), solved from its normal equations in (channel − index) / reach."""
    reach, low, high = (v[rows] for v in region[:3])
    offsets = np.arange(-int(reach.max(initial=0)), int(reach.max(initial=0)) + 1)
    channels = index[rows][:, None] + offsets
    used = (channels >= low[:, None]) & (channels < high[:, None])
    size = smoothed.estimate.shape[1]
    width = min(len(offsets), size)
    start = np.clip(index[rows] + offsets[0], 0, size - width)
    band = smoothed.exact(rows, start, width)
    values = np.take_along_axis(band, np.clip(channels, 0, size - 1) - start[:, None], axis=1)
    t = np.where(used, offsets / reach[:, None], 0.0)
    weights = [used.astype(float)]
    for _ in range(4):
        weights.append(weights[-1] * t)
    moments = [w.sum(axis=1) for w in weights]
    normal = np.stack([np.stack(moments[k : k + 3][::-1], axis=-1) for k in (2, 1, 0)], axis=1)
    sums = np.stack([np.sum(weights[k] * values, axis=1) for k in (2, 1, 0)], axis=-1)
    return 2 * np.linalg.solve(normal, sums[..., None])[:, 0, 0] / reach**2


def _influence(y, rows, smoothed, first, index, sigma_channels) -> np.ndarray:
    """Σ aⱼ² yⱼ of the vertex of each of the ``rows`` (channels², var yⱼ = yⱼ): the noise of
    s₋ − s₊ over twice the top's curvature (module docstring). ``smoothed`` holds the rows'
    channels from ``first`` on; rows whose top reaches within the kernel's radius of its ends
    are smoothed whole."""
    kernel = gaussian_kernel(sigma_channels)
    r = len(kernel) // 2
    zone = smoothed.columns(r, smoothed.estimate.shape[1] - r)
    position = index - first - r
    inside = (position >= 0) & (position < zone.estimate.shape[1])
    position = np.clip(position, 0, max(zone.estimate.shape[1] - 1, 0))
    region = _top_region(zone, position)
    exact = (inside & region[3])[rows]
    curvature = np.empty(len(rows))
    curvature[exact] = _top_curvature(zone, rows[exact], position, region)
    if not exact.all():
        (whole,) = smooth_rows(y[rows[~exact]].astype(np.float64, copy=False), (sigma_channels,))
        again = np.arange(len(whole.estimate))
        at = index[rows[~exact]]
        curvature[~exact] = _top_curvature(whole, again, at, _top_region(whole, at))
    derivative = np.concatenate([kernel, [0.0, 0.0]]) - np.concatenate([[0.0, 0.0], kernel])
    at = index[rows]
    channels = np.clip(at[:, None] + np.arange(-r - 1, r + 2), 0, y.shape[1] - 1)
    usable = (at - r - 1 >= 0) & (at + r + 2 <= y.shape[1]) & (curvature < 0)
    weights = (0.5 * derivative / curvature[:, None]) ** 2
    counts = y[rows[:, None], channels].astype(np.float64, copy=False)
    out = np.einsum("ij,ij->i", weights, np.clip(counts, 0.0, None))
    return np.where(usable, out, np.nan)


def noise_gain(y: np.ndarray, first: np.ndarray, kernel: np.ndarray) -> float:
    """κ: the variance of the smoothed derivative s₋ − s₊ over its value for var yⱼ = yⱼ.

    The channels from ``first`` (per row) to the end of up to 64 of the rows are cut into
    windows of 4r + 5 channels (r the kernel's radius); in each, a polynomial of degree 6 is
    fitted and the derivative filter applied to the residuals at the 2r + 3 positions whose
    kernel lies inside; the fit's hat matrix is taken out of the expectation. Windows whose ratio
    exceeds four times the median (the polynomial missing a peak or an edge) are dropped and κ
    is the ratio of the sums over the rest (NaN without a window).
    """
    r = len(kernel) // 2
    size = 4 * r + 5
    probes = np.arange(r + 1, 3 * r + 4)
    filters = (
        _filter_rows(kernel, size, probes - 1 - r) - _filter_rows(kernel, size, probes + 1 - r)
    ) @ residual_maker(size, DEGREE)
    pick = np.unique(np.linspace(0, len(y) - 1, min(len(y), _NOISE_SPECTRA)).astype(int))
    numerators, denominators = [], []
    for n in pick:
        count = (y.shape[1] - int(first[n])) // size
        if count < 1:
            continue
        windows = y[n, int(first[n]) : int(first[n]) + count * size].reshape(count, size)
        windows = windows.astype(np.float64, copy=False)
        numerators.append(((windows @ filters.T) ** 2).sum(axis=1))
        denominators.append(np.clip(windows, 0.0, None) @ (filters**2).sum(axis=0))
    if not numerators:
        return np.nan
    numerator, denominator = np.concatenate(numerators), np.concatenate(denominators)
    usable = denominator > 0
    if not usable.any():
        return np.nan
    ratio = numerator[usable] / denominator[usable]
    keep = ratio <= 4.0 * np.median(ratio)
    return float(numerator[usable][keep].sum() / denominator[usable][keep].sum())


def _zlp_term(y, rows, channel, zlp: ZlpFit, scale: float) -> np.ndarray:
    """The zero's 1σ of the ``rows``, eV: the ZLP centre's 1σ and its distance from the raw
    maximum in quadrature."""
    centre_sigma = (
        np.ravel(zlp.position_sigma_eV)[rows]
        if zlp.position_sigma_eV is not None
        else np.full(len(rows), np.nan)
    )
    maximum = _zlp_maximum(y, rows, channel[rows], np.ravel(zlp.fwhm_eV)[rows] / scale)
    return np.hypot(centre_sigma, maximum - channel[rows]) * scale


def plasmon_energy(
    spectra,
    energy: Axis,
    zlp: ZlpFit,
    *,
    search_eV: tuple[float, float] = SEARCH_EV,
    smooth_eV: float = SMOOTH_EV,
) -> PlasmonEnergy:
    """Plasmon energy ± 1σ of every spectrum (module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Low-loss counts (not aligned; any gain), energy last.
    energy : Axis
        Energy-loss axis, eV.
    zlp : ZlpFit
        The spectra's :func:`.zlp.fit_zlp` (with its 1σ).
    search_eV : (float, float), keyword-only
        Losses searched from each ZLP, eV.
    smooth_eV : float, keyword-only
        σ_s of the Gaussian smoothing, eV.
    """
    y, nav_shape = as_spectra(spectra, energy, convert=False)
    position = np.ravel(zlp.position_eV)
    has_zlp = np.ravel(zlp.found) & np.isfinite(position)
    zero = np.where(has_zlp, position, 0.0)
    channel = (zero - energy.to_value(0)) / energy.scale
    low, high = (v / energy.scale for v in search_eV)
    start = np.clip(np.ceil(channel + low), 0, energy.size).astype(int)
    stop = np.clip(np.floor(channel + high) + 1, 0, energy.size).astype(int)
    sigma_channels = smooth_eV / energy.scale
    wider_channels = np.sqrt(2.0) * sigma_channels
    first, block = _block(y, start, stop, len(gaussian_kernel(wider_channels)) // 2 + 2)
    smoothed, wider_smoothed = smooth_rows(block, (sigma_channels, wider_channels))
    index, vertex, found = _vertices(smoothed, first, start, stop)
    wider = _vertices(wider_smoothed, first, start, stop)[1]
    found &= has_zlp & (stop - start >= 5)
    gain = noise_gain(y, start, gaussian_kernel(sigma_channels))
    statistical, zlp_sigma = np.full(len(y), np.nan), np.full(len(y), np.nan)
    rows = np.flatnonzero(found)
    if len(rows):
        influence = _influence(y, rows, smoothed, first, index, sigma_channels)
        statistical[rows] = np.sqrt(gain * influence) * energy.scale
        zlp_sigma[rows] = _zlp_term(y, rows, channel, zlp, energy.scale)
    smoothing = np.abs(wider - vertex) * energy.scale
    sigma = np.sqrt(statistical**2 + smoothing**2 + zlp_sigma**2)
    value = energy.to_value(0) + vertex * energy.scale - zero
    found &= np.isfinite(sigma)
    missing = int((~found).sum())
    reason = ""
    if missing:
        reason = (
            f"no plasmon maximum {search_eV[0]:g}–{search_eV[1]:g} eV from the ZLP in {missing} "
            "spectra (no ZLP, the maximum on the window's limit, or no 1σ)"
        )
    return PlasmonEnergy(
        *(
            reshape_nav(np.where(found, v, np.nan), nav_shape)
            for v in (value, sigma, statistical, smoothing, zlp_sigma)
        ),
        reshape_nav(found, nav_shape),
        not missing,
        reason,
        tuple(map(float, search_eV)),
    )


def low_loss_plasmon(spectra, energy: Axis, zlp: ZlpFit) -> tuple[PlasmonEnergy | None, str]:
    """The plasmon energy ± 1σ of ``spectra`` 5–40 eV from their ZLP (``zlp``; the search ends
    1 eV before the spectra do), or None with why: the spectra stop below 10 eV, or no ZLP."""
    top = float(energy.coordinates()[-1])
    if top <= 10:
        return None, f"the spectra stop at {top:.3g} eV, below 10 eV: no plasmon peak in range"
    if not np.any(zlp.found):
        return None, zlp.reason
    return plasmon_energy(spectra, energy, zlp, search_eV=(5.0, min(40.0, top - 1.0))), ""
