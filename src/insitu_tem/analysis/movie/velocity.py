"""1σ of the front velocity: the fitted ``k n (t - t0)^(n-1)`` and the measured Savitzky–Golay
derivative of the positions.

The fitted velocity's 1σ is the delta method on the kinetic fit's covariance (which already holds
the positions' errors, their correlation and the scatter about the power law). Before ``t0`` the
model's velocity is 0 exactly; within 2σ of ``t0`` the front may already move, so no 1σ is
stated there (NaN).

The measured velocity is a linear filter of the positions, ``v = D x``, so its variance is
``Σ_j D_ij² σ_j²`` for independent errors, scaled by how far the positions scatter about the
filter's own local quadratic: the reduced χ² of those residuals, ``s = Σ (r_j/σ_j)² / Σ (1 -
2 S_0 + Σ S_k²)`` (``S`` the smoothing coefficients). Slowly varying errors (a frozen level, a
drift error) move a window's positions together and barely change its slope, and the residuals
then read ``s`` < 1; jitter beyond the stated σ, or a law with more curvature than a quadratic
over the window (truncation), reads ``s`` > 1 — both count, so ``s`` is used as measured.

References
----------
Savitzky & Golay, Anal. Chem. 36, 1627 (1964); Gorry, Anal. Chem. 62, 570 (1990) (the end
points).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.kinetics import KineticsFit


def fitted_velocity_sigma(fit: KineticsFit, times_s) -> np.ndarray:
    """1σ of :meth:`KineticsFit.velocity` at ``times_s`` (units/s).

    Parameters
    ----------
    fit : KineticsFit
        A kinetic fit with its (4, 4) covariance in the order x0, k, n, t0.
    times_s : array_like
        Times, s.

    Returns
    -------
    numpy.ndarray
        1σ per time; 0 more than 2σ(t0) before t0, NaN within 2σ(t0) of t0 or without a fit.
    """
    t = np.asarray(times_s, dtype=float)
    if not fit.ok or fit.covariance is None:
        return np.full(t.shape, np.nan)
    elapsed = t - fit.t0
    moving = elapsed > 2 * fit.t0_stderr
    e = np.where(moving, elapsed, 1.0)
    k, n = fit.k, fit.n
    power = e ** (n - 1.0)
    gradient = np.stack(
        [
            np.zeros_like(e),
            n * power,
            k * power * (1.0 + n * np.log(e)),
            -k * n * (n - 1.0) * e ** (n - 2.0),
        ],
        axis=-1,
    )
    variance = np.einsum("...i,ij,...j->...", gradient, fit.covariance, gradient)
    sigma = np.sqrt(np.clip(variance, 0.0, None))
    still = elapsed < -2 * fit.t0_stderr
    return np.where(moving, sigma, np.where(still, 0.0, np.nan))


def measured_velocity_sigma(times_s, positions, sigma, *, window: int = 7) -> np.ndarray:
    """1σ of :func:`~insitu_tem.analysis.movie.kinetics.measured_velocity` (units/s).

    Parameters
    ----------
    times_s : array_like
        Evenly spaced frame times, s.
    positions : array_like
        Front positions; NaN where absent (no velocity there).
    sigma : array_like
        1σ of each position (same units).
    window : int
        The Savitzky–Golay window used for the velocity (odd, frames).

    Returns
    -------
    numpy.ndarray
        1σ per frame, NaN where the position or its σ is missing.
    """
    from scipy.signal import savgol_coeffs, savgol_filter

    t, x = np.asarray(times_s, dtype=float), np.asarray(positions, dtype=float)
    s = np.asarray(sigma, dtype=float)
    good = np.isfinite(x) & np.isfinite(s) & (s > 0)
    span = min(int(window) | 1, len(t) if len(t) % 2 else len(t) - 1)
    if good.sum() < 3 or span < 3:
        return np.full(x.shape, np.nan)
    order = min(2, span - 1)
    filled = np.interp(t, t[good], x[good])
    variance = np.interp(t, t[good], s[good] ** 2)
    smooth_coeffs = savgol_coeffs(span, order)
    leverage = 1.0 - 2.0 * smooth_coeffs[span // 2] + np.sum(smooth_coeffs**2)
    residual = (filled - savgol_filter(filled, span, order))[good] / s[good]
    scale = max(float(np.mean(residual**2) / leverage), 1.0)
    dt = float(np.median(np.diff(t)))
    rows = _derivative_rows(span, order, dt)
    out = np.sqrt(scale * _filtered_variance(rows, variance, span))
    return np.where(good, out, np.nan)


def _derivative_rows(span: int, order: int, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Interior coefficients (span,) and the end rows (span, span) of the derivative filter."""
    from scipy.signal import savgol_coeffs, savgol_filter

    interior = savgol_coeffs(span, order, deriv=1, delta=dt, use="dot")
    ends = savgol_filter(np.eye(span), span, order, deriv=1, delta=dt, axis=0)
    return interior, ends


def _filtered_variance(rows: tuple[np.ndarray, np.ndarray], variance: np.ndarray, span: int):
    """``Σ_j D_ij² v_j`` for the derivative filter of :func:`_derivative_rows`."""
    interior, ends = rows
    half = span // 2
    out = np.convolve(variance, (interior**2)[::-1], mode="same")
    if variance.size >= span:
        out[:half] = (ends[:half] ** 2) @ variance[:span]
        out[-half:] = (ends[-half:] ** 2) @ variance[-span:]
    return out
