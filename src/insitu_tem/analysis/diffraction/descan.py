"""Descan of the direct beam along a line scan: every pattern's centre, each started from the
last found, and a low-order polynomial of the scan position fitted to them with the 1σ of its
prediction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.polynomial import polynomial as P

from insitu_tem.analysis.diffraction.centre import direct_beam_centre

ONE_SIGMA = 0.682689492137086
"""Probability within ±1σ of a normal distribution."""


@dataclass(frozen=True)
class CentreSeries:
    """Direct-beam centres along a scan.

    Attributes
    ----------
    centre_rc : numpy.ndarray
        (n, 2) centres in px (NaN where not found).
    ok : numpy.ndarray
        (n,) bool, True where the direct beam was found.
    radius_px : numpy.ndarray
        (n,) disk radius in px.
    """

    centre_rc: np.ndarray
    ok: np.ndarray
    radius_px: np.ndarray


def centres_along_scan(
    patterns,
    *,
    method: str = "com",
    search_px: int = 12,
    should_stop: Callable[[], bool] | None = None,
) -> CentreSeries:
    """Direct-beam centre of every pattern of a series, each started from the last found.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns (numpy or dask).
    method, search_px : see :func:`direct_beam_centre`.
    should_stop : callable, optional
        Polled between patterns; when it returns True the remaining centres stay NaN.
    """
    if np.ndim(patterns) != 3:
        raise ValueError(
            f"expected (n, rows, cols) patterns, got shape {np.shape(patterns)}; flatten the scan "
            "first"
        )
    n = len(patterns)
    centres = np.full((n, 2), np.nan)
    ok = np.zeros(n, dtype=bool)
    radius = np.full(n, np.nan)
    guess = None
    for i in range(n):
        if should_stop is not None and should_stop():
            break
        found = direct_beam_centre(
            np.asarray(patterns[i]), guess_rc=guess, method=method, search_px=search_px
        )
        if found.ok:
            centres[i], ok[i], radius[i] = found.centre_rc, True, found.radius_px
            guess = found.centre_rc
    return CentreSeries(centres, ok, radius)


@dataclass(frozen=True)
class DescanFit:
    """Polynomial model of the direct-beam position along the scan.

    Attributes
    ----------
    coefficients_row, coefficients_col : numpy.ndarray
        Polynomial coefficients (lowest order first) of row and col (px)
        against scan position (its units).
    fitted_rc : numpy.ndarray
        (n, 2) modelled centre at every position, px.
    rms_px : float
        RMS distance of the measured centres from the model, px.
    sigma_rc : numpy.ndarray or None
        (n, 2) 1σ of ``fitted_rc``, px: the least-squares prediction error of the polynomial at
        every position, ``√(s² vᵀ (VᵀV)⁻¹ v)`` with ``s²`` the residual variance per coordinate,
        widened to the Student-t 68.27 % half-width for ``s²``'s degrees of freedom (a bias of
        the centre finder common to every pattern is not included).
    """

    coefficients_row: np.ndarray
    coefficients_col: np.ndarray
    fitted_rc: np.ndarray
    rms_px: float
    sigma_rc: np.ndarray | None = None


def fit_descan(position, centre_rc, *, degree: int = 2, ok=None) -> DescanFit:
    """Fit the descan of the direct beam, row and col against scan position.

    Parameters
    ----------
    position : array_like
        (n,) scan coordinate (nm or index).
    centre_rc : array_like
        (n, 2) measured centres, px (NaN rows are ignored).
    degree : int
        Polynomial degree (1: linear descan).
    ok : array_like of bool, optional
        Which centres to use.
    """
    x = np.asarray(position, dtype=float)
    rc = np.asarray(centre_rc, dtype=float)
    use = np.isfinite(rc).all(axis=1) & (
        np.ones(len(x), bool) if ok is None else np.asarray(ok, bool)
    )
    if use.sum() <= degree:
        raise ValueError(
            f"only {int(use.sum())} centres found; a degree-{degree} descan fit needs {degree + 1}"
        )
    coef_r = P.polyfit(x[use], rc[use, 0], degree)
    coef_c = P.polyfit(x[use], rc[use, 1], degree)
    fitted = np.stack([P.polyval(x, coef_r), P.polyval(x, coef_c)], axis=1)
    rms = float(np.sqrt(np.mean(np.sum((fitted[use] - rc[use]) ** 2, axis=1))))
    return DescanFit(coef_r, coef_c, fitted, rms, _prediction_sigma(x, use, rc, fitted, degree))


def _prediction_sigma(x, use, rc, fitted, degree: int) -> np.ndarray:
    """(n, 2) 1σ of a least-squares polynomial's value at every ``x`` (NaN without dof)."""
    dof = int(use.sum()) - degree - 1
    if dof < 1:
        return np.full(fitted.shape, np.nan)
    vander = P.polyvander(x, degree)
    inverse = np.linalg.pinv(vander[use].T @ vander[use])
    leverage = np.einsum("ni,ij,nj->n", vander, inverse, vander)
    residual_variance = np.sum((fitted[use] - rc[use]) ** 2, axis=0) / dof
    from scipy.special import stdtrit

    student = float(stdtrit(dof, 0.5 + ONE_SIGMA / 2))
    return student * np.sqrt(np.clip(leverage, 0, None)[:, None] * residual_variance[None, :])
