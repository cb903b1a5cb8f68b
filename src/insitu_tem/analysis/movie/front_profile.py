"""Front position in one frame: an erf fitted to the reacted fraction along the line.

The reacted fraction ``φ(s)`` (0 pristine, 1 reacted; :mod:`front_states`) of a width-averaged
profile is modelled as ``Φ(d (p - s) / w)`` with ``Φ`` the normal CDF, ``d`` the side that has
reacted, ``p`` the front position and ``w`` its width (Gaussian σ: diffuseness, roughness across
the width and the microscope's blur together). A coarse grid over ``p`` and ``w`` is refined by
weighted least squares (weights 1/σ_φ² per sample). The 1σ of ``p`` is the least-squares one
scaled by the reduced χ² near the front when that exceeds 1 (texture that changes), combined in
quadrature with the model term ``Σ (φ - Φ)`` within ``3 w + 3`` samples — the distance between
the erf's centre and the area-equivalent (width-averaged) position of the measured profile.

References
----------
Press, Teukolsky, Vetterling & Flannery, *Numerical Recipes*, 3rd ed., §15.4–15.5 (2007).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.special import ndtr

WIDTH_GRID = (0.7, 2.0, 5.0)


@dataclass(frozen=True)
class ProfileFit:
    """The erf fitted to one frame's reacted fraction.

    Attributes
    ----------
    position, width : float
        Front position and erf σ, samples.
    sigma : float
        1σ of ``position``, samples (statistical, scaled by the local reduced χ² when > 1, and
        the model term).
    evidence : float
        χ² of the better of "all pristine" and "all reacted" minus χ² of the fit, over the local
        reduced χ² (≈ the squared significance of the front).
    residual : numpy.ndarray
        (n_samples,) normalised residuals (NaN where φ is unknown).
    """

    position: float
    width: float
    sigma: float
    evidence: float
    residual: np.ndarray


def _model(s: np.ndarray, position, width, direction: int) -> np.ndarray:
    return ndtr(direction * (position - s) / width)


def _grid_start(s, phi, weight, direction: int, length: int) -> tuple[float, float]:
    positions = np.arange(-4.0, length + 4.0, 0.5)
    best, start = np.inf, (float(length) / 2, 2.0)
    for width in WIDTH_GRID:
        model = _model(s[None, :], positions[:, None], width, direction)
        chi2 = ((phi[None, :] - model) ** 2 * weight[None, :]).sum(axis=1)
        i = int(np.argmin(chi2))
        if chi2[i] < best:
            best, start = chi2[i], (float(positions[i]), width)
    return start


def fit_profile(
    phi: np.ndarray, sigma: np.ndarray, *, direction: int, start: tuple[float, float] | None = None
) -> ProfileFit | None:
    """Fit the front to one frame's reacted fraction ``phi`` with 1σ ``sigma`` per sample.

    ``start`` (position, width) skips the coarse grid. Returns None when fewer than 6 samples
    are known.
    """
    length = phi.size
    samples = np.arange(length, dtype=float)
    good = np.isfinite(phi) & np.isfinite(sigma) & (sigma > 0)
    if good.sum() < 6:
        return None
    s, y, inverse = samples[good], phi[good], 1.0 / sigma[good]
    if start is None:
        start = _grid_start(s, y, inverse**2, direction, length)

    def residuals(params):
        return (y - _model(s, params[0], np.exp(params[1]), direction)) * inverse

    def jacobian(params):
        width = np.exp(params[1])
        z = direction * (params[0] - s) / width
        density = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) * inverse
        return np.column_stack([-density * direction / width, density * z])

    bounds = ([-length, np.log(0.2)], [2.0 * length, np.log(max(length / 3, 1.0))])
    guess = np.clip(
        [start[0], np.log(start[1])], np.add(bounds[0], 1e-6), np.subtract(bounds[1], 1e-6)
    )
    solution = least_squares(
        residuals, guess, jac=jacobian, bounds=bounds, x_scale=[1.0, 0.3], xtol=1e-6
    )
    position, width = float(solution.x[0]), float(np.exp(solution.x[1]))
    local = np.abs(s - position) <= 3 * width + 3
    chi2_local = float(np.sum(solution.fun[local] ** 2) / max(local.sum() - 2, 1))
    inflation = max(chi2_local, 1.0)
    jac = solution.jac
    with np.errstate(divide="ignore", invalid="ignore"):
        covariance = np.linalg.pinv(jac.T @ jac)
    none = min(np.sum((y * inverse) ** 2), np.sum(((y - 1) * inverse) ** 2))
    evidence = (none - 2 * solution.cost) / inflation
    residual = np.full(length, np.nan)
    residual[good] = solution.fun
    model_error = np.sum((y - _model(s, position, width, direction))[local])
    sigma = np.sqrt(covariance[0, 0] * inflation + model_error**2)
    return ProfileFit(position, width, float(sigma), float(evidence), residual)


def pure_fraction(n_samples: int, fit: ProfileFit, direction: int) -> np.ndarray:
    """0 (pristine) or 1 (reacted) at samples farther than ``3 w + 3`` from the fitted front,
    NaN nearer (the front's tails from roughness are longer than an erf's)."""
    s = np.arange(n_samples, dtype=float)
    ahead = direction * (s - fit.position)
    margin = 3 * fit.width + 3
    return np.where(ahead > margin, 0.0, np.where(ahead < -margin, 1.0, np.nan))


def correlation_factor(residuals: np.ndarray, *, max_lag: int = 3) -> float:
    """√(1 + 2 Σ ρ_k) over lags 1..``max_lag`` of the normalised residuals along the line: how
    much correlated residuals widen the least-squares 1σ (≥ 1)."""
    r = np.asarray(residuals, dtype=float)
    variance = np.nanmean(r**2)
    if not variance > 0:
        return 1.0
    rho = [
        np.nanmean(r[:, k:] * r[:, :-k]) / variance for k in range(1, max_lag + 1) if r.shape[1] > k
    ]
    return float(np.sqrt(max(1.0 + 2.0 * np.sum(np.nan_to_num(rho)), 1.0)))
