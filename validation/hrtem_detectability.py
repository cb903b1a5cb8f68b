"""How often an ideal detector reports a reflection of a given local SNR (session 15).

The hrtem rows require every reflection of *expected* local SNR ≥ 5 to be reported. The best a
detector can do at a stated false-spot rate α per image is to test the power of the windowed
transform at the reflection's known node, ``|F(g)|²`` over the speckle's mean power m: for speckle
it is exponential (``P(x > t) = e^(−t)``), so over K tested nodes the level is ``T = ln(K / α)``;
with a reflection of peak power s it is ``|√s + z|²``, z circular Gaussian of unit power, and
``2x`` is non-central χ² with 2 degrees of freedom and non-centrality ``2s/m``. The local SNR is
the noise-free 3×3-summed excess E over the standard deviation of the 3×3-summed speckle,
``c m`` with ``c = 3 + 16/9 + 1/18 = 4.83`` for the Hann window's correlated bins (amplitude
correlation −2/3 and 1/6 one and two bins apart); a point reflection puts ``E = η s`` in its best
3×3 sum, η = 2.10–2.18 over its sub-pixel position (averaged here over a 6 × 6 grid of offsets).
So ``s / m = SNR c / η``. The speckle is taken white; nothing here is fitted.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

SUMMED_SD = 3.0 + 16.0 / 9.0 + 1.0 / 18.0
FALSE_SPOTS = 0.01
_SAMPLES = 64


def _bin_power(offset: float) -> np.ndarray:
    n = np.arange(_SAMPLES)
    hann = np.hanning(_SAMPLES + 2)[1:-1]
    bins = np.arange(-3, 4)[:, None]
    amplitude = np.sum(hann * np.exp(-2j * np.pi * (bins - offset) * n / _SAMPLES), axis=1)
    return np.abs(amplitude) ** 2 / np.sum(hann) ** 2


def _captured(row_offset: float, col_offset: float) -> float:
    rows, cols = _bin_power(row_offset), _bin_power(col_offset)
    return max(
        rows[a - 1 : a + 2].sum() * cols[b - 1 : b + 2].sum()
        for a in range(1, 6)
        for b in range(1, 6)
    )


_OFFSETS = np.linspace(-0.5, 0.5, 6)
CAPTURED = np.array([_captured(r, c) for r in _OFFSETS for c in _OFFSETS])


def detection_probability(snr: float, nodes: int, *, false_spots: float = FALSE_SPOTS) -> float:
    """Probability that the ideal node test (module docstring) at ``false_spots`` per image over
    ``nodes`` tested nodes reports a reflection of expected local SNR ``snr``."""
    level = math.log(max(nodes, 1) / false_spots)
    peak = snr * SUMMED_SD / CAPTURED
    return float(np.mean(stats.ncx2.sf(2.0 * level, 2, 2.0 * peak)))


def tested_nodes(truth, shape) -> int:
    """Nodes a lattice test examines in one image: the zone reflections of one half plane inside
    0.95 Nyquist and beyond 3 FFT px, doubled for the half nodes."""
    g = np.asarray(truth["g_rc_per_A"]).reshape(-1, 2)
    radius = np.hypot(*(g * truth["pixel_A"] * np.asarray(shape)).T)
    half = (g[:, 0] < 0) | ((g[:, 0] == 0) & (g[:, 1] > 0))
    inside = np.all(np.abs(g) * truth["pixel_A"] < 0.475, axis=1)
    return int(2 * np.sum(half & inside & (radius > 3)))
