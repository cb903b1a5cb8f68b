"""Line scans of abTEM nanobeam patterns with a known descan, for the end-to-end descan check.

Each scan takes one committed abTEM NBD pattern (:mod:`validation.abtem_corpus`; its direct beam
at the array centre) as the first grain and the same pattern turned about the beam by a random
angle as the second; a front at a random position switches from one to the other, blending the
two over 1–3 probe positions (the probe straddling both grains). Every pattern is moved by the
descan (quadratic in position, up to ±6 px, Fourier shift) and drawn again with Poisson counts
at 1e4–1e7 electrons per pattern. Truth: the descan at every position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class DescanScan:
    """One generated scan: patterns (n, rows, cols), positions (n,), true centres (n, 2) px,
    and the properties the coverage is broken down by."""

    patterns: np.ndarray
    position: np.ndarray
    truth_rc: np.ndarray
    alpha_mrad: float
    electrons: float
    overlap: float


def _shifted(pattern: np.ndarray, shift_rc) -> np.ndarray:
    moved = np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(pattern), shift_rc)).real
    return np.clip(moved, 0.0, None)


def make_scan(pattern, truth: dict, seed: int) -> DescanScan:
    """A scan of 10–60 positions built from one abTEM pattern and its truth."""
    rng = np.random.default_rng(seed)
    mean = np.asarray(pattern, dtype=float) / truth["case"]["electrons"]
    turned = ndimage.rotate(mean, rng.uniform(15, 345), reshape=False, order=3, mode="constant")
    grains = (mean, np.clip(turned, 0.0, None))
    n = int(rng.integers(10, 61))
    position = np.arange(n) * rng.uniform(0.5, 20)
    u = position / position[-1]
    coefficients = rng.uniform(-6, 6, (2, 2))
    descan = np.outer(u - 0.5, coefficients[0]) + np.outer((u - 0.5) ** 2, coefficients[1])
    front, blend = rng.uniform(0.15, 0.85) * n, rng.uniform(1, 3)
    weight = np.clip((np.arange(n) - front) / blend + 0.5, 0, 1)
    electrons = float(np.exp(rng.uniform(np.log(1e4), np.log(1e7))))
    patterns = np.empty((n,) + mean.shape, np.float32)
    for i in range(n):
        blended = (1 - weight[i]) * grains[0] + weight[i] * grains[1]
        patterns[i] = rng.poisson(_shifted(blended, descan[i]) * electrons)
    g_px = np.hypot(*np.asarray(truth["g_rc_per_A"]).T) * 10.0 / truth["scale_per_nm"]
    return DescanScan(
        patterns,
        position,
        np.asarray(truth["centre_rc"], float) + descan,
        float(truth["case"]["alpha_mrad"]),
        electrons,
        float(2 * truth["disk_radius_px"] / g_px.min()),
    )
