"""A measured value with its 1σ in an SI-prefixed unit, as a readout line shows it."""

from __future__ import annotations

import math

import pyqtgraph as pg

from insitu_tem.core.uncertainty_text import value_with_sigma


def si_value_with_sigma(value: float, sigma: float, unit: str) -> str:
    """``"-99 ± 55 fC"`` for ``-9.874e-14, 5.5e-14, "C"``: value and σ scaled by the SI prefix
    of the larger of ``|value|`` and σ, σ to two significant digits and the value to match.

    Parameters
    ----------
    value, sigma : float
        The value and its 1σ, in ``unit`` (e.g. coulombs).
    unit : str
        The unit without prefix, e.g. ``"C"``.

    Returns
    -------
    str
        ``"<value> ± <sigma> <prefix><unit>"`` (no prefix when both are 0 or not finite).
    """
    sizes = [abs(v) for v in (value, sigma) if math.isfinite(v)]
    factor, prefix = pg.siScale(max(sizes)) if sizes and max(sizes) > 0 else (1.0, "")
    return f"{value_with_sigma(value * factor, sigma * factor)} {prefix}{unit}"
