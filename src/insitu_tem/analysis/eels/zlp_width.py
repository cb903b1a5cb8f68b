"""The ZLP's FWHM of :mod:`insitu_tem.analysis.eels.zlp`: the crossings of half the top's height
and its correction for how far that reads on a channel-integrated top of the measured shape (the
terms are described in :mod:`.zlp_sigma`)."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels.zlp_sigma import (
    SUBSAMPLES,
    Shape,
    binned_top,
    crossing_weights,
    on_grid,
    top_height,
)
from insitu_tem.analysis.eels.zlp_noise import lag_sums
from insitu_tem.analysis.eels.zlp_voigt import voigt_samples

HALF_WINDOW_MAX = 256
_CORRECTION_STEPS = 3
_RESOLVED_STEP = 1e-3


def gather(y: np.ndarray, centre: np.ndarray, half: int) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.arange(-half, half + 1)
    index = np.clip(centre[:, None] + offsets[None, :], 0, y.shape[1] - 1)
    return np.take_along_axis(y, index, axis=1).astype(np.float64), offsets


def _half_max_width(window: np.ndarray, half: int, at=None, first=None) -> tuple:
    """FWHM in channels and its noise's lag sums (:func:`.zlp_noise.lag_sums`): crossings of half
    the top's height, from a parabola over the channels within a quarter of the width ``first``
    read at half the peak channel (read here when None), evaluated ``at`` the top's centre
    (channels from the middle sample; None: half the peak channel, which reads high on a broad
    noisy top)."""
    peak = window[:, half]
    unit = np.zeros_like(window)
    unit[:, half] = 1.0
    if at is None:
        return _crossings(window, half, peak, unit)
    first = _crossings(window, half, peak, unit)[0] if first is None else first
    reach = np.clip(np.round(np.nan_to_num(first, nan=4.0) / 4), 1, max(half // 2, 1))
    return _crossings(window, half, *top_height(window, half, reach, at))


def _crossings(window, half, height, height_weights) -> tuple[np.ndarray, np.ndarray]:
    """Distance between the crossings of half ``height`` (weights ``height_weights`` on the
    samples) either side of the middle sample, and its noise's lag sums
    (:func:`.zlp_noise.lag_sums`)."""
    level = 0.5 * height[:, None]
    n = window.shape[1]
    columns = np.arange(n)[None, :]
    below = window < level
    left = np.where(below & (columns < half), columns, -1).max(axis=1)
    right = np.where(below & (columns > half), columns, n).min(axis=1)
    rows = np.arange(window.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        lc = np.clip(left, 0, n - 2)
        y0, y1 = window[rows, lc], window[rows, lc + 1]
        x_left = lc + (level[:, 0] - y0) / (y1 - y0)
        rc = np.clip(right, 1, n - 1)
        y0, y1 = window[rows, rc - 1], window[rows, rc]
        x_right = rc - 1 + (y0 - level[:, 0]) / (y0 - y1)
        weights = crossing_weights(window, rows, lc, rc, level[:, 0], height_weights)
    width = x_right - x_left
    inside = (left >= 0) & (right < n)
    sums = lag_sums(np.nan_to_num(weights, posinf=0.0, neginf=0.0), window)
    return np.where(inside, width, np.nan), np.where(inside[:, None], sums, np.nan)


def widths(y: np.ndarray, peak: np.ndarray, at=None, first=None) -> tuple[np.ndarray, np.ndarray]:
    """FWHM in channels and its noise's lag sums (:func:`_half_max_width`), looking ±32
    channels first and ±256 where that is too narrow."""
    half = int(min(32, y.shape[1] - 1))
    width, variance = _half_max_width(gather(y, peak, half)[0], half, at, first)
    wide = np.flatnonzero(np.isnan(width))
    if len(wide) and y.shape[1] - 1 > half:
        half = int(min(HALF_WINDOW_MAX, y.shape[1] - 1))
        window = gather(y[wide], peak[wide], half)[0]
        width[wide], variance[wide] = _half_max_width(
            window, half, None if at is None else at[wide], None if first is None else first[wide]
        )
    return width, variance


def _sampling_bias(width: np.ndarray, centre: np.ndarray, shape: Shape, subsamples: int):
    """How far the half-maximum width of a top of ``shape``, sampled with its top ``centre``
    channels off a channel and integrated over channels by ``subsamples`` points (1: sampled at
    the channels' middles), reads from its FWHM, as a function of the FWHM (channels, one per
    spectrum; ``width`` sets the range tabulated for many spectra)."""

    def bias(width, centre, reach):
        half = int(min(np.ceil(np.max(width, initial=4.0) / 2) + 3, HALF_WINDOW_MAX))
        model = binned_top(width, centre, half, Shape(shape.kappa, reach), subsamples=subsamples)
        return np.nan_to_num(_half_max_width(model, half, centre)[0] - width)

    return on_grid(bias, width, centre, shape.reach)


def corrected_width(width, centre, found, shape) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The FWHM (channels) whose top reads ``width``, midway between a channel-integrated and a
    point-sampled top (the peak's shape cannot tell them apart: a channel adds 1/12 channel² to a
    Gaussian's variance) and between the top of ``shape`` and the pseudo-Voigt of its Lorentzian
    fraction (seven samples of a narrow top cannot tell a cusp from κ₄u⁴ + κ₆u⁶); the noise's
    gain ``dw/dwidth`` there; and the sum of half of either difference (channels)."""
    integrated, stretch = _corrected(width, centre, found, shape, SUBSAMPLES)
    point, point_stretch = _corrected(width, centre, found, shape, 1)
    top_width = np.where(found, integrated, 4.0)
    top_centre = np.where(found, centre, 0.0)
    to_voigt = stretch * (
        _sampling_bias(top_width, top_centre, shape, SUBSAMPLES)(top_width)
        - _voigt_bias(top_width, top_centre, shape)(top_width)
    )
    return (
        0.5 * (integrated + point + to_voigt),
        0.5 * (stretch + point_stretch),
        0.5 * np.hypot(integrated - point, to_voigt),
    )


