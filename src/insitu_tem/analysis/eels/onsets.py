"""Edge onsets.

Definition used throughout insitu-tem: the onset is the energy of the maximum
of the first derivative of the (background-subtracted) spectrum after
Gaussian smoothing (σ = ``smooth_eV``), searched within ``search_eV`` of the
tabulated onset and located to sub-channel precision by a parabola through
the three derivative samples around the maximum. It is the steepest point of
the rise, which for an edge broadened by a resolution function of FWHM w lies
about w/2 above the threshold of an ideal step; the same definition serves saw-tooth K
edges and L2,3 white lines (there the steepest point of the L3 line's rise). An edge is
found only where the mean background-subtracted signal over the 5 eV above the search
range exceeds five times the standard deviation of the (1 eV-smoothed) pre-edge residual.
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
from insitu_tem.analysis.eels.background import (
    auto_background_window,
    fit_background,
    subtract_background,
)
from insitu_tem.analysis.eels.edges_table import find_edge

SEARCH_EV = 4.0
"""Default half-width of the onset search about the tabulated threshold, eV."""

DEFINITION = (
    "maximum of the Gaussian-smoothed first derivative of the background-subtracted spectrum"
)


@dataclass(frozen=True)
class EdgeOnset:
    """Onset of one edge in every spectrum.

    Attributes
    ----------
    edge : str
        Edge name.
    onset_eV : ndarray
        Onset energy, eV (navigation shape; NaN where not found).
    slope : ndarray
        Maximum of the smoothed derivative, counts per channel per eV.
    found : ndarray of bool
        False where the derivative has no positive maximum inside the search range.
    definition : str
        How the onset is defined.
    ok : bool
        True when found everywhere.
    reason : str
        Why some were not found ("" when ok).
    """

    edge: str
    onset_eV: np.ndarray
    slope: np.ndarray
    found: np.ndarray
    definition: str
    ok: bool
    reason: str


def _above_noise(signal: np.ndarray, energy: Axis, window, top_eV: float) -> np.ndarray:
    """Whether the mean signal over 5 eV above the search range exceeds 5× the pre-edge noise.

    The noise is the standard deviation of the background-subtracted pre-edge window after the
    same 1 eV smoothing, so correlated detector noise and the background misfit both count.
    """
    smoothed = smooth(signal, 1.0 / energy.scale)
    pre = smoothed[:, channel_range(energy, window, minimum=3)]
    end = min(top_eV + 5.0, float(energy.coordinates()[-1]))
    after = signal[:, channel_range(energy, (min(top_eV, end - energy.scale), end), minimum=1)]
    return after.mean(axis=1) > 5.0 * pre.std(axis=1)


def edge_onset(
    spectra,
    energy: Axis,
    edge: str,
    *,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    search_eV: float = SEARCH_EV,
    smooth_eV: float = 0.3,
) -> EdgeOnset:
    """Onset of ``edge`` in every spectrum (see the module docstring for the definition).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts, energy last (aligned on the ZLP when there is one).
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table (``"W-O23"``, ``"C-K"``...).
    background_window : (float, float), keyword-only
        Pre-edge window, eV; default :func:`auto_background_window`.
    background_model : str, keyword-only
        Background model (see :mod:`.background`).
    search_eV : float, keyword-only
        Half-width of the search range around the tabulated onset, eV.
    smooth_eV : float, keyword-only
        Gaussian σ of the smoothing, eV.
    """
    info = find_edge(edge)
    window = background_window or auto_background_window(info.name, energy)
    y, nav_shape = as_spectra(spectra, energy)
    fit = fit_background(y, energy, window, model=background_model)
    signal = np.nan_to_num(subtract_background(y, energy, fit))
    derivative = np.gradient(smooth(signal, smooth_eV / energy.scale), energy.scale, axis=1)
    low = max(info.onset_eV - search_eV, window[1])
    region = channel_range(energy, (low, info.onset_eV + search_eV), minimum=3)
    index = np.argmax(derivative[:, region], axis=1) + region.start
    rows = np.arange(len(index))
    inner = np.clip(index, 1, energy.size - 2)
    offset, _ = parabola_vertex(
        derivative[rows, inner - 1], derivative[rows, inner], derivative[rows, inner + 1]
    )
    slope = derivative[rows, index]
    interior = (index > region.start) & (index < region.stop - 1)
    found = interior & (slope > 0) & _above_noise(signal, energy, window, info.onset_eV + search_eV)
    onset = np.where(found, energy.to_value(0) + (inner + offset) * energy.scale, np.nan)
    missing = int((~found).sum())
    reason = (
        ""
        if not missing
        else (
            f"no edge of {info.name} rising above the noise within ±{search_eV:g} eV in {missing} "
            "spectra"
        )
    )
    return EdgeOnset(
        info.name,
        reshape_nav(onset, nav_shape),
        reshape_nav(np.where(found, slope, np.nan), nav_shape),
        reshape_nav(found, nav_shape),
        DEFINITION,
        missing == 0,
        reason,
    )
