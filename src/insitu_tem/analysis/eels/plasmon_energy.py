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
from insitu_tem.analysis.eels._common import as_spectra, parabola_vertex, reshape_nav, smooth
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


def _vertices(y, start, stop, sigma_channels):
    """Peak channel, sub-channel vertex, found flags and the smoothed rows, in [start, stop)."""
    smoothed = smooth(y, sigma_channels)
    columns = np.arange(y.shape[1])[None, :]
    inside = (columns >= start[:, None]) & (columns < stop[:, None])
    index = np.argmax(np.where(inside, smoothed, -np.inf), axis=1)
    rows = np.arange(len(y))
    inner = np.clip(index, 1, y.shape[1] - 2)
    offset, _ = parabola_vertex(*(smoothed[rows, inner + k] for k in (-1, 0, 1)))
    found = (index > start) & (index < stop - 1)
    return inner, inner + offset, found, smoothed


def _zlp_maximum(y, channel, fwhm_channels) -> np.ndarray:
    """The raw counts' maximum within one FWHM of the fitted ZLP centre ``channel`` (parabola
    through three channels), fractional channel per row."""
    columns = np.arange(y.shape[1])[None, :]
    reach = np.nan_to_num(fwhm_channels, nan=1.0)[:, None]
    near = np.abs(columns - channel[:, None]) <= np.maximum(reach, 1.0)
    index = np.clip(np.argmax(np.where(near, y, -np.inf), axis=1), 1, y.shape[1] - 2)
    rows = np.arange(len(y))
    offset, _ = parabola_vertex(*(y[rows, index + k] for k in (-1, 0, 1)))
    return index + offset


def _filter_rows(kernel: np.ndarray, size: int, starts) -> np.ndarray:
    """Rows of ``size`` channels holding the kernel from channel ``starts[k]`` on (the smoothed
    value at ``starts[k]`` + radius)."""
    r = len(kernel) // 2
    out = np.zeros((len(starts), size))
    for k, c in enumerate(starts):
        out[k, c : c + 2 * r + 1] = kernel
    return out


def _top_curvature(smoothed_row: np.ndarray, index: int) -> float:
    """Second derivative at the top of a smoothed row, counts per channel²: the least-squares
    parabola over the channels around ``index`` that stay above 90 % of the top (at least ±2)."""
    top = smoothed_row[index]
    below = smoothed_row < 0.9 * top
    left = np.flatnonzero(below[:index])
    right = np.flatnonzero(below[index:])
    low = max(left[-1] + 1 if left.size else 0, 0)
    high = index + (right[0] if right.size else len(smoothed_row) - index)
    reach = max(index - low, high - 1 - index, 2)
    x = np.arange(max(index - reach, 0), min(index + reach + 1, len(smoothed_row)))
    return float(2 * np.polyfit(x - index, smoothed_row[x], 2)[0])


def _influence(y, smoothed, index, kernel) -> np.ndarray:
    """Σ aⱼ² yⱼ of every row's vertex (channels², var yⱼ = yⱼ): the noise of s₋ − s₊ over twice
    the top's curvature (module docstring)."""
    r = len(kernel) // 2
    derivative = np.concatenate([kernel, [0.0, 0.0]]) - np.concatenate([[0.0, 0.0], kernel])
    out = np.full(len(y), np.nan)
    for n, i in enumerate(index):
        if i - r - 1 < 0 or i + r + 2 > y.shape[1]:
            continue
        curvature = _top_curvature(smoothed[n], i)
        if curvature < 0:
            window = np.clip(y[n, i - r - 1 : i + r + 2], 0.0, None)
            out[n] = float((0.5 * derivative / curvature) ** 2 @ window)
    return out


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
    basis = np.vander(np.linspace(-1.0, 1.0, size), DEGREE + 1)
    residual_maker = np.eye(size) - basis @ np.linalg.pinv(basis)
    probes = np.arange(r + 1, 3 * r + 4)
    filters = (
        _filter_rows(kernel, size, probes - 1 - r) - _filter_rows(kernel, size, probes + 1 - r)
    ) @ residual_maker
    pick = np.unique(np.linspace(0, len(y) - 1, min(len(y), _NOISE_SPECTRA)).astype(int))
    numerators, denominators = [], []
    for n in pick:
        count = (y.shape[1] - int(first[n])) // size
        if count < 1:
            continue
        windows = y[n, int(first[n]) : int(first[n]) + count * size].reshape(count, size)
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
    y, nav_shape = as_spectra(spectra, energy)
    position = np.ravel(zlp.position_eV)
    has_zlp = np.ravel(zlp.found) & np.isfinite(position)
    zero = np.where(has_zlp, position, 0.0)
    channel = (zero - energy.to_value(0)) / energy.scale
    low, high = (v / energy.scale for v in search_eV)
    start = np.clip(np.ceil(channel + low), 0, energy.size).astype(int)
    stop = np.clip(np.floor(channel + high) + 1, 0, energy.size).astype(int)
    sigma_channels = smooth_eV / energy.scale
    index, vertex, found, smoothed = _vertices(y, start, stop, sigma_channels)
    wider = _vertices(y, start, stop, np.sqrt(2.0) * sigma_channels)[1]
    found &= has_zlp & (stop - start >= 5)
    kernel = gaussian_kernel(sigma_channels)
    gain = noise_gain(y, start, kernel)
    statistical = np.sqrt(gain * _influence(y, smoothed, index, kernel)) * energy.scale
    smoothing = np.abs(wider - vertex) * energy.scale
    zlp_sigma = (
        np.hypot(
            np.ravel(
                zlp.position_sigma_eV
                if zlp.position_sigma_eV is not None
                else np.full(len(y), np.nan)
            ),
            _zlp_maximum(y, channel, np.ravel(zlp.fwhm_eV) / energy.scale) - channel,
        )
        * energy.scale
    )
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
