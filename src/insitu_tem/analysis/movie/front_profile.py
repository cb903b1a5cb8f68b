"""Front position in one frame: an erf fitted to the reacted fraction along the line.

The reacted fraction ``φ(s)`` (0 pristine, 1 reacted; :mod:`front_states`) of a width-averaged
profile is modelled as ``Φ(d (p - s) / w)`` with ``Φ`` the normal CDF, ``d`` the side that has
reacted, ``p`` the front position and ``w`` its width (Gaussian σ: diffuseness, roughness across
the width and the microscope's blur together). A coarse grid over ``p`` and ``w`` is refined by
weighted least squares (weights 1/σ_φ² per sample). The 1σ of ``p`` is its profile-likelihood
interval: the centres at which χ², minimised over the width, exceeds its least by the reduced χ²
near the front (1 when below; texture that changes raises it), the larger side of the two —
finite for a front sharper than the sampling, where the least-squares covariance is singular,
and reaching off the line when the data cannot tell the front from one that has left it. It is
combined in quadrature with the model term ``Σ (φ - Φ)`` within ``3 w + 3`` samples, φ clipped
to 0-1 — the distance between the erf's centre and the area-equivalent (width-averaged) position
of the measured profile, each sample adding at most what a fraction can.

References
----------
Press, Teukolsky, Vetterling & Flannery, *Numerical Recipes*, 3rd ed., §15.4–15.6 (2007).
Venzon & Moolgavkar, "A method for computing profile-likelihood-based confidence intervals",
Appl. Statist. 37, 87-94 (1988).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.special import ndtr

WIDTH_GRID = (0.7, 2.0, 5.0)
MARGIN = 4.0


@dataclass(frozen=True)
class ProfileFit:
    """The erf fitted to one frame's reacted fraction.

    Attributes
    ----------
    position, width : float
        Front position and erf σ, samples.
    sigma : float
        1σ of ``position``, samples (the larger side of ``interval`` and the model term).
    evidence : float
        χ² of the better of "all pristine" and "all reacted" minus χ² of the fit, over the local
        reduced χ² (≈ the squared significance of the front).
    residual : numpy.ndarray
        (n_samples,) normalised residuals (NaN where φ is unknown).
    noise : float
        The least-squares 1σ of ``position`` (covariance scaled by the local reduced χ² when
        > 1) with the unclipped model term, samples: the frame's scatter, without the
        profile's reach to other centres; the kinetic fit's weights.
    interval : tuple of float
        Centres where the width-profiled χ² exceeds its least by the local reduced χ² (the 1σ
        profile-likelihood interval), samples; an end reaches ``MARGIN`` beyond the line when
        the data allow the front off it.
    """

    position: float
    width: float
    sigma: float
    evidence: float
    residual: np.ndarray
    noise: float
    interval: tuple[float, float]


def _model(s: np.ndarray, position, width, direction: int) -> np.ndarray:
    return ndtr(direction * (position - s) / width)


def _grid_start(s, phi, weight, direction: int, length: int) -> tuple[float, float]:
    """Best (centre, width) over half-sample centres and ``WIDTH_GRID`` for whole-sample ``s``:
    the erf is evaluated once per distinct centre-sample distance (all exact half-integers)."""
    positions = np.arange(-MARGIN, length + MARGIN, 0.5)
    distances = np.arange(-MARGIN - (length - 1), length + MARGIN, 0.5)
    index = np.arange(positions.size)[:, None] + 2 * (length - 1 - s.astype(int))[None, :]
    best, start = np.inf, (float(length) / 2, 2.0)
    for width in WIDTH_GRID:
        model = _model(0.0, distances, width, direction)[index]
        chi2 = ((phi[None, :] - model) ** 2 * weight[None, :]).sum(axis=1)
        i = int(np.argmin(chi2))
        if chi2[i] < best:
            best, start = chi2[i], (float(positions[i]), width)
    return start


def _grid(s, phi, weight, direction: int, length: int) -> tuple[np.ndarray, ...]:
    """χ² of the erf at whole-sample centres from ``MARGIN`` before the line to ``MARGIN``
    after it, least over ``WIDTH_GRID``: (centres, χ², the width where it is least). Each χ²
    is ``Σ W φ² - 2 Σ W φ Φ + Σ W Φ²``, the two sums convolutions of the samples with the erf."""
    w, wy = np.zeros(length), np.zeros(length)
    w[s.astype(int)], wy[s.astype(int)] = weight, weight * phi
    positions = np.arange(-MARGIN, length + MARGIN)
    offsets = np.arange(positions[0] - (length - 1), positions[-1] + 1)
    part = slice(length - 1, length - 1 + positions.size)
    chi2 = np.empty((len(WIDTH_GRID), positions.size))
    for i, width in enumerate(WIDTH_GRID):
        kernel = ndtr(direction * offsets / width)
        chi2[i] = np.convolve(w, kernel**2)[part] - 2 * np.convolve(wy, kernel)[part]
    best = np.argmin(chi2, axis=0)
    least = chi2[best, np.arange(positions.size)] + float(np.sum(weight * phi**2))
    return positions, least, np.asarray(WIDTH_GRID)[best]


def fit_profile(
    phi: np.ndarray,
    sigma: np.ndarray,
    *,
    direction: int,
    start: tuple[float, float] | None = None,
    interval: bool = True,
) -> ProfileFit | None:
    """Fit the front to one frame's reacted fraction ``phi`` with 1σ ``sigma`` per sample.

    ``start`` (position, width) skips the coarse grid. With ``interval`` the fit is also
    started from the grid's best centre when that is better (a start from an earlier estimate
    can stop in a local minimum), and ``sigma`` and ``interval`` of the result are measured;
    without, they are NaN. Returns None when fewer than 6 samples are known.
    """
    length = phi.size
    good = np.isfinite(phi) & np.isfinite(sigma) & (sigma > 0)
    if good.sum() < 6:
        return None
    s, y, inverse = np.flatnonzero(good).astype(float), phi[good], 1.0 / sigma[good]
    if start is None:
        start = _grid_start(s, y, inverse**2, direction, length)
    solution = _least_squares(s, y, inverse, direction, length, start)
    if interval:
        grid = _grid(s, y, inverse**2, direction, length)
        best = int(np.argmin(grid[1]))
        if grid[1][best] < 2 * solution.cost:
            other = _least_squares(s, y, inverse, direction, length, (grid[0][best], grid[2][best]))
            solution = other if other.cost < solution.cost else solution
    position, width = float(solution.x[0]), float(np.exp(solution.x[1]))
    local = np.abs(s - position) <= 3 * width + 3
    inflation = max(float(np.sum(solution.fun[local] ** 2) / max(local.sum() - 2, 1)), 1.0)
    none = min(np.sum((y * inverse) ** 2), np.sum(((y - 1) * inverse) ** 2))
    residual = np.full(length, np.nan)
    residual[good] = solution.fun
    evidence = float((none - 2 * solution.cost) / inflation)
    if not interval:
        return ProfileFit(position, width, np.nan, evidence, residual, np.nan, (np.nan, np.nan))
    profile = _Profile(s, y, inverse, direction, length)
    chi2_min = float(profile.chi2(np.array([position]))[0])
    low, high = profile.interval(position, chi2_min, inflation)
    near = grid[0][grid[1] - chi2_min <= inflation]
    low, high = min([low, *near]), max([high, *near])
    excess = _model_excess(y[local], _model(s[local], position, width, direction))
    sigma_position = float(np.hypot(max(high - position, position - low), excess))
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.linalg.pinv(solution.jac.T @ solution.jac)[0, 0] * inflation
    model_error = np.sum((y - _model(s, position, width, direction))[local])
    noise = float(np.sqrt(variance + model_error**2))
    return ProfileFit(position, width, sigma_position, evidence, residual, noise, (low, high))


def _least_squares(s, y, inverse, direction: int, length: int, start: tuple[float, float]):
    """Weighted least squares of the erf's centre and log width from ``start``."""

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
    return least_squares(
        residuals, guess, jac=jacobian, bounds=bounds, x_scale=[1.0, 0.3], xtol=1e-6
    )


