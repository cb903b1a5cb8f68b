"""Window maps and profiles: background-subtracted integrated intensity in an
energy window, ratio maps, and the plasmon peak position of every spectrum.

The integral counts every channel whose extent [E - Δ/2, E + Δ/2] overlaps
the window, weighted by the overlapping fraction, so the result varies
smoothly with the window limits (counts).

Its 1σ (``counts_sigma``) is the Poisson noise of the counts in the window,
Σ w_c² y_c, plus the covariance of the fitted background's parameters
propagated to the background extrapolated under the window (delta method,
gradient of Σ w_c b(E_c)), both scaled up by the background fit's reduced
chi-square where it exceeds 1 (scatter beyond Poisson). Spectra must be raw
counts (gain 1); the choice of background model is not in the 1σ [1]_.

References
----------
.. [1] R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron
   Microscope*, 3rd ed., Springer (2011), section 4.4.4 (background-fit
   error and the signal-to-noise ratio of an edge integral).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import (
    as_spectra,
    channel_range,
    parabola_vertex,
    reshape_nav,
    smooth,
)
from insitu_tem.analysis.eels.background import BackgroundFit, fit_background


@dataclass(frozen=True)
class WindowIntegral:
    """Integrated (background-subtracted) counts in one window for every spectrum.

    Attributes
    ----------
    counts : ndarray
        Signal in the window, counts (navigation shape).
    background_counts : ndarray
        Background under the window, counts (0 without a background window).
    window_eV : (float, float)
        Integration window, eV.
    background : BackgroundFit or None
        The background fit, when one was subtracted.
    counts_sigma : ndarray
        1σ of ``counts``: Poisson noise of the window ⊕ the background fit's
        error extrapolated under it, counts (navigation shape).
    reason : str
        Why ``counts`` are NaN in some spectra ("" when measured everywhere,
        :func:`withhold`).
    """

    counts: np.ndarray
    background_counts: np.ndarray
    window_eV: tuple[float, float]
    background: BackgroundFit | None
    counts_sigma: np.ndarray
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when ``counts`` are measured in every spectrum."""
        return not self.reason


def withhold(window: WindowIntegral, mask, reason: str) -> WindowIntegral:
    """``window`` with its counts and their 1σ NaN where ``mask`` (navigation shape or flat) is
    True, for ``reason`` (unchanged when ``mask`` is nowhere True)."""
    shape = np.shape(window.counts)
    mask = np.asarray(mask, bool).reshape(shape)
    if not mask.any():
        return window
    return dataclasses.replace(
        window,
        counts=np.where(mask, np.nan, window.counts),
        counts_sigma=np.where(mask, np.nan, window.counts_sigma),
        reason=reason,
    )


def channel_weights(energy: Axis, window_eV: tuple[float, float]) -> np.ndarray:
    """Fraction of each channel's extent inside ``window_eV`` (n_channels values in [0, 1])."""
    low, high = sorted(float(v) for v in window_eV)
    centres = energy.coordinates()
    left, right = centres - energy.scale / 2, centres + energy.scale / 2
    overlap = np.clip(np.minimum(right, high) - np.maximum(left, low), 0.0, None)
    weights = overlap / energy.scale
    if not weights.any():
        raise ValueError(
            f"window {low:g}–{high:g} eV lies outside the spectrum "
            f"({centres[0]:.4g}–{centres[-1]:.4g} eV)"
        )
    return weights


def integrate_window(
    spectra,
    energy: Axis,
    window_eV: tuple[float, float],
    *,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
) -> WindowIntegral:
    """Background-subtracted counts in ``window_eV`` for every spectrum.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts, energy last.
    energy : Axis
        Energy-loss axis, eV.
    window_eV : (float, float)
        Integration window, eV (e.g. Li K 55–80, Si L 98–168).
    background_window : (float, float), keyword-only
        Pre-edge window, eV; None integrates the raw counts.
    background_model : str, keyword-only
        Background model (see :mod:`.background`).
    """
    y, nav_shape = as_spectra(spectra, energy)
    weights = channel_weights(energy, window_eV)
    total = y @ weights
    variance = np.clip(y, 0.0, None) @ weights**2
    fit = None
    background = np.zeros(len(y))
    if background_window is not None:
        fit = fit_background(y, energy, background_window, model=background_model)
        inside = weights > 0
        background = np.nan_to_num(fit.evaluate(energy.coordinates()[inside])) @ weights[inside]
        inflation = np.maximum(np.nan_to_num(fit.chi2_reduced.reshape(-1), nan=1.0), 1.0)
        variance = (variance + background_variance(y, energy, fit, weights)) * inflation
    window = WindowIntegral(
        reshape_nav(total - background, nav_shape),
        reshape_nav(background, nav_shape),
        tuple(sorted(map(float, window_eV))),
        fit,
        reshape_nav(np.sqrt(variance), nav_shape),
    )
    return window if fit is None else withhold(window, ~fit.ok, fit.reason)


