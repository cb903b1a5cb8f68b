"""The most-exposed pixel's cumulative count with its 1σ, without the bias of the maximum of
noisy pixels.

The largest of many noisy pixels overshoots the largest expected value by about
``σ √(2 ln N)`` (N pixels of similar exposure: 4–5σ on a megapixel frame under an even beam).
Instead:

1. The pixels are split like a chessboard: the brightest point of one colour, smoothed over
   1 px, sets where to look; only the other colour is fitted, so the noise that chose the place
   does not enter the value (cross-fitting).
2. A polynomial surface of degree 4 (the top of any smooth illumination to its fourth-order
   terms) is fitted by weighted least squares to those pixels in square windows growing from
   5 × 5 px (Poisson weights: a count's variance is the conversion factor × its expected value,
   taken from the smoothed map of the other colour). The peak is the surface's maximum inside
   the window (Newton steps from the vertex of its quadratic part; the window's centre when the
   top is not inside), its 1σ the fit's covariance there (× the reduced χ² when above 1).
3. Windows grow while the surface describes the counts (χ² within 3σ of its degrees of freedom)
   and its peak agrees with every smaller window's within 2σ of that window (Lepski's rule:
   a larger window is kept only while its extra bias is not seen). The 1σ adds in quadrature the
   largest difference to a smaller window's peak beyond what their noise explains (the bias the
   rule let through).

An illumination that varies on the pixel scale (no window passes) keeps the brightest pixel with
its counting 1σ (what was reported for every map before).

References
----------
Gumbel E. J., *Statistics of Extremes* (1958), ch. 3 (the largest of N normal values exceeds the
mean by ≈ σ √(2 ln N)); Lepski O. V., Theory Probab. Appl. 35, 454 (1990) (adaptive window
choice); Chernozhukov V. et al., Econometrics J. 21, C1 (2018) (cross-fitting); Press W. H. et
al., *Numerical Recipes*, 3rd ed., §15.4 (weighted linear least squares and its covariance).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage

HALF_WINDOWS = (1, 2, 3, 4, 6, 8, 11, 16, 22, 32, 45, 64)
LOCATE_SMOOTHING_PX = 1.0
DEGREE = 4
AGREE = 2.0


def _design(dr: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """Every monomial dr^i dc^j with i + j ≤ ``DEGREE``; the first six are 1, dr, dc, dr², dc²,
    dr dc."""
    terms = [np.ones_like(dr), dr, dc, dr * dr, dc * dc, dr * dc]
    terms += [dr**i * dc ** (k - i) for k in range(3, DEGREE + 1) for i in range(k + 1)]
    return np.column_stack(terms)


def _fit(total, expected, use, centre, half: int, counts_per_electron: float):
    """Weighted polynomial fit to the pixels ``use`` in the window ``±half`` around ``centre``
    (a count's variance: ``counts_per_electron`` × its ``expected`` value, at least
    ``counts_per_electron``): (the surface's peak, its σ, χ²/dof, dof) or None when the window has
    too few pixels."""
    r0, c0 = centre
    rows = slice(max(0, r0 - half), min(total.shape[0], r0 + half + 1))
    cols = slice(max(0, c0 - half), min(total.shape[1], c0 + half + 1))
    if rows.stop - rows.start == cols.stop - cols.start == 2 * half + 1:
        keep, design = _whole_window(half, bool(use[r0, c0]))
    else:
        dr, dc = np.meshgrid(
            np.arange(rows.start, rows.stop) - r0,
            np.arange(cols.start, cols.stop) - c0,
            indexing="ij",
        )
        keep = use[rows, cols].ravel()
        design = _design(dr.ravel()[keep] / half, dc.ravel()[keep] / half)
    dof = design.shape[0] - design.shape[1]
    if dof < 3:
        return None
    y = total[rows, cols].ravel()[keep]
    variance = counts_per_electron * np.clip(expected[rows, cols], counts_per_electron, None)
    weight = 1.0 / variance.ravel()[keep]
    try:
        covariance = np.linalg.inv(design.T @ (design * weight[:, None]))
    except np.linalg.LinAlgError:
        return None
    params = covariance @ (design.T @ (weight * y))
    chi2 = float(np.sum(weight * (y - design @ params) ** 2)) / dof
    top = _design(*_summit(params))[0]
    value = float(top @ params)
    return value, float(np.sqrt(top @ covariance @ top * max(chi2, 1.0))), chi2, dof


@lru_cache(maxsize=2 * len(HALF_WINDOWS))
def _whole_window(half: int, centre_used: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which pixels of a ``±half`` window inside the frame are fitted (the chessboard colour
    whose centre is ``centre_used`` or not) and their design matrix (the same for every such
    window; read-only)."""
    dr, dc = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
    keep = (((dr + dc) % 2 == 0) == centre_used).ravel()
    design = _design(dr.ravel()[keep] / half, dc.ravel()[keep] / half)
    for array in (keep, design):
        array.setflags(write=False)
    return keep, design


def _summit(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The polynomial's maximum in the window (scaled coordinates within ±1): Newton steps from
    the vertex of its quadratic part while they stay inside; the centre when the quadratic part
    has no maximum inside."""
    hessian = np.array([[2 * params[3], params[5]], [params[5], 2 * params[4]]])
    point = np.zeros(2)
    if np.all(np.linalg.eigvalsh(hessian) < 0):
        vertex = np.linalg.solve(hessian, -params[1:3])
        point = vertex if np.all(np.abs(vertex) <= 1) else point
    if point.any():
        point = _newton(params, point)
    return point[:1], point[1:]


def _newton(params: np.ndarray, point: np.ndarray, *, step_size: float = 1e-3) -> np.ndarray:
    offsets = step_size * np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [1, 1]])
    for _ in range(8):
        v = _design(*(point + offsets).T) @ params
        gradient = np.array([v[1] - v[2], v[3] - v[4]]) / (2 * step_size)
        cross = (v[5] - v[1] - v[3] + v[0]) / step_size**2
        hessian = np.array(
            [[v[1] - 2 * v[0] + v[2], 0.0], [0.0, v[3] - 2 * v[0] + v[4]]]
        ) / step_size**2 + cross * (1 - np.eye(2))
        if not np.all(np.linalg.eigvalsh(hessian) < 0):
            break
        step = np.linalg.solve(hessian, -gradient)
        if np.any(np.abs(point + step) > 1) or np.linalg.norm(step) < 1e-6:
            break
        point = point + step
    return point


def peak_counts(total, *, counts_per_electron: float = 1.0) -> tuple[float, float]:
    """The most-exposed pixel's expected cumulative count and its 1σ (counting and fit).

    Parameters
    ----------
    total : array_like
        (rows, cols) cumulative counts (dark-subtracted, ≥ 0).
    counts_per_electron : float
        The camera's conversion factor: the variance of a count is this × its expected value.

    Returns
    -------
    tuple of float
        (peak, 1σ), counts.
    """
    data = np.asarray(total, dtype=float)
    locate, weight = _checkerboard(data.shape)
    smooth = ndimage.gaussian_filter(np.where(locate, data, 0.0), LOCATE_SMOOTHING_PX) / weight
    centre = np.unravel_index(int(np.argmax(smooth)), data.shape)
    accepted = _grow(data, smooth, ~locate, centre, counts_per_electron)
    if accepted is not None:
        return accepted
    brightest = float(data.max())
    return brightest, float(np.sqrt(counts_per_electron * max(brightest, counts_per_electron)))


@lru_cache(maxsize=4)
def _checkerboard(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The locating colour of the chessboard and its smoothed weight (read-only; every frame of
    a movie has the same)."""
    rows, cols = np.indices(shape)
    locate = (rows + cols) % 2 == 0
    weight = ndimage.gaussian_filter(locate.astype(float), LOCATE_SMOOTHING_PX)
    for array in (locate, weight):
        array.setflags(write=False)
    return locate, weight


def _grow(data, expected, use, centre, counts_per_electron) -> tuple[float, float] | None:
    """The last window's (peak, 1σ) that passes the χ² and Lepski tests (None: none passes)."""
    accepted, smaller = None, []
    for half in HALF_WINDOWS:
        fit = _fit(data, expected, use, centre, half, counts_per_electron)
        if fit is None:
            continue
        peak, sigma, chi2, dof = fit
        if chi2 > 1.0 + 3.0 * np.sqrt(2.0 / dof):
            break
        if any(abs(peak - p) > AGREE * s for p, s in smaller):
            break
        unexplained = [abs(peak - p) - np.sqrt(max(s**2 - sigma**2, 0.0)) for p, s in smaller]
        smaller.append((peak, sigma))
        accepted = (peak, float(np.hypot(sigma, max(unexplained + [0.0]))))
        if 2 * half + 1 >= max(data.shape):
            break
    return accepted
