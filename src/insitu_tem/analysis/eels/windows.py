"""Window maps and profiles: background-subtracted integrated intensity in an
energy window, ratio maps, and the plasmon peak position of every spectrum.

The integral counts every channel whose extent [E - Δ/2, E + Δ/2] overlaps
the window, weighted by the overlapping fraction, so the result varies
smoothly with the window limits (counts).
"""

from __future__ import annotations

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
    """

    counts: np.ndarray
    background_counts: np.ndarray
    window_eV: tuple[float, float]
    background: BackgroundFit | None


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
    fit = None
    background = np.zeros(len(y))
    if background_window is not None:
        fit = fit_background(y, energy, background_window, model=background_model)
        inside = weights > 0
        background = np.nan_to_num(fit.evaluate(energy.coordinates()[inside])) @ weights[inside]
    return WindowIntegral(
        reshape_nav(total - background, nav_shape),
        reshape_nav(background, nav_shape),
        tuple(sorted(map(float, window_eV))),
        fit,
    )


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
