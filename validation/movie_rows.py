"""Stage (v) of the movie error budget: the truth's position read from the band's rows.

The truth is the mean over the band's width of where each ray parallel to the line crosses the
front, each ray's crossing read as an area
(:func:`validation.movie_generator.width_averaged_position`). The width-averaged kymograph weighs
the rays by their local contrast ``R - P`` instead, which texture makes uneven, so a fit to it
inherits that bias (stage (iv) on the noise-free frames). Here every row ``j`` of the band (one
offset across the line) keeps its own reacted fraction ``φ_j = (K_j - P_j) / (R_j - P_j)`` with the
true levels and its own profile, a sum of steps ``Σ_k a_jk Φ(d (c_k - s) / W0)`` with centres
``c_k`` every ``STEP_PX`` over a window that holds the front and ``Σ_k a_jk = 1``, fitted by
weighted least squares. Its area-equivalent position is ``Σ_k a_jk c_k`` for a step of any shape,
folds of a rough front included, which a row erf cannot follow. A row's steps are shrunk towards
those of the erf fitted to the width average (stage (iii)): a Gaussian prior per coefficient whose
precision, in units of the samples' χ², is the one of ``SHRINKS`` with the largest marginal
likelihood of the frame's rows (MacKay 1992). Where the rows agree with the erf (a straight front)
they keep its two parameters' low noise; where they differ (a rough or folded front, uneven
contrast) they follow their own data. The row ``v`` px across the line samples ``shear v`` px
further along, so its crossing is its position plus ``shear v``; the stage's position is their
mean. It has no 1σ (its row is informative).

References
----------
D. J. C. MacKay, "Bayesian interpolation", Neural Computation 4, 415 (1992).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

W0 = 1.0
STEP_PX = 1.0
SHRINKS = (1.0, 10.0, 100.0, 1e3, 1e4)


def _steps(samples: int, direction: int, low: float, high: float):
    """The step basis over ``low``..``high`` as the first step plus differences to it."""
    centres = np.arange(low, high + 1e-9, STEP_PX)
    s = np.arange(samples, dtype=float)[:, None]
    basis = ndtr(direction * (centres[None, :] - s) / W0)
    return centres, basis[:, 0], basis[:, 1:] - basis[:, :1]


def _erf_steps(centres: np.ndarray, erf: tuple[float, float]) -> np.ndarray:
    """The steps' weights (all but the first) that make the erf (centre, width) from steps of
    width ``W0``: a Gaussian of the remaining width binned at the centres."""
    spread = np.sqrt(max(erf[1] ** 2 - W0**2, (0.3 * W0) ** 2))
    edges = np.concatenate([[-np.inf], (centres[:-1] + centres[1:]) / 2, [np.inf]])
    return np.diff(ndtr((edges - erf[0]) / spread))[1:]


def _rows(phi: np.ndarray, sigma: np.ndarray, first: np.ndarray, steps: np.ndarray):
    """Per row with 6 known samples or more: (row, weighted design, weighted data)."""
    rows = []
    for j in range(phi.shape[1]):
        good = np.isfinite(phi[:, j]) & np.isfinite(sigma[:, j]) & (sigma[:, j] > 0)
        if good.sum() >= 6:
            weight = 1.0 / sigma[good, j]
            rows.append((j, steps[good] * weight[:, None], (phi[good, j] - first[good]) * weight))
    return rows


def _shrunk(rows, prior: np.ndarray, shrink: float):
    """Each row's steps with the prior ``N(prior, 1 / shrink)`` and the log marginal
    likelihood of the rows' data under it (up to a constant)."""
    identity = np.eye(prior.size)
    weights, log_likelihood = [], 0.0
    for _, design, data in rows:
        normal = design.T @ design
        inverse = np.linalg.inv(normal + shrink * identity)
        residual = data - design @ prior
        projected = design.T @ residual
        log_likelihood -= 0.5 * (
            np.linalg.slogdet(identity + normal / shrink)[1]
            + residual @ residual
            - projected @ inverse @ projected
        )
        weights.append(prior + inverse @ projected)
    return weights, log_likelihood


def row_positions(
    phi: np.ndarray,
    sigma: np.ndarray,
    *,
    direction: int,
    window: tuple[float, float],
    erf: tuple[float, float],
) -> np.ndarray:
    """Area-equivalent position (px, sample index) of every row of one frame's band.

    Parameters
    ----------
    phi, sigma : numpy.ndarray
        (samples, rows) reacted fraction and its 1σ.
    direction : int
        +1 when the reacted side is at low sample index.
    window : tuple of float
        Samples (first, last) between which the front lies.
    erf : tuple of float
        (centre, width) px of the erf fitted to the width average, the rows' prior.

    Returns
    -------
    numpy.ndarray
        (rows,) positions, NaN for a row with fewer than 6 known samples.
    """
    centres, first, steps = _steps(phi.shape[0], direction, *window)
    rows = _rows(phi, sigma, first, steps)
    positions = np.full(phi.shape[1], np.nan)
    if not rows:
        return positions
    prior = _erf_steps(centres, erf)
    weights = max((_shrunk(rows, prior, shrink) for shrink in SHRINKS), key=lambda w: w[1])[0]
    for (j, _, _), weight in zip(rows, weights):
        positions[j] = centres[0] + weight @ (centres[1:] - centres[0])
    return positions


def band_position(
    phi: np.ndarray,
    sigma: np.ndarray,
    *,
    direction: int,
    window: tuple[float, float],
    erf: tuple[float, float],
    offsets: np.ndarray,
    shear: float,
) -> float:
    """The mean over the rows of where each crosses the front (px along the band's samples).

    ``offsets`` (rows,) px across the line and ``shear`` as :class:`LineSampling` samples them;
    the rest as :func:`row_positions`.
    """
    positions = row_positions(phi, sigma, direction=direction, window=window, erf=erf)
    known = np.isfinite(positions)
    return float(np.mean(positions[known] + shear * offsets[known])) if known.any() else np.nan
