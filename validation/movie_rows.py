"""Stage (v) of the movie error budget: the truth's position read from the band's rows.

The truth is the mean over the band's width of where each ray parallel to the line crosses the
front, each ray's crossing read as an area (:func:`validation.movie_generator.
width_averaged_position`). The width-averaged kymograph weighs the rays by their local contrast
``R - P`` instead, which texture makes uneven, so a fit to it inherits that bias (stage (iv) on
the noise-free frames). Here every row ``j`` of the band (one offset across the line) keeps its
own reacted fraction ``φ_j = (K_j - P_j) / (R_j - P_j)`` with the true levels and its own profile,
a sum of steps ``Σ_k a_jk Φ(d (c_k - s) / W0)`` with centres ``c_k`` every ``STEP_PX`` over a
window that holds the front and ``Σ_k a_jk = 1``, fitted by weighted least squares. Its
area-equivalent position is ``Σ_k a_jk c_k`` for a step of any shape, folds of a rough front
included, which a row erf cannot follow. A row's steps are shrunk towards a profile shared by
the rows (a Gaussian prior of precision ``SHRINK`` per coefficient, in units of the samples'
χ², the shared profile fitted with them), so where a row's contrast vanishes it takes the shared
shape instead of its noise. The row ``v`` px across the line samples ``shear v`` px further
along, so its crossing is its position plus ``shear v``; the stage's position is their mean. It
has no 1σ (its row is informative).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

W0 = 1.0
STEP_PX = 1.0
SHRINK = 10.0


def _steps(samples: int, direction: int, low: float, high: float):
    """The step basis over ``low``..``high`` as the first step plus differences to it."""
    centres = np.arange(low, high + 1e-9, STEP_PX)
    s = np.arange(samples, dtype=float)[:, None]
    basis = ndtr(direction * (centres[None, :] - s) / W0)
    return centres, basis[:, 0], basis[:, 1:] - basis[:, :1]


def row_positions(
    phi: np.ndarray, sigma: np.ndarray, *, direction: int, window: tuple[float, float]
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

    Returns
    -------
    numpy.ndarray
        (rows,) positions, NaN for a row with fewer than 6 known samples.
    """
    centres, first, steps = _steps(phi.shape[0], direction, *window)
    size = steps.shape[1]
    rows, inverses, moments = [], [], []
    for j in range(phi.shape[1]):
        good = np.isfinite(phi[:, j]) & np.isfinite(sigma[:, j]) & (sigma[:, j] > 0)
        if good.sum() < 6:
            continue
        weight = 1.0 / sigma[good, j]
        design = steps[good] * weight[:, None]
        inverses.append(np.linalg.inv(design.T @ design + SHRINK * np.eye(size)))
        moments.append(design.T @ ((phi[good, j] - first[good]) * weight))
        rows.append(j)
    positions = np.full(phi.shape[1], np.nan)
    if not rows:
        return positions
    shared = np.linalg.solve(
        np.eye(size) - SHRINK / len(rows) * sum(inverses),
        sum(g @ m for g, m in zip(inverses, moments)) / len(rows),
    )
    for j, inverse, moment in zip(rows, inverses, moments):
        positions[j] = centres[0] + inverse @ (moment + SHRINK * shared) @ (
            centres[1:] - centres[0]
        )
    return positions


def band_position(
    phi: np.ndarray,
    sigma: np.ndarray,
    *,
    direction: int,
    window: tuple[float, float],
    offsets: np.ndarray,
    shear: float,
) -> float:
    """The mean over the rows of where each crosses the front (px along the band's samples).

    ``offsets`` (rows,) px across the line and ``shear`` as :class:`LineSampling` samples them.
    """
    positions = row_positions(phi, sigma, direction=direction, window=window)
    known = np.isfinite(positions)
    return float(np.mean(positions[known] + shear * offsets[known])) if known.any() else np.nan
