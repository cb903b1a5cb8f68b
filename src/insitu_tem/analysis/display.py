"""Display helpers that are pure numbers: contrast levels, scale-bar lengths."""

from __future__ import annotations

import math

import numpy as np

_MAX_SAMPLES = 262_144


def percentile_levels(image, *, low: float = 0.5, high: float = 99.5) -> tuple[float, float]:
    """Display levels from percentiles of the finite pixels.

    Parameters
    ----------
    image : array_like
        Frame of any real dtype (complex: modulus). Large frames are sub-sampled
        on a regular grid.
    low, high : float
        Percentiles (0-100) mapped to black and white.

    Returns
    -------
    tuple of float
        (black, white); white > black even for a constant frame.
    """
    data = np.asarray(image)
    if np.iscomplexobj(data):
        data = np.abs(data)
    step = max(1, int(math.sqrt(data.size / _MAX_SAMPLES)))
    sample = data[..., ::step, ::step] if data.ndim >= 2 else data[::step]
    sample = (
        sample[np.isfinite(sample)] if np.issubdtype(sample.dtype, np.floating) else sample.ravel()
    )
    if sample.size == 0:
        return 0.0, 1.0
    black, white = (float(v) for v in np.percentile(sample, [low, high]))
    if not white > black:
        white = black + 1.0
    return black, white


def nice_length(field: float, *, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ) near ``fraction`` of ``field``.

    Parameters
    ----------
    field : float
        Width of the view, in calibrated units.
    fraction : float
        Target bar length as a fraction of the field.
    """
    if not (math.isfinite(field) and field > 0):
        raise ValueError(f"field width must be positive, got {field!r}")
    target = field * fraction
    exponent = math.floor(math.log10(target))
    best = 1.0
    for mantissa in (1.0, 2.0, 5.0, 10.0):
        if mantissa * 10**exponent <= target * 1.5:
            best = mantissa
    return best * 10**exponent


def format_length(value: float, units: str) -> str:
    """Label for a scale bar: '20 nm', '0.5 nm', '2 1/nm'; nm ≥ 1000 shown in µm."""
    if units == "nm" and value >= 1000:
        return f"{value / 1000:g} µm"
    return f"{value:g} {units}"
