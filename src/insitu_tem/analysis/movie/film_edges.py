"""A film edge located by an erf step fitted near a guess, with the 1σ of its position.

The step ``a + b Φ((s - s0) / w)`` (Φ the normal CDF) is fitted by least squares in a window of
``±half_window`` samples. The position's 1σ is the larger of two estimates:

* the fit's covariance scaled by its residuals (the variance of unit weight), which holds for
  white noise and takes in a misfit of the step's shape (a rough edge averaged across the line);
* a sandwich covariance ``(JᵀJ)⁻¹ Jᵀ C J (JᵀJ)⁻¹`` with ``C`` the autocovariance of the profile's
  fluctuations where it has no edge (:func:`background_autocovariance`, pooled over frames): a
  specimen texture correlated over several samples moves the fitted centre far more than its
  variance in the residuals says, because the fit's levels absorb part of it.

References
----------
Press W. H. et al., *Numerical Recipes*, 3rd ed., §15.4–15.5 (least-squares covariance scaled by
the residuals); White H., Econometrica 48, 817 (1980) (sandwich covariance under misspecified
errors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit
from scipy.special import ndtr

MIN_WIDTH = 0.3


@dataclass(frozen=True)
class EdgeFit:
    """An erf step fitted to a profile near a guess.

    Attributes
    ----------
    ok : bool
        False when the fit failed (``position`` is then the starting guess).
    position, position_sigma : float
        Step centre and its 1σ, samples along the profile.
    width : float
        Step width (Gaussian σ), samples.
    amplitude, amplitude_sigma : float
        Step height (after minus before) and its 1σ, intensity units.
    snr : float
        |amplitude| / residual standard deviation.
    samples, parameters : numpy.ndarray
        The window's samples and the fitted (level, height, centre, width) (empty when the fit
        failed).
    """

    ok: bool
    position: float
    position_sigma: float
    width: float
    amplitude: float
    amplitude_sigma: float
    snr: float
    samples: np.ndarray
    parameters: np.ndarray


def _step(s, level, height, centre, width):
    return level + height * ndtr((s - centre) / width)


def fit_edge(profile, guess: float, *, half_window: int = 6) -> EdgeFit:
    """Fit an erf step to ``profile`` within ``half_window`` samples of ``guess``.

    Parameters
    ----------
    profile : array_like
        (n_samples,) intensity along the line.
    guess : float
        Starting position, samples.
    half_window : int
        Half-width of the fit window, samples.
    """
    values = np.asarray(profile, dtype=float)
    centre = int(round(guess))
    lo, hi = max(0, centre - half_window), min(values.size, centre + half_window + 1)
    s, y = np.arange(lo, hi, dtype=float), values[lo:hi]
    good = np.isfinite(y)
    failed = EdgeFit(False, float(guess), np.nan, np.nan, np.nan, np.nan, 0.0, *[np.array([])] * 2)
    if good.sum() < 6:
        return failed
    s, y = s[good], y[good]
    quarter = max(1, len(y) // 4)
    a0, b0 = float(np.mean(y[:quarter])), float(np.mean(y[-quarter:]) - np.mean(y[:quarter]))
    try:
        params, covariance = curve_fit(
            _step,
            s,
            y,
            p0=(a0, b0, float(guess), 1.5),
            bounds=([-np.inf, -np.inf, lo, MIN_WIDTH], [np.inf, np.inf, hi - 1, half_window]),
        )
    except (RuntimeError, ValueError):
        return failed
    residual = y - _step(s, *params)
    noise = max(float(np.std(residual)), 1e-12)
    sigma = np.sqrt(np.diag(covariance))
    return EdgeFit(
        True,
        float(params[2]),
        float(sigma[2]) if np.isfinite(sigma[2]) else np.nan,
        float(params[3]),
        float(params[1]),
        float(sigma[1]),
        abs(float(params[1])) / noise,
        s,
        np.asarray(params, dtype=float),
    )


def background_autocovariance(image, edges_px, *, half_window: int) -> np.ndarray:
    """Autocovariance of a kymograph's rows where they have no edge, lags 0..2 ``half_window``.

    Each row is cut at its edges (±``half_window`` samples around each); every remaining segment
    of at least 2 ``half_window`` + 3 samples loses its straight-line fit, and the products at each
    lag are averaged over all segments and rows (noise and a specimen texture alike).

    Parameters
    ----------
    image : array_like
        (n_frames, n_samples) kymograph.
    edges_px : array_like
        (n_frames, n_edges) edge positions, samples (NaN: none).
    half_window : int
        The edge fits' half-window, samples.

    Returns
    -------
    numpy.ndarray
        (2 half_window + 1,) autocovariance, intensity²; NaN when no segment is long enough.
    """
    data = np.asarray(image, dtype=float)
    lags = 2 * half_window + 1
    sums, counts = np.zeros(lags), np.zeros(lags)
    samples = np.arange(data.shape[1])
    for row, edges in zip(data, np.asarray(edges_px, dtype=float)):
        free = np.isfinite(row)
        for edge in edges[np.isfinite(edges)]:
            free &= np.abs(samples - edge) > half_window
        for segment in np.split(samples, np.flatnonzero(np.diff(free.astype(int))) + 1):
            if not free[segment[0]] or segment.size < lags + 2:
                continue
            values = row[segment] - np.polyval(np.polyfit(segment, row[segment], 1), segment)
            for k in range(lags):
                sums[k] += np.dot(values[k:], values[: values.size - k])
                counts[k] += values.size - k
    return sums / counts if counts[0] else np.full(lags, np.nan)


def sandwich_sigma(fit: EdgeFit, autocovariance) -> float:
    """1σ of ``fit``'s position for errors of the stationary ``autocovariance`` (lags 0, 1, …),
    through the fit's Jacobian: √[(JᵀJ)⁻¹ Jᵀ C J (JᵀJ)⁻¹]_centre; NaN without either."""
    gamma = np.asarray(autocovariance, dtype=float)
    if not fit.ok or not np.isfinite(gamma).all():
        return np.nan
    _, height, centre, width = fit.parameters
    z = (fit.samples - centre) / width
    density = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    jacobian = np.column_stack(
        [np.ones_like(z), ndtr(z), -height * density / width, -height * density * z / width]
    )
    lag = np.abs(fit.samples[:, None] - fit.samples[None, :]).astype(int)
    covariance = np.where(lag < gamma.size, gamma[np.minimum(lag, gamma.size - 1)], 0.0)
    try:
        bread = np.linalg.inv(jacobian.T @ jacobian)
    except np.linalg.LinAlgError:
        return np.nan
    variance = (bread @ jacobian.T @ covariance @ jacobian @ bread)[2, 2]
    return float(np.sqrt(variance)) if variance > 0 else np.nan


def texture_length(autocovariance) -> float:
    """The lag, samples, at which the autocovariance's correlated part (lags ≥ 1) falls below
    half its lag-1 value (≥ 1; 1 when there is none): how far an edge moves before the texture
    it sees is new."""
    gamma = np.asarray(autocovariance, dtype=float)
    if gamma.size < 2 or not gamma[1] > 0:
        return 1.0
    below = np.flatnonzero(gamma[1:] < 0.5 * gamma[1])
    return float(1 + (below[0] if below.size else gamma.size - 1))
