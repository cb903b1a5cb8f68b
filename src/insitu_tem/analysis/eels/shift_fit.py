"""Least-squares shift of a reference spectrum inside a spectrum on a smooth background.

In a region R the weighted model of every spectrum y is

    y(E) ≈ a · r(E - s) + B(E) · Σ_k c_k u^k,        u = (E - Ē) / (E_max - E_min),  k = 0..K

with r the raw reference (its own background shifts with it; the difference is smooth and
absorbed by the background term) and B a power law fitted to the reference before the edge, so
a low-order polynomial only has to describe the smooth *ratio* of two backgrounds (a plasmon
tail that changes along the scan, another thickness). Spectra and reference are first smoothed
with a Gaussian of σ = 0.3 eV (at least one channel): the derivative of a noisy reference
would otherwise be mostly noise, which makes the fit overconfident and pulls it. The
reference is moved by a Fourier phase ramp (:func:`shifted`), weights are 1/√r̄ (r̄ the
smoothed reference: Poisson variance ∝ counts, any detector gain cancels). The shift s is found
on a grid of half a channel with a, c solved exactly at every s (variable projection) and
refined by a parabola through the three lowest residual sums.

Statistical error: with g the derivative of the model with respect to s projected out of the
span of the linear terms, e the residuals and ρ_k their autocorrelation (detector point-spread,
deconvolution and the smoothing correlate neighbouring channels),

    σ_s² = σ² [γ_0 + 2 Σ_{k=1..L} ρ_k γ_k] / γ_0²,   γ_k = Σ_i g_i g_{i+k}

(the least-squares variance under correlated noise, Newey & West 1987, with a flat window: the
correlation of smoothed noise is positive at every lag, which a Bartlett taper would
under-weight). The residuals are y - a·r, so σ² already holds the noise of the reference as
well as that of y. L is twice the lag at which ρ first falls below 0.1 (at most a quarter of
the region).

References
----------
G. H. Golub & V. Pereyra, "The differentiation of pseudo-inverses and nonlinear least squares
problems whose variables separate", SIAM J. Numer. Anal. 10, 413 (1973).
W. K. Newey & K. D. West, "A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix", Econometrica 55, 703 (1987).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eels._common import parabola_vertex, smooth
from insitu_tem.analysis.eels.edge_noise import RecordedNoise, edge_statistic

_CHUNK = 128
SMOOTH_EV = 0.3


@dataclass(frozen=True)
class ShiftFit:
    """Per-spectrum result of one model variant (1-D arrays over the spectra)."""

    shift: np.ndarray
    stderr: np.ndarray
    scale: np.ndarray
    sigma2: np.ndarray
    found: np.ndarray
    edge_z: np.ndarray
    edge_dof: np.ndarray
    influence: np.ndarray | None = None


def shifted(
    reference: np.ndarray, shifts_channels: np.ndarray, *, derivative: bool = False
) -> np.ndarray:
    """``reference`` moved by every shift (channels, positive to higher index) with a Fourier phase
    ramp.

    A phase ramp is unitary: shifted white noise keeps its variance at every fractional shift,
    so a noisy reference does not pull the fit to whole channels as spline interpolation does.
    The spectrum is mirrored to twice its length first (no jump at the ends). With
    ``derivative`` the derivative with respect to the shift, per channel.
    """
    n = len(reference)
    mirrored = np.concatenate([reference, reference[::-1]])
    frequency = np.fft.rfftfreq(2 * n)
    phase = np.exp(-2j * np.pi * frequency[None, :] * np.asarray(shifts_channels, float)[:, None])
    if derivative:
        phase = phase * (-2j * np.pi * frequency[None, :])
    return np.fft.irfft(np.fft.rfft(mirrored)[None, :] * phase, 2 * n, axis=1)[:, :n]


def _designs(templates: np.ndarray, smooth_part: np.ndarray, order: int):
    """QR of [edge term, smooth part × u^k] at every shift, all weighted."""
    e = np.arange(templates.shape[1], dtype=float)
    u = (e - e.mean()) / max(np.ptp(e), 1e-9)
    design = np.empty(templates.shape + (order + 2,))
    design[:, :, 0] = templates
    for k in range(order + 1):
        design[:, :, k + 1] = smooth_part * u**k
    return np.linalg.qr(design)


def _refine(ssr: np.ndarray, grid: np.ndarray):
    best = np.argmin(ssr, axis=1)
    found = (best > 0) & (best < len(grid) - 1)
    rows, inner = np.arange(len(best)), np.clip(best, 1, len(grid) - 2)
    offset, curvature = parabola_vertex(
        ssr[rows, inner - 1], ssr[rows, inner], ssr[rows, inner + 1]
    )
    minimum = ssr[rows, inner] - 0.25 * curvature * offset**2
    return grid[inner] + offset * (grid[1] - grid[0]), inner, minimum, found & (curvature > 0)


def _autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray:
    n = values.shape[1]
    return np.stack(
        [(values[:, : n - k] * values[:, k:]).sum(axis=1) for k in range(max_lag + 1)], axis=1
    )


def newey_west(residual: np.ndarray, gradient: np.ndarray, n_params: int) -> np.ndarray:
    """σ² [γ_0 + 2 Σ w_k ρ_k γ_k] / γ_0² for every row (see module docstring)."""
    n = residual.shape[1]
    max_lag = max(min(n // 4, 200), 1)
    c = _autocorrelation(residual, max_lag)
    rho = c / np.where(c[:, :1] > 0, c[:, :1], 1.0)
    below = rho < 0.1
    first = np.where(below.any(axis=1), np.argmax(below, axis=1), max_lag)
    lags = np.minimum(2 * first, max_lag)
    gamma = _autocorrelation(gradient, max_lag)
    k = np.arange(max_lag + 1)[None, :]
    taper = (k <= lags[:, None]).astype(float)
    taper[:, 0] = 0.5
    sigma2 = c[:, 0] / max(n - n_params, 1)
    return sigma2 * 2.0 * (taper * rho * gamma).sum(axis=1) / np.maximum(gamma[:, 0], 1e-300) ** 2


def fit_shift(
    y: np.ndarray,
    reference: np.ndarray,
    e_all: np.ndarray,
    region: slice,
    background: np.ndarray,
    *,
    order: int,
    grid: np.ndarray,
    influence: bool = False,
    extra: np.ndarray | None = None,
    detect: bool = True,
) -> ShiftFit:
    """Shift of ``reference`` in every row of ``y`` inside ``region`` (see module docstring).

    ``background`` is the reference's pre-edge power law on ``e_all[region]``; ``grid`` the
    trial shifts, eV, evenly spaced. With ``influence`` the result also holds, per spectrum,
    the first-order change of the shift (eV) per count added to each channel of ``y``.
    ``extra``, shape (n, len(region), j), adds per-spectrum columns to the smooth background
    (the plasmon's Drude columns, :mod:`.plasmon_tail`). Without ``detect`` the edge statistic
    (:mod:`.edge_noise`) is not computed: ``edge_z`` and ``edge_dof`` are NaN.
    """
    step = e_all[1] - e_all[0]
    width = max(SMOOTH_EV / step, 1.0)
    reference = smooth(np.nan_to_num(reference)[None, :], width)[0]
    level = smooth(reference[None, :], 2.0)[0]
    floor = max(np.nanmax(level[region]), 1.0) * 1e-3
    pad = min(int(np.ceil(4 * width)) + 1, region.start, len(e_all) - region.stop)
    around = slice(region.start - pad, region.stop + pad)
    weights_around = 1.0 / np.sqrt(np.maximum(level[around], floor))
    weights = weights_around[pad : pad + region.stop - region.start]
    templates = shifted(reference, grid / step)[:, region] * weights[None, :]
    smooth_part = background * weights
    q, r = _designs(templates, smooth_part, order)
    yw = smooth(np.nan_to_num(y), width)[:, region] * weights[None, :]
    projections = np.matmul(yw, q).transpose(1, 0, 2)
    ssr = (yw**2).sum(axis=1)[:, None] - (projections**2).sum(axis=2)
    n_extra = 0
    if extra is not None:
        extra = extra * weights[None, :, None]
        n_extra = extra.shape[2]
        ssr = ssr - _extra_explained(q, yw, extra, projections)
    shift, inner, minimum, found = _refine(ssr, grid)
    dof = max(region.stop - region.start - order - 3 - n_extra, 1)
    scale, stderr = np.empty(len(y)), np.empty(len(y))
    effect = np.zeros(y.shape) if influence else None
    for start in range(0, len(y), _CHUNK):
        rows = slice(start, start + _CHUNK)
        scale[rows], stderr[rows], gradient = _errors(
            yw[rows],
            *_augmented(q[inner[rows]], r[inner[rows]], None if extra is None else extra[rows]),
            reference,
            region,
            shift[rows] / step,
            weights,
            step,
        )
        if influence:
            per_count = gradient * weights[None, :] / (gradient**2).sum(axis=1, keepdims=True)
            effect[rows, region] = per_count
            effect[rows] = smooth(effect[rows], width)
    sigma2 = np.maximum(minimum, 0) / dof
    found = found & np.isfinite(stderr) & (scale > 0)
    edge_z, edge_dof = np.full(ssr.shape, np.nan), np.full(len(y), np.nan)
    if detect:
        recorded = RecordedNoise(
            np.nan_to_num(y)[:, around] * weights_around[None, :], weights_around, pad, width
        )
        edge_z, edge_dof = edge_statistic(
            yw, ssr, templates, smooth_part, order, inner, extra, recorded
        )
    return ShiftFit(
        shift,
        np.where(found, stderr, np.nan),
        scale,
        sigma2,
        found,
        edge_z,
        edge_dof,
        effect,
    )


def _extra_explained(q, yw, extra, projections):
    """Residual sum explained by the per-spectrum columns beyond the shared design, (n, grid)."""
    overlap = np.einsum("gek,nej->ngkj", q, extra)
    rhs = np.einsum("nej,ne->nj", extra, yw)[:, None, :] - np.einsum(
        "ngkj,ngk->ngj", overlap, projections
    )
    gram = np.einsum("nej,nel->njl", extra, extra)[:, None] - np.einsum(
        "ngkj,ngkl->ngjl", overlap, overlap
    )
    scale = np.maximum(np.einsum("ngjj->ngj", gram), 1e-300)
    norm = np.sqrt(scale[..., :, None] * scale[..., None, :])
    ridge = 1e-10 * np.eye(extra.shape[2])
    solved = np.linalg.solve(gram / norm + ridge, (rhs / np.sqrt(scale))[..., None])[..., 0]
    return (solved * rhs / np.sqrt(scale)).sum(axis=-1)


def _augmented(q, r, extra):
    """(q, r) of the shared design at each spectrum's best shift with its own columns added."""
    if extra is None:
        return q, r
    design = np.concatenate([q @ r, extra], axis=2)
    return np.linalg.qr(design)


def _errors(yw, q, r, reference, region, shift_channels, weights, step):
    projection = np.einsum("nek,ne->nk", q, yw)
    coefficients = np.linalg.solve(r, projection[..., None])[..., 0]
    scale = coefficients[:, 0]
    residual = yw - np.einsum("nek,nk->ne", q, projection)
    slope = shifted(reference, shift_channels, derivative=True)[:, region] / step
    gradient = scale[:, None] * slope * weights[None, :]
    gradient = gradient - np.einsum("nek,nk->ne", q, np.einsum("nek,ne->nk", q, gradient))
    variance = newey_west(residual, gradient, q.shape[2] + 1)
    return scale, np.sqrt(np.where(variance > 0, variance, np.nan)), gradient