def _design(e: np.ndarray, model: str, n_params: int) -> np.ndarray:
    """Jacobian of ln b (power law, exponential) or of b (polynomial) in the parameters, (n, p)."""
    if model == "power_law":
        return np.stack([np.ones_like(e), -np.log(e)], axis=-1)
    if model == "exponential":
        return np.stack([np.ones_like(e), -e], axis=-1)
    return np.vander(e, n_params, increasing=True)


def background_variance(y: np.ndarray, energy: Axis, fit: BackgroundFit, weights) -> np.ndarray:
    """Variance of Σ w_c b(E_c), the fitted background under the window, from the fit's
    parameter covariance (Poisson weights, as the fit), counts² per spectrum (flat)."""
    coords = energy.coordinates()
    channels = channel_range(energy, fit.window_eV, minimum=4)
    params = fit.params.reshape(len(y), -1)
    x_fit = _design(coords[channels], fit.model, params.shape[-1])
    inside = np.asarray(weights) > 0
    x_in = _design(coords[inside], fit.model, params.shape[-1])
    model_in = np.nan_to_num(fit.evaluate(coords[inside]).reshape(len(y), -1))
    model_fit = np.nan_to_num(fit.evaluate(coords[channels]).reshape(len(y), -1))
    counts = np.clip(y[:, channels], 0.0, None)
    if fit.model == "polynomial":
        gradient = np.broadcast_to(weights[inside] @ x_in, params.shape)
        bread = np.linalg.pinv(x_fit.T @ x_fit)
        meat = np.einsum("nc,ci,cj->nij", np.maximum(model_fit, 1.0), x_fit, x_fit)
        covariance = bread @ meat @ bread
    else:
        gradient = (model_in * weights[inside]) @ x_in
        information = np.einsum("nc,ci,cj->nij", counts, x_fit, x_fit)
        covariance = np.linalg.pinv(information)
    return np.einsum("ni,nij,nj->n", gradient, covariance, gradient)


def ratio_map(numerator, denominator) -> np.ndarray:
    """Element-wise ratio of two maps, NaN where the denominator is not positive."""
    num, den = np.asarray(numerator, float), np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class PlasmonPeak:
    """Plasmon peak of every spectrum.

    Attributes
    ----------
    energy_eV : ndarray
        Peak position, eV (navigation shape; NaN where not found).
    height : ndarray
        Smoothed counts per channel at the peak.
    found : ndarray of bool
        False where the maximum sits on the edge of the search range.
    search_eV : (float, float)
        Range searched, eV.
    """

    energy_eV: np.ndarray
    height: np.ndarray
    found: np.ndarray
    search_eV: tuple[float, float]


def plasmon_peak(
    spectra, energy: Axis, *, search_eV: tuple[float, float] = (5.0, 40.0), smooth_eV: float = 0.5
) -> PlasmonPeak:
    """Position of the strongest maximum in ``search_eV`` (the bulk plasmon), eV.

    The spectrum is smoothed with a Gaussian of σ = ``smooth_eV`` and the
    maximum located to sub-channel precision by a parabola through three
    channels. Give ZLP-aligned spectra (or subtract the ZLP offset).
    """
    y, nav_shape = as_spectra(spectra, energy)
    region = channel_range(energy, search_eV, minimum=5)
    smoothed = smooth(y, smooth_eV / energy.scale)
    index = np.argmax(smoothed[:, region], axis=1) + region.start
    rows = np.arange(len(index))
    inner = np.clip(index, 1, energy.size - 2)
    offset, _ = parabola_vertex(
        smoothed[rows, inner - 1], smoothed[rows, inner], smoothed[rows, inner + 1]
    )
    found = (index > region.start) & (index < region.stop - 1)
    position = np.where(found, energy.to_value(0) + (inner + offset) * energy.scale, np.nan)
    return PlasmonPeak(
        reshape_nav(position, nav_shape),
        reshape_nav(smoothed[rows, index], nav_shape),
        reshape_nav(found, nav_shape),
        tuple(map(float, search_eV)),
    )
