"""Multiple linear least squares (MLLS) with non-negative weights.

Each spectrum y is fitted in a window as y ≈ Σ_k w_k R_k (+ b) with
w_k ≥ 0 (``scipy.optimize.nnls``), where R_k are reference spectra on the
same energy axis: loaded, or the averaged ends of a line scan (e.g. WO3 vs
reduced W). Both are optionally background-subtracted first with the same
model and window. Fractions are w_k / Σ w.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, reshape_nav
from insitu_tem.analysis.eels.background import fit_background, subtract_background


@dataclass(frozen=True)
class MllsFit:
    """Non-negative reference weights for every spectrum.

    Attributes
    ----------
    weights : ndarray, shape (..., n_references)
        Weights of the references.
    fractions : ndarray, shape (..., n_references)
        Weights normalised to sum 1 (NaN where all are 0).
    offset : ndarray
        Fitted constant (0 without ``offset=True``), counts per channel.
    residuals : ndarray, shape (..., n_window)
        Data minus model in the fit window, counts.
    chi2_reduced : ndarray
        Mean squared residual per degree of freedom, counts².
    window_eV : (float, float)
        Fit window, eV.
    """

    weights: np.ndarray
    fractions: np.ndarray
    offset: np.ndarray
    residuals: np.ndarray
    chi2_reduced: np.ndarray
    window_eV: tuple[float, float]


def end_member_references(spectra, energy: Axis, *, average: int = 3) -> np.ndarray:
    """The means of the first and last ``average`` spectra of a scan, shape (2, n_channels).

    Raises
    ------
    ValueError
        When the scan has fewer than ``2 * average`` spectra.
    """
    y, _ = as_spectra(spectra, energy)
    if average < 1 or len(y) < 2 * average:
        raise ValueError(
            f"a scan of {len(y)} spectra cannot give two end members of {average}; lower `average`"
        )
    return np.stack([y[:average].mean(axis=0), y[-average:].mean(axis=0)])


def mlls_fit(
    spectra,
    energy: Axis,
    references,
    *,
    window_eV: tuple[float, float],
    background_window: tuple[float, float] | None = None,
    background_model: str = "power_law",
    offset: bool = False,
) -> MllsFit:
    """Fit every spectrum as a non-negative combination of ``references``.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts on a common (aligned) energy axis.
    energy : Axis
        Energy-loss axis, eV.
    references : array_like, shape (n_references, n_channels)
        Reference spectra on the same axis.
    window_eV : (float, float), keyword-only
        Fit window, eV.
    background_window : (float, float), keyword-only
        Pre-edge window; when given, spectra and references are
        background-subtracted first.
    background_model : str, keyword-only
        Background model.
    offset : bool, keyword-only
        Also fit a free constant.
    """
    y, nav_shape = as_spectra(spectra, energy)
    refs = np.atleast_2d(np.asarray(references, float))
    if refs.shape[1] != energy.size:
        raise ValueError(
            f"references have {refs.shape[1]} channels, the spectra {energy.size}; resample them "
            "first"
        )
    if background_window is not None:
        fit = fit_background(y, energy, background_window, model=background_model)
        y = np.nan_to_num(subtract_background(y, energy, fit))
        ref_fit = fit_background(refs, energy, background_window, model=background_model)
        refs = np.nan_to_num(subtract_background(refs, energy, ref_fit))
    channels = channel_range(energy, window_eV, minimum=refs.shape[0] + 2)
    design = refs[:, channels].T
    if offset:
        design = np.column_stack([design, np.ones(len(design)), -np.ones(len(design))])
    solution = np.array(
        [nnls(design, row, maxiter=50 * design.shape[1])[0] for row in y[:, channels]]
    )
    n_ref = refs.shape[0]
    weights = solution[:, :n_ref]
    constant = solution[:, n_ref] - solution[:, n_ref + 1] if offset else np.zeros(len(y))
    residuals = y[:, channels] - solution @ design.T
    dof = max(design.shape[0] - design.shape[1], 1)
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        fractions = np.where(total > 0, weights / np.where(total > 0, total, 1.0), np.nan)
    return MllsFit(
        reshape_nav(weights, nav_shape),
        reshape_nav(fractions, nav_shape),
        reshape_nav(constant, nav_shape),
        reshape_nav(residuals, nav_shape),
        reshape_nav((residuals**2).sum(axis=1) / dof, nav_shape),
        tuple(map(float, window_eV)),
    )
