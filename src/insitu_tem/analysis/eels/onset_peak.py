"""The steepest rise of a spectrum: the maximum of its smoothed derivative, located to
sub-channel precision, with what the onset's uncertainty and its found test need (the peak's
curvature over its top, its three samples and the highest rival maximum); see
:mod:`.onsets` for the definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.core.model import Axis
from insitu_tem.analysis.eels._common import parabola_vertex, smooth


@dataclass(frozen=True)
class DerivativePeak:
    """The derivative maximum of every spectrum: channel, vertex, samples, validity, and the
    curvature (per channel²) at the top of a Gaussian fitted over the peak above half its height,
    and
    the highest other local maximum of the derivative in the search range (-inf if none)."""

    index: np.ndarray
    offset: np.ndarray
    samples: np.ndarray
    interior: np.ndarray
    energy_eV: np.ndarray
    curvature: np.ndarray
    rival: np.ndarray


def derivative_peak(
    signal: np.ndarray, energy: Axis, region: slice, smooth_eV: float
) -> DerivativePeak:
    """Maximum of the derivative of ``signal`` (n_spectra, n_channels) smoothed by ``smooth_eV``
    within ``region`` (channels), for every spectrum; computed on the channels within the
    region's width (and the smoothing's reach) of it."""
    sigma = smooth_eV / energy.scale
    pad = int(4.0 * max(sigma, 0.0) + 0.5) + 3 + (region.stop - region.start)
    low, high = max(region.start - pad, 0), min(region.stop + pad, energy.size)
    derivative = np.gradient(smooth(signal[:, low:high], sigma), energy.scale, axis=1)
    local = slice(region.start - low, region.stop - low)
    index = np.argmax(derivative[:, local], axis=1) + local.start
    rows = np.arange(len(index))
    inner = np.clip(index, 1, derivative.shape[1] - 2)
    samples = np.stack([derivative[rows, inner + k] for k in (-1, 0, 1)], axis=1)
    offset, _ = parabola_vertex(*samples.T)
    interior = (index > local.start) & (index < local.stop - 1)
    return DerivativePeak(
        low + inner,
        offset,
        samples,
        interior,
        energy.to_value(low) + (inner + offset) * energy.scale,
        _top_curvature(derivative, inner),
        _rival(derivative, local, inner),
    )


def _rival(derivative: np.ndarray, region: slice, index: np.ndarray) -> np.ndarray:
    """Highest local maximum of the derivative in ``region`` other than the one at ``index``."""
    part = derivative[:, region]
    peaks = np.zeros(part.shape, bool)
    peaks[:, 1:-1] = (part[:, 1:-1] > part[:, :-2]) & (part[:, 1:-1] >= part[:, 2:])
    columns = np.arange(region.start, region.stop)[None, :]
    peaks &= np.abs(columns - index[:, None]) > 1
    return np.where(peaks, part, -np.inf).max(axis=1)


def _top_curvature(derivative: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Curvature (per channel²) at the top of a Gaussian fitted (a parabola in its logarithm) to
    the derivative over the contiguous channels above half its maximum (at least the maximum ± 2).

    The derivative of an edge broadened by a Gaussian resolution is a Gaussian peak. Three
    samples are not enough on a broad peak: their second difference is then mostly noise, which
    overstates the curvature and understates the onset's scatter.
    """
    rows = np.arange(len(index))
    top = derivative[rows, index]
    columns = np.arange(derivative.shape[1])[None, :]
    low = derivative < 0.5 * top[:, None]
    left = np.where(low & (columns < index[:, None]), columns, -1).max(axis=1) + 1
    right = np.where(low & (columns > index[:, None]), columns, derivative.shape[1]).min(axis=1)
    left = np.clip(np.minimum(left, index - 2), 0, None)
    right = np.clip(np.maximum(right, index + 3), None, derivative.shape[1])
    t = (columns - index[:, None]).astype(float)
    mask = (columns >= left[:, None]) & (columns < right[:, None]) & (derivative > 0)
    logs = np.log(np.where(mask, derivative, 1.0))
    moments = [np.where(mask, t**k, 0.0).sum(axis=1) for k in range(5)]
    values = [np.where(mask, logs * t**k, 0.0).sum(axis=1) for k in range(3)]
    normal = np.stack(
        [np.stack([moments[i + j] for j in range(3)], axis=-1) for i in range(3)], axis=-2
    )
    solved = np.einsum("nij,nj->ni", np.linalg.pinv(normal), np.stack(values, axis=-1))
    return np.where(mask.sum(axis=1) >= 3, 2.0 * solved[:, 2] * top, np.nan)
