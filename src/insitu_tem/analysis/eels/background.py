"""Pre-edge backgrounds fitted in an energy window, for all spectra at once.

Models (E in eV, counts per channel):

* ``power_law``   : A · E^-r, fitted as a straight line in (ln E, ln y)
* ``exponential`` : A · exp(-b E), a straight line in (E, ln y)
* ``polynomial``  : Σ c_k E^k (``order`` 1–3), linear least squares in y

The log-space fits are weighted by the counts, the Poisson weighting of
ln y (var ln y ≈ 1/y), so they approach the maximum-likelihood fit. The
quality readout is the Poisson reduced chi-square Σ (y - m)² / m / (n - p)
(≈ 1 for a good fit of raw counts) and R² in the window.

The parameter covariance is the least-squares one, (XᵀWX)⁻¹ times the weighted residual
variance, inflated by the residuals' correlation 1 + 2 Σ_k ρ_k over the lags up to twice the
first where the autocorrelation ρ falls below 0.1 (detector point-spread, deconvolution; the
flat-window Newey–West factor of a slowly varying functional, Newey & West 1987).

The log-space fits need positive counts: a spectrum whose window holds fewer than
:data:`POSITIVE_FRACTION` of its channels above 0 (a difference of spectra, a dark-subtracted
region near zero) is declined (``ok`` False, ``params`` NaN, ``reason`` says why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import as_spectra, channel_range, reshape_nav
from insitu_tem.analysis.eels.edges_table import EDGES, find_edge

MODELS = ("power_law", "exponential", "polynomial")

POSITIVE_FRACTION = 0.84
"""Least fraction of a window's channels above 0 for a power-law or exponential fit: Φ(1), the
fraction of a mean μ that stays above 0 under Gaussian noise σ = μ. Fewer, and the counts are
within their noise of 0, where ln y, its 1/y variance and the fit that drops the channels
at or below 0 all fail."""


@dataclass(frozen=True)
class BackgroundFit:
    """A fitted background for every spectrum.

    Attributes
    ----------
    model : str
        One of :data:`MODELS`.
    window_eV : (float, float)
        Fit window, eV.
    params : ndarray, shape (..., n_params)
        ``(ln A, r)`` for power law, ``(ln A, b)`` for exponential,
        ``(c0, c1, ...)`` for polynomial (E in eV).
    chi2_reduced : ndarray
        Poisson reduced chi-square in the window (navigation shape).
    r_squared : ndarray
        Coefficient of determination in the window.
    ok : ndarray of bool
        False where fewer than :data:`POSITIVE_FRACTION` of the window's channels (or fewer
        than three) are above 0 (power law, exponential); ``params`` are NaN there.
    covariance : ndarray, shape (..., n_params, n_params), optional
        Covariance of ``params`` (module docstring); None where not computed.
    reason : str
        Why some spectra were declined ("" when ``ok`` everywhere).
    """

    model: str
    window_eV: tuple[float, float]
    params: np.ndarray
    chi2_reduced: np.ndarray
    r_squared: np.ndarray
    ok: np.ndarray
    covariance: np.ndarray | None = None
    reason: str = ""

    def jacobian(self, energy_eV) -> np.ndarray:
        """∂ background / ∂ params at ``energy_eV`` (eV, 1-D): shape (..., n, n_params)."""
        e = np.asarray(energy_eV, float)
        if self.model == "polynomial":
            design = np.vander(e, self.params.shape[-1], increasing=True)
            return np.broadcast_to(design, self.params.shape[:-1] + design.shape)
        value = self.evaluate(e)
        x = np.log(np.where(e > 0, e, 1.0)) if self.model == "power_law" else e
        return np.stack([value, -value * x], axis=-1)

    def evaluate(self, energy_eV) -> np.ndarray:
        """Background at ``energy_eV`` (eV, 1-D) for every spectrum: shape (..., n)."""
        e = np.asarray(energy_eV, float)
        p = self.params[..., None, :]
        if self.model == "power_law":
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return np.where(
                    e > 0, np.exp(p[..., 0] - p[..., 1] * np.log(np.where(e > 0, e, 1.0))), np.nan
                )
        if self.model == "exponential":
            with np.errstate(over="ignore"):
                return np.exp(p[..., 0] - p[..., 1] * e)
        return sum(p[..., k] * e**k for k in range(self.params.shape[-1]))


def _weighted_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sw = w.sum(axis=1)
    safe = np.where(sw > 0, sw, 1.0)
    mx = (w * x).sum(axis=1) / safe
    my = (w * y).sum(axis=1) / safe
    dx = x - mx[:, None]
    sxx = (w * dx * dx).sum(axis=1)
    slope = np.where(
        sxx > 0, (w * dx * (y - my[:, None])).sum(axis=1) / np.where(sxx > 0, sxx, 1.0), np.nan
    )
    return my - slope * mx, slope


def _fit_params(e: np.ndarray, y: np.ndarray, model: str, order: int) -> np.ndarray:
    if model == "polynomial":
        design = np.vander(e, order + 1, increasing=True)
        return np.linalg.lstsq(design, y.T, rcond=None)[0].T
    positive = y > 0
    weights = np.where(positive, y, 0.0)
    log_y = np.log(np.where(positive, y, 1.0))
    x = np.log(e) if model == "power_law" else e
    intercept, slope = _weighted_line(np.broadcast_to(x, y.shape), log_y, weights)
    return np.stack([intercept, -slope], axis=-1)


def _positive_enough(y: np.ndarray, model: str) -> np.ndarray:
    """Whether each row of window counts ``y`` can take a log-space fit (all rows for a
    polynomial)."""
    if model == "polynomial":
        return np.ones(len(y), bool)
    needed = max(3, int(np.ceil(POSITIVE_FRACTION * y.shape[1])))
    return (y > 0).sum(axis=1) >= needed


def _declined(y: np.ndarray, usable: np.ndarray, model: str, window_eV) -> str:
    """Why the rows of window counts ``y`` not ``usable`` were declined ("" when none were)."""
    if usable.all():
        return ""
    where = f"the {y.shape[1]} channels in {window_eV[0]:g}–{window_eV[1]:g} eV"
    share = f"{POSITIVE_FRACTION:.0%}"
    if len(y) == 1:
        counted = f"only {int((y > 0).sum())} of {where} are above 0 (at least {share} must be)"
    else:
        counted = f"fewer than {share} of {where} are above 0 in {int((~usable).sum())} of {len(y)}"
        counted += " spectra"
    return (
        f"the {model.replace('_', ' ')} background needs positive counts: {counted}; move the "
        "background window where the counts are positive, or choose the polynomial background"
    )


def correlation_inflation(residual: np.ndarray) -> np.ndarray:
    """1 + 2 Σ_k ρ_k of every row's residuals over the lags up to twice the first where ρ < 0.1
    (at most a quarter of the row), at least 1."""
    n = residual.shape[1]
    max_lag = max(min(n // 4, 100), 1)
    centred = residual - residual.mean(axis=1, keepdims=True)
    c0 = (centred * centred).sum(axis=1)
    scale = np.where(c0 > 0, c0, 1.0)
    first = np.full(len(residual), max_lag)
    rho = []
    for k in range(1, max_lag + 1):
        rho.append((centred[:, : n - k] * centred[:, k:]).sum(axis=1) / scale)
        first = np.where((first == max_lag) & (rho[-1] < 0.1), k, first)
        if k >= 2 * first.max() or k >= max_lag:
            break
    rho = np.stack(rho, axis=1)
    lags = np.arange(1, rho.shape[1] + 1)[None, :]
    inside = lags <= np.minimum(2 * first, max_lag)[:, None]
    return np.maximum(1.0 + 2.0 * (rho * inside).sum(axis=1), 1.0)


def _covariance(e, y, fitted, params, model: str) -> np.ndarray:
    """Least-squares covariance of ``params`` (module docstring), shape (n_spectra, p, p)."""
    n, p = y.shape[1], params.shape[-1]
    if model == "polynomial":
        design = np.broadcast_to(np.vander(e, p, increasing=True), (len(y), n, p))
        weights = np.ones_like(y)
        residual = y - fitted
    else:
        x = np.log(e) if model == "power_law" else e
        design = np.broadcast_to(np.stack([np.ones_like(x), -x], axis=-1), (len(y), n, p))
        weights = np.where(y > 0, y, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            residual = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)) - np.log(fitted), 0.0)
    residual = np.nan_to_num(residual)
    variance = (weights * residual**2).sum(axis=1) / max(n - p, 1)
    normal = np.einsum("nik,ni,nil->nkl", design, weights, design)
    with np.errstate(invalid="ignore"):
        inverse = np.linalg.pinv(normal)
    scale = variance * correlation_inflation(residual * np.sqrt(weights))
    return inverse * scale[:, None, None]


def fit_background(
    spectra,
    energy: Axis,
    window_eV: tuple[float, float],
    *,
    model: str = "power_law",
    order: int = 1,
) -> BackgroundFit:
    """Fit a background model in ``window_eV`` to every spectrum.

    Parameters
    ----------
    spectra : array_like, shape (..., n_channels)
        Counts, energy last.
    energy : Axis
        Energy-loss axis, eV.
    window_eV : (float, float)
        Pre-edge fit window, eV (the power law needs E > 0).
    model : str, keyword-only
        ``"power_law"``, ``"exponential"`` or ``"polynomial"``.
    order : int, keyword-only
        Polynomial order (1–3), ignored by the other models.

    Returns
    -------
    BackgroundFit
    """
    if model not in MODELS:
        raise ValueError(f"unknown background model {model!r}; use one of {', '.join(MODELS)}")
    if model == "polynomial" and order not in (1, 2, 3):
        raise ValueError(f"polynomial order {order} not supported; use 1, 2 or 3")
    if model == "power_law" and window_eV[0] <= 0:
        raise ValueError(
            f"a power law needs a window above 0 eV, not {window_eV}; move the window past the ZLP"
        )
    y, nav_shape = as_spectra(spectra, energy)
    channels = channel_range(energy, window_eV, minimum=4)
    e = energy.coordinates()[channels]
    yw = y[:, channels]
    usable = _positive_enough(yw, model)
    params = np.where(usable[:, None], _fit_params(e, yw, model, order), np.nan)
    partial = BackgroundFit(
        model, tuple(map(float, window_eV)), params, np.empty(0), np.empty(0), np.empty(0)
    )
    fitted = partial.evaluate(e)
    n_params = params.shape[-1]
    chi2 = ((yw - fitted) ** 2 / np.maximum(fitted, 1.0)).sum(axis=1) / max(len(e) - n_params, 1)
    sst = ((yw - yw.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    r2 = 1.0 - ((yw - fitted) ** 2).sum(axis=1) / np.where(sst > 0, sst, np.nan)
    ok = np.isfinite(params).all(axis=1)
    covariance = np.where(usable[:, None, None], _covariance(e, yw, fitted, params, model), np.nan)
    return BackgroundFit(
        model,
        partial.window_eV,
        reshape_nav(params, nav_shape),
        reshape_nav(chi2, nav_shape),
        reshape_nav(r2, nav_shape),
        reshape_nav(np.broadcast_to(ok, (len(y),)), nav_shape),
        reshape_nav(covariance, nav_shape),
        _declined(yw, usable, model, partial.window_eV),
    )


def subtract_background(spectra, energy: Axis, fit: BackgroundFit) -> np.ndarray:
    """Spectra minus their fitted background, float64, same shape (NaN where undefined)."""
    y = np.asarray(spectra, float)
    return y - fit.evaluate(energy.coordinates())


def auto_background_window(edge_name: str, energy: Axis) -> tuple[float, float]:
    """A pre-edge window for an edge: clear of the onset and of the previous major edge.

    The window ends ``max(2.5 eV, 2 %)`` below the onset (room for chemical
    shifts) and spans ``15 %`` of the
    onset energy (3–40 eV), starting no earlier than 5 eV above the previous
    major edge in the table (Li K: 5 eV after W O2 at 45.3 eV) and the start of
    the spectrum.

    Raises
    ------
    ValueError
        When the edge lies outside the spectrum or no window of 1 eV fits.
    """
    edge = find_edge(edge_name)
    onset = edge.onset_eV
    coords = energy.coordinates()
    if not coords[0] < onset < coords[-1]:
        raise ValueError(
            f"edge {edge.name} ({onset:g} eV) is outside this spectrum "
            f"({coords[0]:.4g}–{coords[-1]:.4g} eV)"
        )
    high = onset - max(2.5, 0.02 * onset)
    low = high - float(np.clip(0.15 * onset, 3.0, 40.0))
    lines = [
        energy_ for e in EDGES.values() if e.major and e.name != edge.name for _, energy_ in e.lines
    ]
    previous = [line for line in lines if line < high - 1.0]
    if previous:
        low = max(low, max(previous) + 5.0)
    low = max(low, coords[0] + 2 * energy.scale, 2.0)
    if high - low < 1.0:
        raise ValueError(
            f"no room for a background window below {edge.name}; give one with --background "
            "LOW,HIGH"
        )
    return float(low), float(high)
