"""Variances of the ZLP centre and FWHM of :mod:`insitu_tem.analysis.eels.zlp`.

The counts' covariance between channels is ``c(k) y`` (:mod:`.zlp_noise`; the terms below are
lag sums, the variance at lag 0 per unit gain φ). Where no 48 far channels lie in a row, the
gain φ (white noise) is measured away from the peak, where the spectrum is smooth on the channel
scale: ``Σ (Δ²y)² / Σ (y₋ + 4y + y₊)``, the variance of the second difference of independent
counts, per spectrum, median over spectra (the gain of the log fit's residuals,
``Σ y r² / (m - 3)``, where no spectrum has such channels).

Centre: the centre ``-b/2c`` of the weighted least-squares parabola on ``log y`` (weights
``w = y²``, Guo's) is linear to first order in ``log y`` (``var log y = φ/y``) with influence
``aⱼ = wⱼ xⱼᵀ M⁻¹ g`` (``M = Σ w xxᵀ``, ``g`` the centre's gradient in the coefficients), so its
noise variance is ``φ Σ aⱼ² / yⱼ`` (the sandwich). A top that is not a Gaussian shifts it by a
sub-channel amount that depends on where the top falls between channels: with ``m(u)`` the top's
even departure from the parabola about the centre (``κ₄u⁴ + κ₆u⁶``, one shape for all spectra,
fitted to the residuals of every spectrum by weighted least squares on the part of ``u⁴, u⁶``
the parabola does not absorb), the shift is ``Σ aⱼ m(uⱼ)``, added in quadrature per spectrum.

FWHM: the half-maximum crossings are linear interpolations between two samples at half the top's
height: the least-squares parabola through the samples within a quarter of the width, evaluated
at the log fit's centre (the peak channel alone reads high on a broad noisy top, being the
largest of several noisy samples; so does the parabola's vertex). Their noise follows from the
four samples and the height's weights. The width so read is off by a one-signed amount (channels
integrate; the crossings are interpolated; a parabola is not the top), computed on a noise-free
top of the sub-channel centre and shape (the Gaussian with the departure ``m``), integrated over
channels: the FWHM reported is the width whose top reads the measured one (the bias subtracted,
by secant steps). The spread between that top's bias and a Gaussian top's counts as the model's
uncertainty, in quadrature with the noise; the pseudo-Voigt of :mod:`.zlp_voigt` is a second
shape model (:func:`.zlp_width.corrected_width`).

References
----------
Guo, IEEE Signal Process. Mag. 28, 134 (2011); Caruana et al., Anal. Chem. 58, 1162 (1986).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from insitu_tem.analysis.eels.zlp_noise import lag_sums
from insitu_tem.analysis.eels.zlp_voigt import lorentz_fraction

SUBSAMPLES = 16
_NOISE_SPECTRA = 64
_NOISE_CHANNELS = 16
_SHAPE_SPECTRA = 256
_GRID_SPECTRA = 2048


def noise_gain(y: np.ndarray, rows: np.ndarray, peak: np.ndarray, width: np.ndarray) -> float:
    """φ of the counts from their second differences more than four FWHM (plus two channels)
    from the peak, in up to 64 of the spectra ``rows`` (spread over them); NaN where no spectrum
    has 16 such channels with positive counts."""
    pick = rows[
        np.unique(np.linspace(0, len(rows) - 1, min(len(rows), _NOISE_SPECTRA)).astype(int))
    ]
    counts = y[pick].astype(np.float64)
    second = counts[:, :-2] - 2 * counts[:, 1:-1] + counts[:, 2:]
    level = counts[:, :-2] + 4 * counts[:, 1:-1] + counts[:, 2:]
    reach = np.where(np.isfinite(width[pick]), 4 * width[pick] + 2, np.inf)
    channel = np.arange(1, y.shape[1] - 1)[None, :]
    far = np.abs(channel - peak[pick, None]) > reach[:, None]
    total = np.sum(np.where(far, level, 0.0), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gains = np.sum(np.where(far, second**2, 0.0), axis=1) / total
    usable = (far.sum(axis=1) >= _NOISE_CHANNELS) & (total > 0) & np.isfinite(gains)
    return float(np.median(gains[usable])) if usable.any() else np.nan


def _prepare(window, offsets, weights):
    """The samples the log fit used, in offsets scaled per spectrum (``t = x / reach``): weights,
    counts, log counts, ``t`` and ``reach``."""
    used_columns = np.flatnonzero(np.any(weights > 0, axis=0))
    span = slice(used_columns.min(initial=0), used_columns.max(initial=0) + 1)
    window, weights = window[:, span], weights[:, span]
    x = offsets[span].astype(np.float64)
    used = weights > 0
    reach = np.maximum(np.max(np.where(used, np.abs(x), 0), axis=1), 1)
    counts = np.where(used, window, 1.0)
    return weights, used, counts, np.log(counts), x[None, :] / reach[:, None], reach


class _Parabolas:
    """Weighted least-squares parabolas in ``t``, per spectrum (the inverse normal matrices)."""

    def __init__(self, weights, t):
        self.weights, self.t = weights, t
        self.powers = [np.ones_like(t), t, t * t]
        weighted = [weights * p for p in self.powers] + [weights * t * t * t]
        weighted.append(weighted[-1] * t)
        moments = np.stack([np.sum(w, axis=1) for w in weighted], axis=-1)
        matrix = np.stack([moments[:, i : i + 3] for i in range(3)], axis=-2)
        matrix[(weights > 0).sum(axis=1) < 3] = np.eye(3)
        self.inverse = np.linalg.inv(matrix)

    def coefficients(self, values):
        weighted = self.weights * values
        sums = np.stack([np.sum(weighted * p, axis=1) for p in self.powers], axis=-1)
        return np.einsum("nij,nj->ni", self.inverse, sums)

    def evaluate(self, coeffs):
        return coeffs[:, :1] + coeffs[:, 1:2] * self.t + coeffs[:, 2:3] * self.powers[2]


def _shape_bias(fit, used, counts, u, residual, influence, found):
    """Per spectrum ``Σ aⱼ m(uⱼ)``: the centre's shift by the top's even departure from a Gaussian,
    ``m(u) = κ₄u⁴ + κ₆u⁶`` about each centre, fitted to the residuals of up to 256 spectra
    ``found``."""
    square = u * u
    terms = [square * square, square * square * square]
    rows = np.flatnonzero(found)
    rows = rows[
        np.unique(np.linspace(0, len(rows) - 1, min(len(rows), _SHAPE_SPECTRA)).astype(int))
    ]
    subset = _Parabolas(fit.weights[rows], fit.t[rows])
    design = [v[rows] - subset.evaluate(subset.coefficients(v[rows])) for v in terms]
    omega = np.where(used[rows], counts[rows], 0.0)
    normal = np.array([[np.sum(omega * a * b) for b in design] for a in design])
    right = np.array([np.sum(omega * a * residual[rows]) for a in design])
    if not np.isfinite(normal).all() or abs(np.linalg.det(normal)) <= 1e-12 * np.trace(normal) ** 2:
        return np.zeros(len(u)), np.zeros(2)
    kappa = np.linalg.solve(normal, right)
    return sum(k * np.sum(influence * v, axis=1) for k, v in zip(kappa, terms)), kappa


@dataclass(frozen=True)
class Shape:
    """The top's even departure from a Gaussian in log counts, ``κ₄t⁴ + κ₆t⁶`` with ``t`` the
    offset from the centre over ``reach`` (channels, per spectrum), and the Lorentzian fraction
    of the pseudo-Voigt the residuals match best (:mod:`.zlp_voigt`)."""

    kappa: np.ndarray
    reach: np.ndarray
    lorentz: float = 0.0

    def log_departure(self, x: np.ndarray) -> np.ndarray:
        """At offsets ``x`` (channels, one row per spectrum)."""
        square = (x / self.reach[:, None]) ** 2
        return square * square * (self.kappa[0] + self.kappa[1] * square)


def centre_terms(window, offsets, weights, centre, found, width) -> tuple:
    """The log-parabola centre's noise lag sums (channels², :func:`.zlp_noise.lag_sums`: its
    variance per unit φ at lag 0), the gain of the fit's residuals
    per spectrum (NaN with fewer than four samples), its shape bias (channels) and the top's
    :class:`Shape` (``width`` the half-maximum width read, channels)."""
    weights, used, counts, log_y, t, reach = _prepare(window, offsets, weights)
    fit = _Parabolas(weights, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        coeffs = fit.coefficients(log_y)
        b, c = coeffs[:, 1], coeffs[:, 2]
        gradient = np.stack([np.zeros_like(b), -1 / (2 * c), b / (2 * c**2)], axis=-1)
        influence = weights * fit.evaluate(np.einsum("nij,nj->ni", fit.inverse, gradient))
        residual = log_y - fit.evaluate(coeffs)
        dof = used.sum(axis=1) - 3
        gain = np.sum(np.where(used, counts * residual**2, 0.0), axis=1) / np.where(dof > 0, dof, 1)
        u = t + (b / (2 * c))[:, None]
        bias, kappa = _shape_bias(fit, used, counts, u, residual, influence, found & (dof > 1))
    on_counts = np.where(used, influence / counts, 0.0)
    variance = lag_sums(np.nan_to_num(on_counts), counts) * (reach**2)[:, None]
    fraction = _lorentz(fit, used, counts, residual, reach, centre, width, found & (dof > 1))
    shape = Shape(kappa, reach, fraction)
    return variance, np.where(dof > 0, gain, np.nan), np.nan_to_num(bias) * reach, shape


def _lorentz(fit, used, counts, residual, reach, centre, width, found) -> float:
    """:func:`.zlp_voigt.lorentz_fraction` on up to 256 spectra ``found``."""
    rows = np.flatnonzero(found)
    rows = rows[
        np.unique(np.linspace(0, len(rows) - 1, min(len(rows), _SHAPE_SPECTRA)).astype(int))
    ]
    if not len(rows):
        return 0.0
    t = fit.t[rows]

    def residual_of(log_values, weights):
        subset = _Parabolas(weights, t)
        return log_values - subset.evaluate(subset.coefficients(log_values))

    x = t * reach[rows, None]
    return lorentz_fraction(
        residual_of, x, used[rows], counts[rows], residual[rows], centre[rows], width[rows]
    )


def pooled_gain(gains: np.ndarray) -> float:
    """φ pooled over spectra (mean of the finite estimates; 1, i.e. counts, when none)."""
    finite = gains[np.isfinite(gains)]
    return float(np.mean(finite)) if finite.size else 1.0


def crossing_weights(window, rows, lc, rc, level, height_weights) -> np.ndarray:
    """The weights on the samples of the width between the half-maximum crossings interpolated in
    ``[lc, lc + 1]`` and ``[rc - 1, rc]`` (its derivatives in the samples), level half a height
    whose own weights are ``height_weights``."""
    a0, a1 = window[rows, lc], window[rows, lc + 1]
    b0, b1 = window[rows, rc - 1], window[rows, rc]
    rise, fall = a1 - a0, b0 - b1
    weights = 0.5 * (-1 / fall - 1 / rise)[:, None] * height_weights
    weights[rows, lc] += -(level - a1) / rise**2
    weights[rows, lc + 1] += (level - a0) / rise**2
    weights[rows, rc - 1] += (level - b1) / fall**2
    weights[rows, rc] += (b0 - level) / fall**2
    return weights


def top_height(window, half: int, reach: np.ndarray, at: np.ndarray) -> tuple:
    """The least-squares parabola through the samples within ``reach`` (whole samples, per row) of
    the middle one, evaluated ``at`` samples from it (the top's centre, clipped to ``reach``), and
    its weights on the samples."""
    k = reach.astype(np.float64)[:, None]
    x = np.arange(-half, half + 1, dtype=np.float64)[None, :]
    inside = np.abs(x) <= k
    s0, s2 = 2 * k + 1, k * (k + 1) * (2 * k + 1) / 3
    s4 = s2 * (3 * k * k + 3 * k - 1) / 5
    a = np.clip(np.nan_to_num(at), -reach, reach)[:, None]
    square = x * x
    weights = (s4 - s2 * square + a * a * (s0 * square - s2)) / (s0 * s4 - s2 * s2) + a * x / s2
    weights = np.where(inside, weights, 0.0)
    return np.sum(weights * window, axis=1), weights


def binned_top(width, centre, half, shape: Shape, *, subsamples: int = SUBSAMPLES) -> np.ndarray:
    """Noise-free tops ``exp(-x²/2s² + m(x))`` (``m`` the shape's departure, ``s`` such that the
    FWHM is ``width``) centred ``centre`` channels from the middle sample, integrated over each
    channel by ``subsamples`` points (1: sampled at the channel's middle; ``2 half + 1`` samples
    per row; float32, 1e-6 of the top)."""
    at_half = np.log(2) + shape.log_departure(0.5 * width[:, None])[:, 0]
    plain = at_half <= 0
    curvature = np.where(plain, np.log(2), at_half) / (0.5 * width) ** 2
    sub = ((np.arange(subsamples) + 0.5) / subsamples - 0.5).astype(np.float32)
    x = np.arange(-half, half + 1, dtype=np.float32)[None, :, None] + sub[None, None, :]
    x = x - centre.astype(np.float32)[:, None, None]
    log_top = x * x
    log_top *= -curvature.astype(np.float32)[:, None, None]
    if np.any(shape.kappa):
        scaled = (np.where(plain, 0.0, 1 / shape.reach)).astype(np.float32)[:, None, None] * x
        scaled *= scaled
        k4, k6 = (np.float32(k) for k in shape.kappa)
        log_top += scaled * scaled * (k4 + k6 * scaled)
    np.minimum(log_top, 0.0, out=log_top)
    return np.exp(log_top, out=log_top).mean(axis=2, dtype=np.float64)


def half_width_68(bias: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Half-width of the interval about 0 holding 68.27 % of a normal error of mean ``±bias`` and
    standard deviation ``sigma``: ``sigma`` without bias, ``|bias| + 0.4747 sigma`` far from 0."""
    ratio, half = _interval_table()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(bias) / sigma
    inside = np.where(r < ratio[-1], np.interp(r, ratio, half), r + 0.4747)
    return np.where(sigma > 0, sigma * inside, np.abs(bias))


@cache
def _interval_table() -> tuple[np.ndarray, np.ndarray]:
    target = math.erf(1 / math.sqrt(2))
    ratio = np.linspace(0.0, 12.0, 241)
    half = []
    for r in ratio:
        h = r + 1.0
        for _ in range(12):
            inside = 0.5 * (math.erf((h - r) / math.sqrt(2)) + math.erf((h + r) / math.sqrt(2)))
            slope = math.exp(-0.5 * (h - r) ** 2) + math.exp(-0.5 * (h + r) ** 2)
            h -= (inside - target) / slope * math.sqrt(2 * math.pi)
        half.append(h)
    return ratio, np.array(half)


def on_grid(function, width: np.ndarray, centre: np.ndarray, reach: np.ndarray):
    """``function(w, centre, reach)`` of these spectra as a function of their widths ``w``: for
    many spectra tabulated once on a grid of widths (nine quantiles of ``width`` and 0.7 of its
    least) by 121 centres in [-1.5, 1.5] channels and interpolated bilinearly; directly for up to
    2048 spectra."""
    if len(width) <= _GRID_SPECTRA:
        return lambda w: function(w, centre, reach)
    widths = np.unique(np.append(np.quantile(width, np.linspace(0, 1, 9)), 0.7 * width.min()))
    centres = np.linspace(-1.5, 1.5, 121)
    order = np.argsort(width)
    nearest = order[np.clip(np.searchsorted(width[order], widths), 0, len(width) - 1)]
    grid_w, grid_c = np.repeat(widths, len(centres)), np.tile(centres, len(widths))
    table = function(grid_w, grid_c, np.repeat(reach[nearest], len(centres)))
    table = table.reshape(len(widths), len(centres))
    j = np.clip(np.searchsorted(centres, centre) - 1, 0, len(centres) - 2)
    g = np.clip((centre - centres[j]) / (centres[j + 1] - centres[j]), 0, 1)
    along = (1 - g) * table[:, j] + g * table[:, j + 1]

    def at(w):
        i = np.clip(np.searchsorted(widths, w) - 1, 0, len(widths) - 2)
        f = np.clip((w - widths[i]) / (widths[i + 1] - widths[i]), 0, 1)
        columns = np.arange(len(w))
        return (1 - f) * along[i, columns] + f * along[i + 1, columns]

    return at
