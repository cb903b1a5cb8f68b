"""Chemical shift of an edge against a reference, by least-squares matching.

Every spectrum y and the reference r are background-subtracted with the
same model and window; then, in the fit window, y(E) is modelled as

    y(E) ≈ a · r(E - s) + b + c (E - Ē)

with r resampled by a cubic spline. The shift s is found on a grid of half
a channel (the linear parameters a, b, c are solved exactly at each s, a
variable projection), refined by the parabola through the three lowest
residual sums, and its standard error is

    σ_s = sqrt(2 σ² / SSR''(s)),   σ² = SSR(s) / (n - 4),

the curvature form of the least-squares covariance (profiled over a, b, c).
A positive shift means the edge sits at higher energy than the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import make_interp_spline

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, parabola_vertex, reshape_nav
from insitu_tem.analysis.eels.background import auto_background_window, fit_background, subtract_background
from insitu_tem.analysis.eels.edges_table import find_edge


@dataclass(frozen=True)
class ChemicalShift:
    """Shift of one edge in every spectrum against a reference.

    Attributes
    ----------
    edge : str
        Edge name.
    shift_eV : ndarray
        Shift, eV (navigation shape; NaN where not found).
    stderr_eV : ndarray
        Standard error of the shift, eV.
    scale : ndarray
        Amplitude ``a`` of the reference in the fit.
    chi2_reduced : ndarray
        Residual variance per channel, counts² (σ² above).
    fit_window_eV : (float, float)
        Matched energy range, eV.
    background_window_eV : (float, float)
        Pre-edge window, eV.
    found : ndarray of bool
        False where the best shift lies on the edge of the search range.
    ok : bool
        True when found everywhere.
    reason : str
        Why some were not found.
    """

    edge: str
    shift_eV: np.ndarray
    stderr_eV: np.ndarray
    scale: np.ndarray
    chi2_reduced: np.ndarray
    fit_window_eV: tuple[float, float]
    background_window_eV: tuple[float, float]
    found: np.ndarray
    ok: bool
    reason: str


def default_fit_window(edge: str) -> tuple[float, float]:
    """Energy range matched for ``edge``: 3 eV below the onset to 12 eV above (or 5 %), eV."""
    onset = find_edge(edge).onset_eV
    return onset - 3.0, onset + max(12.0, 0.05 * onset)


def _reference(reference, y: np.ndarray, n_channels: int) -> np.ndarray:
    if isinstance(reference, (int, np.integer)):
        if not -len(y) <= int(reference) < len(y):
            raise ValueError(f"reference index {reference} outside the scan of {len(y)} spectra")
        return y[int(reference)]
    ref = np.asarray(reference, float)
    if ref.shape != (n_channels,):
        raise ValueError(
            f"reference spectrum has shape {ref.shape}; give one spectrum of {n_channels} channels on the same axis"
        )
    return ref


def _residual_curves(signal: np.ndarray, ref_signal: np.ndarray, e_all, e_fit, grid) -> np.ndarray:
    spline = make_interp_spline(e_all, np.nan_to_num(ref_signal), k=3)
    centred = e_fit - e_fit.mean()
    design = np.empty((len(grid), len(e_fit), 3))
    design[:, :, 0] = spline(e_fit[None, :] - grid[:, None])
    design[:, :, 1] = 1.0
    design[:, :, 2] = centred / max(np.ptp(centred), 1e-9)
    q, _ = np.linalg.qr(design)
    projections = np.einsum("gek,ne->ngk", q, signal)
    return (signal**2).sum(axis=1)[:, None] - (projections**2).sum(axis=2)


def chemical_shift(
    spectra,
    energy: Axis,
    edge: str,
    *,
    reference=0,
    fit_window: tuple[float, float] | None = None,
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    max_shift_eV: float = 3.0,
) -> ChemicalShift:
    """Shift of ``edge`` in every spectrum against a reference (see module docstring).

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts on a common (ZLP-aligned) energy axis.
    energy : Axis
        Energy-loss axis, eV.
    edge : str
        Edge name from the table.
    reference : int or array_like, keyword-only
        Index of the reference spectrum in the flattened navigation order, or
        a spectrum of ``n_channels`` counts on the same axis.
    fit_window, background_window : (float, float), keyword-only
        Matched range and pre-edge window, eV (defaults from the edge table).
    background_model : str, keyword-only
        Background model.
    max_shift_eV : float, keyword-only
        Largest shift searched, eV.
    """
    name = find_edge(edge).name
    bg_window = background_window or auto_background_window(name, energy)
    window = fit_window or default_fit_window(name)
    y, nav_shape = as_spectra(spectra, energy)
    ref = _reference(reference, y, energy.size)
    both = np.vstack([y, ref[None, :]])
    signal = subtract_background(both, energy, fit_background(both, energy, bg_window, model=background_model))
    channels = channel_range(energy, window, minimum=8)
    e_all = energy.coordinates()
    grid = np.arange(-max_shift_eV, max_shift_eV + 1e-9, energy.scale / 2)
    ssr = _residual_curves(np.nan_to_num(signal[:-1, channels]), signal[-1], e_all, e_all[channels], grid)
    shift, stderr, sigma2, found = _refine(ssr, grid, channels.stop - channels.start)
    if isinstance(reference, (int, np.integer)):
        shift[int(reference)], stderr[int(reference)], found[int(reference)] = 0.0, 0.0, True
    scale = _amplitudes(signal[:-1, channels], signal[-1], e_all, e_all[channels], shift)
    missing = int((~found).sum())
    reason = "" if not missing else f"best shift at the ±{max_shift_eV:g} eV search limit in {missing} spectra"
    return ChemicalShift(
        name,
        reshape_nav(np.where(found, shift, np.nan), nav_shape),
        reshape_nav(stderr, nav_shape),
        reshape_nav(scale, nav_shape),
        reshape_nav(sigma2, nav_shape),
        tuple(map(float, window)),
        tuple(map(float, bg_window)),
        reshape_nav(found, nav_shape),
        missing == 0,
        reason,
    )


def _refine(ssr: np.ndarray, grid: np.ndarray, n_points: int):
    """Parabolic minimum of each residual curve: shift, standard error, σ² and found (on the grid interior)."""
    best = np.argmin(ssr, axis=1)
    found = (best > 0) & (best < len(grid) - 1)
    rows, inner = np.arange(len(best)), np.clip(best, 1, len(grid) - 2)
    offset, curvature = parabola_vertex(ssr[rows, inner - 1], ssr[rows, inner], ssr[rows, inner + 1])
    step = grid[1] - grid[0]
    minimum = ssr[rows, inner] - 0.25 * curvature * offset**2
    sigma2 = np.maximum(minimum, 0) / max(n_points - 4, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stderr = np.sqrt(2 * sigma2 / (curvature / step**2))
    stderr = np.where(found & (curvature > 0), stderr, np.nan)
    return grid[inner] + offset * step, stderr, sigma2, found


def _amplitudes(signal: np.ndarray, ref_signal: np.ndarray, e_all, e_fit, shifts: np.ndarray) -> np.ndarray:
    spline = make_interp_spline(e_all, np.nan_to_num(ref_signal), k=3)
    model = spline(e_fit[None, :] - np.nan_to_num(shifts)[:, None])
    centred = e_fit - e_fit.mean()
    out = np.empty(len(signal))
    for i, (row, column) in enumerate(zip(np.nan_to_num(signal), model)):
        design = np.column_stack([column, np.ones_like(centred), centred])
        out[i] = np.linalg.lstsq(design, row, rcond=None)[0][0]
    return out
