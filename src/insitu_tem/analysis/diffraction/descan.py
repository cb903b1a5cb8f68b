"""Descan of the direct beam along a line scan: every pattern's centre, each started from the
last found, and a low-order polynomial of the scan position fitted to them with the 1σ of its
prediction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from numpy.polynomial import polynomial as P

from insitu_tem.analysis.diffraction.centre import (
    BeamCentre,
    direct_beam_centre,
    search_origin,
)
from insitu_tem.analysis.diffraction.pattern_centre import edge_fitted_beam, edge_fitted_beams

ONE_SIGMA = 0.682689492137086
"""Probability within ±1σ of a normal distribution."""
MAD_TO_SIGMA = 1.482602218505602
"""σ of a normal distribution per median absolute deviation."""
GROSS_MISS_RATE = 0.01
"""Chance per scan that a centre within the scatter is rejected as a gross miss."""
MIN_SCATTER_PX = 1e-3
"""Scatter below which centres are not told apart (far below any centre finder's 1σ), px."""
EDGE_THREADS = 2
"""Threads the beams' edges along a scan are fitted on (:func:`centres_along_scan`)."""


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
    sigma_px : numpy.ndarray or None
        (n,) 1σ of each centre coordinate, px, where the beam's edge was fitted (NaN elsewhere).
    reason : str
        Why the centres cannot be trusted ("" when they can), e.g. two beam tracks along the
        scan that cannot be told apart.
    """

    centre_rc: np.ndarray
    ok: np.ndarray
    radius_px: np.ndarray
    sigma_px: np.ndarray | None = None
    reason: str = ""


def centres_along_scan(
    patterns,
    *,
    method: str = "edge",
    search_px: int = 12,
    should_stop: Callable[[], bool] | None = None,
) -> CentreSeries:
    """Direct-beam centre of every pattern of a series, each started from the last found (or,
    where no beam is found there, from the pattern's own centre of symmetry).

    A start decides the beam found only through the search window it places
    (:func:`~insitu_tem.analysis.diffraction.centre.search_origin`): every pattern is first read
    from the last first reading found and the edges of all are fitted as one batch
    (:func:`~insitu_tem.analysis.diffraction.pattern_centre.edge_fitted_beams`); a pattern whose
    window the edge-fitted centre before it would have moved is searched again from that
    centre. The centres are those of the pattern-by-pattern search to rounding (1e-12 px).

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns (numpy or dask).
    method : {"edge", "com", "template"}
        ``"edge"``: the centre of mass refined by fitting the beam's edge
        (:func:`insitu_tem.analysis.diffraction.pattern_centre.edge_fitted_beam`), which the
        diffracted disks overlapping the beam and the intensity across it do not pull; the
        centre of mass where no edge is found (a point-like beam); else see
        :func:`direct_beam_centre`.
    search_px : int
        See :func:`direct_beam_centre`.
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
    sigma = np.full(n, np.nan)
    searched = _searched_ahead(patterns, method, search_px, should_stop)
    shape = np.shape(patterns)[1:]

    def origin(guess) -> tuple[int, int] | None:
        return None if guess is None else search_origin(shape, guess, search_px=search_px)

    guess = None
    for i, (found, searched_from) in enumerate(searched):
        if origin(searched_from) != origin(guess):
            found = _beam_from(np.asarray(patterns[i], float), guess, method, search_px)
        if found.ok:
            centres[i], ok[i], radius[i], sigma[i] = (
                found.centre_rc,
                True,
                found.radius_px,
                found.sigma_px,
            )
            guess = found.centre_rc
    return CentreSeries(centres, ok, radius, sigma)


def _found(pattern, guess, method: str, search_px: int) -> BeamCentre:
    """The beam's first reading near ``guess``, else near the symmetry centre."""
    stage = "com" if method == "edge" else method
    found = direct_beam_centre(pattern, guess_rc=guess, method=stage, search_px=search_px)
    if not found.ok and guess is not None:
        found = direct_beam_centre(pattern, guess_rc=None, method=stage, search_px=search_px)
    return found


def _beam_from(pattern, guess, method: str, search_px: int) -> BeamCentre:
    """The beam of one pattern of :func:`centres_along_scan` started from ``guess``."""
    found = beam_of_pattern(pattern, guess, method=method, search_px=search_px)
    if not found.ok and guess is not None:
        found = beam_of_pattern(pattern, None, method=method, search_px=search_px)
    return found


def _searched_ahead(patterns, method: str, search_px: int, should_stop) -> list[tuple]:
    """(beam, guess it was searched from) of the patterns of :func:`centres_along_scan`, each
    searched from the first reading of the last beam found, the edges of all then fitted as
    one batch. Where the edge-fitted centre lies in another search window than its first
    reading, the next pattern is searched again from it (:func:`centres_along_scan`)."""
    first, guesses, guess = [], [], None
    for i in range(len(patterns)):
        if should_stop is not None and should_stop():
            break
        pattern = np.asarray(patterns[i], float)
        first.append(_found(pattern, guess, method, search_px))
        guesses.append(guess)
        guess = first[-1].centre_rc if first[-1].ok else guess
    if method != "edge":
        return list(zip(first, guesses))
    fitted = [i for i, found in enumerate(first) if found.ok]
    edges = edge_fitted_beams(
        [np.asarray(patterns[i], float) for i in fitted],
        [first[i].centre_rc for i in fitted],
        [first[i].radius_px for i in fitted],
        threads=EDGE_THREADS,
    )
    beams = list(first)
    for i, edge in zip(fitted, edges):
        beams[i] = first[i] if edge is None else edge
    return list(zip(beams, guesses))


def beam_of_pattern(pattern: np.ndarray, guess, *, method: str, search_px: int) -> BeamCentre:
    """The direct beam of one pattern searched near ``guess`` (None: its symmetry centre), with
    its edge fitted for ``method`` ``"edge"`` (see :func:`centres_along_scan`)."""
    found = direct_beam_centre(
        pattern, guess_rc=guess, method="com" if method == "edge" else method, search_px=search_px
    )
    if method != "edge" or not found.ok:
        return found
    beam = edge_fitted_beam(pattern, found.centre_rc, radius_px=found.radius_px)
    return found if beam is None else beam


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
        RMS distance of the centres kept from the model, px.
    sigma_rc : numpy.ndarray or None
        (n, 2) 1σ of ``fitted_rc``, px: the least-squares prediction error of the polynomial at
        every position, ``√(s² vᵀ (VᵀV)⁻¹ v)`` with ``s²`` the residual variance per coordinate
        of the centres kept, widened to the Student-t 68.27 % half-width for ``s²``'s degrees of
        freedom, the variance widened by ``n / n_eff`` for the residuals' correlation along the
        scan (a grain boundary or a thickness change moves the centre finder's bias), and the
        centre finder's own 1σ propagated through the fit added in quadrature (the two overlap
        for white scatter; without the second the abTEM scans of the validation are covered at
        57 %, with it at 65 %). A bias common to every pattern is not included.
    kept : numpy.ndarray or None
        (n,) bool, the centres the model was fitted to: found, and not rejected as a gross miss.
    ok : bool
        False when the centres it was fitted to cannot be trusted (``reason`` says why).
    reason : str
        "" when ``ok``.
    """

    coefficients_row: np.ndarray
    coefficients_col: np.ndarray
    fitted_rc: np.ndarray
    rms_px: float
    sigma_rc: np.ndarray | None = None
    kept: np.ndarray | None = None
    ok: bool = True
    reason: str = ""


def descan_of_scan(position, series: CentreSeries) -> DescanFit:
    """The descan `nbd` uses: :func:`fit_descan` of degree 2 from six centres found (else a
    constant), with the centres' 1σ, ``ok`` False with the series' reason when it has one."""
    degree = 2 if series.ok.sum() >= 6 else 0
    fit = fit_descan(position, series.centre_rc, degree=degree, sigma_px=series.sigma_px)
    return replace(fit, ok=False, reason=series.reason) if series.reason else fit


def fit_descan(position, centre_rc, *, degree: int = 2, ok=None, sigma_px=None) -> DescanFit:
    """Fit the descan of the direct beam, row and col against scan position.

    A centre whose residual exceeds what the scatter of the others allows is a gross miss (a
    diffracted disk or a blob taken for the direct beam) and is left out: the scatter is the
    median absolute residual (×1.4826) per coordinate at first, then the RMS residual of the
    centres kept, and the limit the normal quantile that an inlier among the n found passes by
    chance in 1 % of scans (Bonferroni); the fit and the rejection are repeated until the kept
    set no longer changes.

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
    sigma_px : array_like, optional
        (n,) 1σ of each centre coordinate from the centre finder, px (NaN: the median of the
        others); propagated through the fit and added in quadrature to the residual term.

    References
    ----------
    Rousseeuw, P. J. & Croux, C. (1993). Alternatives to the median absolute deviation.
    J. Am. Stat. Assoc. 88, 1273–1283.
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
    kept = _without_gross_misses(x, rc, use, degree)
    coef_r = P.polyfit(x[kept], rc[kept, 0], degree)
    coef_c = P.polyfit(x[kept], rc[kept, 1], degree)
    fitted = np.stack([P.polyval(x, coef_r), P.polyval(x, coef_c)], axis=1)
    rms = float(np.sqrt(np.mean(np.sum((fitted[kept] - rc[kept]) ** 2, axis=1))))
    sigma = _prediction_sigma(x, kept, rc, fitted, degree)
    if sigma_px is not None:
        sigma = np.hypot(sigma, _propagated_sigma(x, kept, np.asarray(sigma_px, float), degree))
    return DescanFit(coef_r, coef_c, fitted, rms, sigma, kept)


def _propagated_sigma(x, kept, sigma_px: np.ndarray, degree: int) -> np.ndarray:
    """(n, 1) 1σ of the least-squares polynomial at every ``x`` from the centres' own 1σ."""
    known = np.isfinite(sigma_px) & kept
    if not known.any():
        return np.zeros((len(x), 1))
    each = np.where(np.isfinite(sigma_px), sigma_px, np.median(sigma_px[known]))[kept]
    vander = P.polyvander(x, degree)
    hat = vander @ np.linalg.pinv(vander[kept].T @ vander[kept]) @ vander[kept].T
    return np.sqrt(hat**2 @ each**2)[:, None]


def _without_gross_misses(x, rc, use, degree: int) -> np.ndarray:
    """``use`` less the centres farther from the fit to the rest than their scatter allows."""
    from scipy.special import ndtri

    limit = -float(ndtri(GROSS_MISS_RATE / (4 * int(use.sum()))))
    kept = use.copy()
    for step in range(int(use.sum())):
        if kept.sum() <= degree + 2:
            return kept
        residual = np.stack(
            [rc[:, i] - P.polyval(x, P.polyfit(x[kept], rc[kept, i], degree)) for i in (0, 1)],
            axis=1,
        )
        scale = (
            MAD_TO_SIGMA * np.median(np.abs(residual[kept]), axis=0)
            if step == 0
            else np.sqrt(np.sum(residual[kept] ** 2, axis=0) / (kept.sum() - degree - 1))
        )
        inside = np.abs(residual) <= limit * np.maximum(scale, MIN_SCATTER_PX)
        again = use & np.all(inside, axis=1)
        if np.array_equal(again, kept):
            return kept
        kept = again
    return kept


def _prediction_sigma(x, use, rc, fitted, degree: int) -> np.ndarray:
    """(n, 2) 1σ of a least-squares polynomial's value at every ``x`` (NaN without dof), its
    variance widened by the residuals' correlation along the scan."""
    from scipy.special import stdtrit

    n = int(use.sum())
    if n - degree - 1 < 1:
        return np.full(fitted.shape, np.nan)
    vander = P.polyvander(x, degree)
    inverse = np.linalg.pinv(vander[use].T @ vander[use])
    leverage = np.clip(np.einsum("ni,ij,nj->n", vander, inverse, vander), 0, None)
    residual = (rc[use] - fitted[use])[np.argsort(x[use])]
    sigma = np.empty(fitted.shape)
    for i in (0, 1):
        n_eff = _effective_count(residual[:, i], degree)
        dof = n_eff - degree - 1
        variance = np.sum(residual[:, i] ** 2) / (n - degree - 1) * n / n_eff
        sigma[:, i] = float(stdtrit(dof, 0.5 + ONE_SIGMA / 2)) * np.sqrt(leverage * variance)
    return sigma


def _effective_count(residual: np.ndarray, degree: int) -> float:
    """Independent residuals among ``residual`` (ordered along the scan) under a first-order
    autoregression, ``n (1 − ρ) / (1 + ρ)`` with ρ their lag-one correlation (at least 0), and
    never fewer than ``degree + 2``."""
    n = residual.size
    energy = float(np.sum(residual**2))
    rho = 0.0 if energy == 0 else max(0.0, float(np.sum(residual[1:] * residual[:-1])) / energy)
    return max(float(degree + 2), n * (1 - rho) / (1 + rho))