def _model_excess(phi: np.ndarray, model: np.ndarray) -> float:
    """|Σ (φ - Φ)| with φ clipped to 0-1 (a fraction cannot leave it; a sample whose levels
    barely differ would otherwise add its noise unbounded)."""
    return float(abs(np.sum(np.clip(phi, 0.0, 1.0) - model)))


class _Profile:
    """χ² of the erf minimised over its width, as a function of the centre."""

    WIDTHS = 25
    STAGES = ((0.05, 2.0), (0.2, 10.0), (1.0, np.inf))
    CHUNK = 8

    def __init__(self, s, y, inverse, direction: int, length: int):
        self.s, self.y, self.inverse, self.direction = s, y, inverse, direction
        self.limits = (-MARGIN, length - 1 + MARGIN)
        self.log_widths = np.linspace(np.log(0.2), np.log(max(length / 3, 1.0)), self.WIDTHS)

    def chi2(self, positions: np.ndarray) -> np.ndarray:
        """Least χ² over the width (grid with a parabola in log width) at each position."""
        scale = self.direction / np.exp(self.log_widths)
        residual = np.subtract.outer(positions, self.s)[:, None, :] * scale[:, None]
        ndtr(residual, out=residual)
        residual -= self.y
        residual *= self.inverse
        grid = np.square(residual, out=residual).sum(axis=2)
        j = np.clip(np.argmin(grid, axis=1), 1, self.WIDTHS - 2)
        rows = np.arange(positions.size)
        left, mid, right = grid[rows, j - 1], grid[rows, j], grid[rows, j + 1]
        curvature = left - 2 * mid + right
        with np.errstate(divide="ignore", invalid="ignore"):
            vertex = mid - (right - left) ** 2 / (8 * curvature)
        return np.minimum(grid.min(axis=1), np.where(curvature > 0, vertex, np.inf))

    def interval(self, position: float, chi2_min: float, threshold: float) -> tuple[float, float]:
        """Centres either side of ``position`` where χ² exceeds its least by ``threshold``
        (linear between grid points); a side that never does ends at the search limit
        (``MARGIN`` samples beyond the line)."""
        low = self._bound(position, -1, chi2_min, threshold)
        return low, self._bound(position, 1, chi2_min, threshold)

    def _bound(self, position: float, side: int, chi2_min: float, threshold: float) -> float:
        room = side * (self.limits[(side + 1) // 2] - position)
        previous = (0.0, 0.0)
        for step, reach in self.STAGES:
            stage = np.arange(previous[0] + step, min(reach, room) + step / 2, step)
            if stage.size == 0:
                break
            for offsets in np.split(stage, np.arange(self.CHUNK, stage.size, self.CHUNK)):
                excess = self.chi2(position + side * offsets) - chi2_min
                above = np.flatnonzero(excess > threshold)
                if above.size:
                    i = above[0]
                    before = (offsets[i - 1], excess[i - 1]) if i > 0 else previous
                    fraction = (threshold - before[1]) / (excess[i] - before[1])
                    return position + side * (before[0] + fraction * (offsets[i] - before[0]))
                previous = (offsets[-1], excess[-1])
        return position + side * max(room, 0.0)


def on_line(fit: ProfileFit, n_samples: int, direction: int) -> bool:
    """The front lies on the line and farther than its 1σ from the end it moves towards
    (nearer, the data do not tell it from a front that has left the line). Near the end it
    comes from it is kept: those frames carry the onset of the kinetics."""
    ahead = n_samples - 1 - fit.position if direction > 0 else fit.position
    return 0 <= fit.position <= n_samples - 1 and ahead >= fit.sigma


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
