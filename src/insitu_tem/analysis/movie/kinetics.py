"""Front kinetics: fit ``x(t) = x0 + k * (t - t0)**n`` with uncertainties, and velocity.

``n = 0.5`` indicates diffusion-limited growth, ``n = 1`` reaction-limited.
Before ``t0`` the front sits at ``x0``. The fit is non-linear least squares
(``scipy.optimize.least_squares``, trust-region reflective, n bounded to
[0.05, 5]) started from log-log line fits for several start times t0; standard errors come from the
covariance ``s^2 (J^T J)^-1`` with ``s^2`` the residual variance; when per-point sigmas are
passed, ``s^2`` is the reduced χ² if it exceeds 1 and 1 otherwise (the stated sigmas are a
floor; scatter beyond them — front wiggles the power law does not describe — widens the errors,
Birge ratio), and the covariance is further inflated by ``1 + 2 Σ ρ_k`` of the residuals' serial
correlation (lags 1-3), since correlated residuals carry fewer independent points.
Errors of tracked positions persist over many frames (a sample's level error while the front
crosses it, a drift error) and the fit absorbs much of them, so they do not show in the
residuals; with ``correlation_span`` > 0 the positions' errors are taken as correlated as
``exp(-|Δt| / τ)`` with ``τ`` that fraction of the fitted time span, and the covariance is the
sandwich ``A Jᵀ R J A`` (``A = (JᵀJ)⁻¹``, weighted Jacobian ``J``, correlation matrix ``R``) —
the generalised least-squares covariance of an estimator that ignores the correlation (Kariya &
Kurata 2004, §2.3), still scaled as above: the residuals show the fast part of the correlation,
``R`` the slow part the fit absorbs. Errors that persist are also biases the covariance cannot
see when they bend the track like a power law (a level error over the first frames, a drift
error growing to the last ones), so with ``correlation_span`` > 0 a systematic term is added: the
fit is repeated without the first and without the last quarter of the points (the analysis
choice of fitted range) and ``δ δᵀ`` added to the covariance, ``δ`` half the change of the
parameters in the repeat whose ``n`` moved most — the data's own sensitivity to which frames
carry the exponent (a delete-a-block jackknife of the two end blocks; Künsch 1989). For errors
exactly of the declared form the 1σ of n then covers ~90 %; for independent errors the term
alone brings the covariance's ~60 % to ~75 %. Any parameter can be held fixed (then its standard
error is 0).

A fit whose exponent the data do not determine is returned with ``ok=False`` and the reason,
its parameters kept for display: a front that does not move (the power law explains the positions
no better than a constant, F test at p ≥ 0.05 with the fit's own variance scale,
:func:`~insitu_tem.analysis.movie.kinetics_checks.static_reason`; a static front's n is any
value, and a singular covariance would state it with a 1σ of 0), a fit whose Jacobian is
rank-deficient (some free parameter the positions do not constrain), or (:func:`undetermined`)
a free ``n`` with a 1σ of at least
``MAX_RELATIVE_N`` of itself (the 1σ range then spans diffusion- to reaction-limited growth), a
free ``n`` at a bound of its range, or a free ``t0`` that no fit moves from a start value or
that runs to its lower bound (the onset is not seen; ``n``'s 1σ would omit ``t0``'s freedom).

References
----------
Kariya & Kurata, *Generalized Least Squares*, Wiley (2004).
Künsch, The jackknife and the bootstrap for general stationary observations, *Ann. Statist.*
17, 1217-1241 (1989).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from insitu_tem.analysis.movie.kinetics_checks import static_reason, variance_scale

PARAMETERS = ("x0", "k", "n", "t0")
N_BOUNDS = (0.05, 5.0)
MAX_RELATIVE_N = 0.5
RANGE_FRACTION = 0.25
_STDERR = tuple(f"{p}_stderr" for p in PARAMETERS)


@dataclass(frozen=True)
class KineticsFit:
    """Result of fitting ``x(t) = x0 + k (t - t0)^n``.

    Attributes
    ----------
    ok : bool
        False when there were too few points or the fit failed.
    reason : str
        Why ``ok`` is False.
    x0, k, n, t0 : float
        Position at t0 (position units), rate (units / s^n), exponent, start time (s).
    x0_stderr, k_stderr, n_stderr, t0_stderr : float
        One-sigma standard errors (0 for fixed parameters).
    covariance : numpy.ndarray
        (4, 4) covariance in the order x0, k, n, t0.
    residual_rms : float
        RMS of the residuals, position units.
    n_points : int
        Points used (finite positions).
    """

    ok: bool
    reason: str
    x0: float = np.nan
    k: float = np.nan
    n: float = np.nan
    t0: float = np.nan
    x0_stderr: float = np.nan
    k_stderr: float = np.nan
    n_stderr: float = np.nan
    t0_stderr: float = np.nan
    covariance: np.ndarray | None = None
    residual_rms: float = np.nan
    n_points: int = 0

    def position(self, times_s) -> np.ndarray:
        """Fitted front position at ``times_s`` (s), position units."""
        return power_law(np.asarray(times_s, dtype=float), self.x0, self.k, self.n, self.t0)

    def velocity(self, times_s) -> np.ndarray:
        """Fitted velocity ``k n (t - t0)^(n-1)`` at ``times_s`` (units/s); 0 before t0, NaN at
        t0 for n < 1."""
        elapsed = np.asarray(times_s, dtype=float) - self.t0
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = self.k * self.n * np.where(elapsed > 0, elapsed, np.nan) ** (self.n - 1.0)
        return np.where(elapsed > 0, speed, np.where(elapsed < 0, 0.0, np.nan))

    def as_dict(self) -> dict:
        """x0, k, n, t0 with their standard errors, residual RMS and points (plain floats)."""
        keys = [*PARAMETERS, *(f"{p}_stderr" for p in PARAMETERS), "residual_rms"]
        return {**{key: float(getattr(self, key)) for key in keys}, "n_points": self.n_points}


def power_law(times_s: np.ndarray, x0: float, k: float, n: float, t0: float) -> np.ndarray:
    """``x0 + k * max(t - t0, 0)**n``."""
    return x0 + k * np.clip(times_s - t0, 0.0, None) ** n


def _initial_guess(t: np.ndarray, x: np.ndarray, t0: float) -> np.ndarray:
    """x0, k, n from a log-log line through the points after ``t0``."""
    before = t <= t0
    x0 = float(np.mean(x[before])) if before.any() else float(x[0])
    rise = np.abs(x - x0)
    good = (rise > 0) & ~before
    if good.sum() >= 2:
        n, log_k = np.polyfit(np.log(t[good] - t0), np.log(rise[good]), 1)
        n = float(np.clip(n, 0.1, 3.0))
    else:
        n, log_k = 1.0, np.log(max(rise.max(), 1e-9) / max(t[-1] - t0, 1e-9))
    sign = 1.0 if x[-1] >= x0 else -1.0
    return np.array([x0, sign * np.exp(log_k), n, t0])


def _start_times(t: np.ndarray) -> np.ndarray:
    """Candidate t0 values: before the first point and inside the first half of the data."""
    span = t[-1] - t[0]
    before = t[0] - span * np.array([1.0, 0.3, 0.1, 0.03, 0.01, 0.0])
    inside = np.quantile(t, [0.05, 0.1, 0.2, 0.3, 0.45])
    return np.concatenate([before, inside])


def fit_kinetics(
    times_s,
    positions,
    *,
    sigma=None,
    fixed: dict[str, float] | None = None,
    correlation_span: float = 0.0,
) -> KineticsFit:
    """Fit ``x(t) = x0 + k (t - t0)^n`` to front positions.

    ``t0`` is found by fitting the other parameters for several start times
    and then refining all of them from the best one (the model is not smooth
    in ``t0``, so a single start can stop in a local minimum).

    Parameters
    ----------
    times_s : array_like
        Frame times, s.
    positions : array_like
        Front positions (px or calibrated units); NaN entries are skipped.
    sigma : array_like, optional
        One-sigma uncertainty of each position (same units); weights the fit.
    fixed : dict, optional
        Parameters to hold, e.g. ``{"t0": 0.0}`` or ``{"n": 0.5}``.
    correlation_span : float
        Correlation time of the positions' errors as a fraction of the time span (0:
        independent errors); > 0 also adds the fitted range's systematic term.

    Returns
    -------
    KineticsFit
    """
    t_all, x_all = np.asarray(times_s, dtype=float), np.asarray(positions, dtype=float)
    if t_all.shape != x_all.shape or t_all.ndim != 1:
        raise ValueError("times_s and positions must be 1-D arrays of the same length")
    fixed = dict(fixed or {})
    unknown = set(fixed) - set(PARAMETERS)
    if unknown:
        raise ValueError(f"cannot fix {sorted(unknown)}; fixable parameters are {PARAMETERS}")
    weights = np.ones_like(t_all) if sigma is None else 1.0 / np.asarray(sigma, dtype=float)
    good = np.isfinite(t_all) & np.isfinite(x_all) & np.isfinite(weights) & (weights > 0)
    n_free = len(PARAMETERS) - len(fixed)
    if good.sum() <= n_free or np.ptp(t_all[good]) <= 0:
        return KineticsFit(
            False, f"{good.sum()} tracked positions for {n_free} free parameters; track more frames"
        )
    order = np.argsort(t_all[good])
    t, x, w = t_all[good][order], x_all[good][order], weights[good][order]
    candidates = [fixed["t0"]] if "t0" in fixed else _start_times(t)
    best = None
    for t0 in candidates:
        trial = _solve(t, x, w, _initial_guess(t, x, t0), {**fixed, "t0": t0})
        if trial is not None and (best is None or trial[0].cost < best[0].cost):
            best = trial
    if best is not None and "t0" not in fixed:
        refined = _solve(t, x, w, best[1], fixed)
        best = refined if refined is not None and refined[0].cost <= best[0].cost + 1e-12 else best
    if best is None:
        return KineticsFit(False, "the fit did not converge; check the tracked positions or fix t0")
    solution, params, index = best
    correlation = _error_correlation(t, correlation_span * np.ptp(t))
    fit = _finish(solution, params, index, t, x, sigma is not None, correlation)
    if not fit.ok:
        return fit
    if correlation_span > 0:
        fit = _with_range_systematic(fit, t, x, w, fixed)
    free = tuple(p for p in PARAMETERS if p not in fixed)
    dof = t.size - len(index)
    chi2 = float(np.sum(solution.fun**2))
    variance = variance_scale(solution.fun, dof, sigma is not None)
    reason = static_reason(x, w, chi2, dof, variance) if "k" in free else ""
    if not reason and np.linalg.matrix_rank(solution.jac) < len(index):
        reason = "the positions do not determine every free parameter (singular fit); fix n or t0"
    reason = reason or undetermined(fit, free, tuple(PARAMETERS[i] for i in index), _t0_floor(t))
    return replace(fit, ok=False, reason=reason) if reason else fit


def _with_range_systematic(fit: KineticsFit, t, x, w, fixed) -> KineticsFit:
    """The fit with ``δ δᵀ`` added to its covariance, ``δ`` half the larger change of the
    parameters when the first or the last ``RANGE_FRACTION`` of the points is left out (the
    change of larger ``|Δn|``)."""
    params = np.array([getattr(fit, p) for p in PARAMETERS])
    drop = int(round(RANGE_FRACTION * t.size))
    changes = []
    for keep in (slice(drop, None), slice(None, t.size - drop)):
        if drop == 0 or t[keep].size <= len(PARAMETERS) - len(fixed) + 1:
            continue
        trial = _solve(t[keep], x[keep], w[keep], params, fixed)
        if trial is not None:
            changes.append((trial[1] - params) / 2)
    if not changes:
        return fit
    change = max(changes, key=lambda delta: abs(delta[PARAMETERS.index("n")]))
    covariance = fit.covariance + np.outer(change, change)
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    return replace(fit, covariance=covariance, **dict(zip(_STDERR, map(float, errors))))


def _error_correlation(t: np.ndarray, tau: float) -> np.ndarray:
    """``exp(-|t_i - t_j| / tau)`` (the identity for ``tau`` = 0)."""
    if tau <= 0:
        return np.eye(t.size)
    return np.exp(-np.abs(t[:, None] - t[None, :]) / tau)


def _solve(t, x, w, start, fixed):
    """Least squares over the free parameters from ``start``; (solution, full params, free index)
    or None."""
    from scipy.optimize import least_squares

    start = start.copy()
    for name, value in fixed.items():
        start[PARAMETERS.index(name)] = float(value)
    free = [p for p in PARAMETERS if p not in fixed]
    index = [PARAMETERS.index(p) for p in free]
    lower = np.array(
        [{"x0": -np.inf, "k": -np.inf, "n": N_BOUNDS[0], "t0": _t0_floor(t)}[p] for p in free]
    )
    upper = np.array([{"x0": np.inf, "k": np.inf, "n": N_BOUNDS[1], "t0": t[-1]}[p] for p in free])

    def residuals(values):
        params = start.copy()
        params[index] = values
        return (power_law(t, *params) - x) * w

    guess = np.clip(start[index], lower + 1e-9, upper - 1e-9)
    solution = least_squares(residuals, guess, bounds=(lower, upper), x_scale="jac", method="trf")
    if not solution.success:
        return None
    params = start.copy()
    params[index] = solution.x
    return solution, params, index


def _t0_floor(t: np.ndarray) -> float:
    """Lower bound of ``t0``: ten time spans before the first point."""
    return float(t[0] - 10 * (t[-1] - t[0]) - 1.0)


def undetermined(
    fit: KineticsFit, free: tuple[str, ...], fitted: tuple[str, ...], t0_floor: float
) -> str:
    """Why the exponent of a converged fit is not determined ("" when it is).

    Parameters
    ----------
    fit : KineticsFit
        The converged fit.
    free : tuple of str
        The parameters the caller left free.
    fitted : tuple of str
        The parameters free in the solution kept (``t0`` is missing when no refinement with it
        free did better than holding it at a start value).
    t0_floor : float
        Lower bound ``t0`` was allowed, s.
    """
    if "n" in free and np.isclose(fit.n, N_BOUNDS, rtol=1e-6).any():
        return f"the exponent n ran to the end of its range ({fit.n:.3g}); fix n or t0"
    at_floor = fit.t0 <= t0_floor + 1e-6 * max(1.0, abs(t0_floor))
    if "t0" in free and ("t0" not in fitted or at_floor):
        return (
            "the start time t0 is not determined (no fit with it free does better than holding "
            "it, or it runs to its bound far before the tracked frames); fix t0 or track the "
            "front from its start"
        )
    if "n" in free and not fit.n_stderr < MAX_RELATIVE_N * fit.n:
        return (
            f"the exponent n is not determined (n = {fit.n:.3g} ± {fit.n_stderr:.2g}, 1σ at "
            f"least {MAX_RELATIVE_N:.0%} of n); track more of the front or fix t0"
        )
    return ""


def _finish(
    solution, params, index, t, x, absolute_sigma: bool, correlation: np.ndarray
) -> KineticsFit:
    scale = variance_scale(solution.fun, len(t) - len(index), absolute_sigma)
    jac = solution.jac
    covariance = np.zeros((4, 4))
    try:
        inverse = np.linalg.pinv(jac.T @ jac)
        free_cov = inverse @ jac.T @ correlation @ jac @ inverse * scale
    except np.linalg.LinAlgError:
        return KineticsFit(False, "the fit's covariance is singular; hold t0 or n fixed")
    covariance[np.ix_(index, index)] = free_cov
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    rms = float(np.sqrt(np.mean((power_law(t, *params) - x) ** 2)))
    return KineticsFit(True, "", *map(float, params), *map(float, errors), covariance, rms, len(t))


def measured_velocity(times_s, positions, *, window: int = 7) -> np.ndarray:
    """Velocity from the positions themselves (Savitzky-Golay derivative), units/s.

    Parameters
    ----------
    times_s : array_like
        Evenly spaced frame times, s.
    positions : array_like
        Front positions; NaNs are interpolated over for the derivative and
        returned as NaN.
    window : int
        Savitzky-Golay window (odd, frames), quadratic polynomial.
    """
    t, x = np.asarray(times_s, dtype=float), np.asarray(positions, dtype=float)
    good = np.isfinite(x)
    if good.sum() < 3 or len(t) < 3:
        return np.full_like(x, np.nan)
    filled = np.interp(t, t[good], x[good])
    span = min(int(window) | 1, len(t) if len(t) % 2 else len(t) - 1)
    if span < 3:
        return np.where(good, np.gradient(filled, t), np.nan)
    from scipy.signal import savgol_filter

    dt = float(np.median(np.diff(t)))
    speed = savgol_filter(filled, span, min(2, span - 1), deriv=1, delta=dt)
    return np.where(good, speed, np.nan)
