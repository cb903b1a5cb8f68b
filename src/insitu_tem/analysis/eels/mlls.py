"""Multiple linear least squares (MLLS) with non-negative weights.

Each spectrum y is fitted in a window as y ≈ Σ_k w_k R_k (+ b) with
w_k ≥ 0 (``scipy.optimize.nnls``), where R_k are reference spectra on the
same energy axis: loaded, or the averaged ends of a line scan (e.g. WO3 vs
reduced W). Both are optionally background-subtracted first with the same
model and window. Fractions are w_k / Σ w, with a 1σ from the fit's counting noise and the
background model (:mod:`.mlls_sigma`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, reshape_nav
from insitu_tem.analysis.eels.background import fit_background, subtract_background
from insitu_tem.analysis.eels.mlls_sigma import fraction_sigma, reference_noise, weight_covariance


@dataclass(frozen=True)
class MllsFit:
    """Non-negative reference weights for every spectrum.

    Attributes
    ----------
    weights : ndarray, shape (..., n_references)
        Weights of the references.
    fractions : ndarray, shape (..., n_references)
        Weights normalised to sum 1 (NaN where all are 0 or not measured, see ``reason``).
    offset : ndarray
        Fitted constant (0 without ``offset=True``), counts per channel.
    residuals : ndarray, shape (..., n_window)
        Data minus model in the fit window, counts.
    chi2_reduced : ndarray
        Mean squared residual per degree of freedom, counts².
    window_eV : (float, float)
        Fit window, eV.
    fractions_sigma : ndarray, shape (..., n_references)
        1σ of ``fractions``: ``statistical``, ``model`` and ``reference_noise`` in quadrature
        (NaN where not measured).
    statistical, model, reference_noise : ndarray, shape (..., n_references)
        The fit's counting noise, half the change with the other background treatment (0
        without a background window) and the change when the first-order bias of the
        references' noise (errors in variables) is added back (0 without
        ``reference_averages``); :mod:`.mlls_sigma`.
    ok : bool
        True when every spectrum has fractions with a 1σ.
    reason : str
        Why some have none ("" when ok).
    """

    weights: np.ndarray
    fractions: np.ndarray
    offset: np.ndarray
    residuals: np.ndarray
    chi2_reduced: np.ndarray
    window_eV: tuple[float, float]
    fractions_sigma: np.ndarray
    statistical: np.ndarray
    model: np.ndarray
    reference_noise: np.ndarray
    ok: bool
    reason: str


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
    subtract: bool = True,
    reference_averages: int | None = None,
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
        Pre-edge window; when given, spectra and references are also fitted after subtracting
        their backgrounds fitted there, and half the change of the fractions is the background
        model's 1σ (:mod:`.mlls_sigma`).
    background_model : str, keyword-only
        Background model.
    offset : bool, keyword-only
        Also fit a free constant.
    subtract : bool, keyword-only
        With ``background_window``, report the fit of the background-subtracted spectra (True)
        or of the recorded ones (False; the other is the model's alternative).
    reference_averages : int, keyword-only
        The references are means of this many recordings of counts like the spectra's (the
        scan's end members: 3): their noise's bias on the weights is a term of the 1σ, and where
        it is as large as their differences nothing is measured (:mod:`.mlls_sigma`). None:
        references taken as noise-free.
    """
    y, nav_shape = as_spectra(spectra, energy)
    refs = np.atleast_2d(np.asarray(references, float))
    if refs.shape[1] != energy.size:
        raise ValueError(
            f"references have {refs.shape[1]} channels, the spectra {energy.size}; resample them "
            "first"
        )
    channels = channel_range(energy, window_eV, minimum=refs.shape[0] + 2)
    raw = y[:, channels]
    columns = [np.ones(raw.shape[1])] if offset else []

    def fit(subtracted: bool):
        data, ref = y, refs
        if subtracted:
            data, ref = (
                np.nan_to_num(
                    subtract_background(
                        a,
                        energy,
                        fit_background(a, energy, background_window, model=background_model),
                    )
                )
                for a in (y, refs)
            )
        design = np.column_stack([ref[:, channels].T, *columns])
        return design, data[:, channels], _solve(design, data[:, channels], refs.shape[0], offset)

    primary = background_window is not None and subtract
    design, data, (weights, constant, residuals) = fit(primary)
    statistical = fraction_sigma(weights, weight_covariance(design, raw, residuals))
    fractions = _fractions(weights)
    model = np.zeros_like(statistical)
    if background_window is not None:
        model = 0.5 * np.abs(_fractions(fit(not primary)[2][0]) - fractions)
    noise, reason = np.zeros_like(statistical), ""
    if reference_averages:
        variance = np.clip(refs[:, channels], 0.0, None) / reference_averages
        coefficients = np.column_stack([weights, constant]) if offset else weights
        noise, reason = reference_noise(design, coefficients, variance, raw, residuals, fractions)
    sigma = np.sqrt(statistical**2 + model**2 + noise**2)
    measured = np.isfinite(fractions).all(axis=1) & np.isfinite(sigma).all(axis=1)
    missing = int((~measured).sum())
    if missing and not reason:
        reason = (
            f"no fractions in {missing} spectr{'um' if missing == 1 else 'a'}: every reference "
            "weight is 0 or the fit has no 1σ"
        )
    dof = max(design.shape[0] - design.shape[1], 1)
    return MllsFit(
        *(
            reshape_nav(v, nav_shape)
            for v in (
                weights,
                np.where(measured[:, None], fractions, np.nan),
                constant,
                residuals,
                (residuals**2).sum(axis=1) / dof,
            )
        ),
        tuple(map(float, window_eV)),
        *(
            reshape_nav(np.where(measured[:, None], v, np.nan), nav_shape)
            for v in (sigma, statistical, model, noise)
        ),
        not missing,
        reason,
    )


def _solve(design: np.ndarray, y: np.ndarray, n_ref: int, offset: bool):
    """Non-negative reference weights (the constant and a trend free in sign) of every row:
    weights, constant and residuals."""
    free = design[:, n_ref:]
    signed = np.column_stack([design[:, :n_ref], free, -free])
    solution = np.array([nnls(signed, row, maxiter=50 * signed.shape[1])[0] for row in y])
    n_free = free.shape[1]
    coefficients = np.column_stack(
        [solution[:, :n_ref], solution[:, n_ref : n_ref + n_free] - solution[:, n_ref + n_free :]]
    )
    constant = coefficients[:, n_ref] if offset and n_free else np.zeros(len(y))
    return coefficients[:, :n_ref], constant, y - coefficients @ design.T


def _fractions(weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, weights / np.where(total > 0, total, 1.0), np.nan)