def _corrected(width, centre, found, shape, subsamples) -> tuple[np.ndarray, np.ndarray]:
    """Root of ``w + bias(w) = width`` by secant steps (:func:`_sampling_bias`) and ``dw/dwidth``
    there."""
    top_width, top_centre = np.where(found, width, 4.0), np.where(found, centre, 0.0)
    bias = _sampling_bias(top_width, top_centre, shape, subsamples)
    before, residual_before = top_width, bias(top_width)
    after, slope = top_width - residual_before, np.ones_like(top_width)
    for _ in range(_CORRECTION_STEPS):
        residual = after + bias(after) - top_width
        step = after - before
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = (residual - residual_before) / step
        resolved = np.isfinite(secant) & (np.abs(step) > _RESOLVED_STEP)
        slope = np.where(resolved, np.clip(secant, 0.25, 1.5), slope)
        before, residual_before = after, residual
        after = np.maximum(after - residual / slope, 0.5 * top_width)
    return np.where(found, after, np.nan), 1 / slope


def _voigt_bias(width: np.ndarray, centre: np.ndarray, shape: Shape):
    """:func:`_sampling_bias` of a channel-integrated pseudo-Voigt top of the shape's Lorentzian
    fraction (:mod:`.zlp_voigt`)."""

    def bias(width, centre, reach):
        half = int(min(np.ceil(np.max(width, initial=4.0) / 2) + 3, HALF_WINDOW_MAX))
        model = voigt_samples(np.arange(-half, half + 1), centre, width, shape.lorentz)
        return np.nan_to_num(_half_max_width(model, half, centre)[0] - width)

    return on_grid(bias, width, centre, shape.reach)


def shape_spread(width, centre, found, shape) -> np.ndarray:
    """How far the bias of a top of ``shape`` and FWHM ``width`` reads from a Gaussian top's,
    channels (the correction's model uncertainty)."""
    top_width, top_centre = np.where(found, width, 4.0), np.where(found, centre, 0.0)
    gaussian = Shape(np.zeros(2), shape.reach)
    return _sampling_bias(top_width, top_centre, shape, SUBSAMPLES)(top_width) - _sampling_bias(
        top_width, top_centre, gaussian, SUBSAMPLES
    )(top_width)
