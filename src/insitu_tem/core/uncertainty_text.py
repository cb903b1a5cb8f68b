"""Text of a measured value with its 1σ, rounded the way a paper quotes it."""

from __future__ import annotations

import math


RELATIVE_FLOOR = 1e-7
"""A σ below this fraction of the value is no digit anyone reads: the value is written to six
significant digits and σ apart (``1 ± 8.1e-13``), not to thirteen decimals."""
SCIENTIFIC_BELOW, SCIENTIFIC_FROM = -5, 9
"""Magnitudes 10⁻⁵ and below or 10⁹ and above share a power of ten: ``(8.31 ± 0.42) × 10¹⁰``
(counts up to a billion stay whole numbers)."""
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def value_with_sigma(value: float, sigma: float, *, sigma_digits: int = 2) -> str:
    """``"value ± sigma"`` with σ to ``sigma_digits`` significant digits and the value to the
    same decimal place (e.g. ``-72.66, 4.71`` → ``"-72.7 ± 4.7"``).

    Parameters
    ----------
    value, sigma : float
        The value and its 1σ uncertainty, in the same units.
    sigma_digits : int
        Significant digits kept in σ.

    Returns
    -------
    str
        The value alone to four significant digits when σ is 0 (a fixed or exact value), followed
        by ``"± ?"`` when σ is not finite or negative; a non-finite value is written as it is.
        Magnitudes from 10⁹ or up to 10⁻⁵ share a power of ten (``(8.31 ± 0.42) × 10¹⁰``); a σ
        below 10⁻⁷ of the value is written apart (``1 ± 8.1e-13``).

    References
    ----------
    JCGM 100:2008 (GUM), section 7.2.6: an uncertainty is quoted to at most two significant
    digits and the value is rounded to match.
    """
    if not math.isfinite(value):
        return f"{value} ± {sigma:.2g}"
    if sigma == 0:
        return f"{value:.4g}"
    if not (math.isfinite(sigma) and sigma > 0):
        return f"{value:.4g} ± ?"
    if sigma < RELATIVE_FLOOR * abs(value):
        return f"{value:.6g} ± {sigma:.{sigma_digits}g}"
    exponent = math.floor(math.log10(max(abs(value), sigma)))
    if not SCIENTIFIC_BELOW < exponent < SCIENTIFIC_FROM:
        scale = 10.0**exponent
        scaled = value_with_sigma(value / scale, sigma / scale, sigma_digits=sigma_digits)
        return f"({scaled}) × 10{str(exponent).translate(_SUPERSCRIPTS)}"
    decimals = sigma_digits - 1 - math.floor(math.log10(sigma))
    sigma_rounded = round(sigma, decimals)
    if sigma_rounded >= 10 ** (sigma_digits - decimals):
        decimals -= 1
        sigma_rounded = round(sigma, decimals)
    if decimals > 0:
        return f"{value:.{decimals}f} ± {sigma_rounded:.{decimals}f}"
    return f"{round(value, decimals):.0f} ± {sigma_rounded:.0f}"


SI_PREFIXES = {-24: "y", -21: "z", -18: "a", -15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", 0: ""}
SI_PREFIXES |= {3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E", 21: "Z", 24: "Y"}


def si_scale(size: float) -> tuple[float, str]:
    """The factor and SI prefix that bring ``size`` (> 0) into [1, 1000): ``9.9e-14`` →
    ``(1e15, "f")``; ``(1.0, "")`` for 0 or a value that is not finite."""
    if not (math.isfinite(size) and size > 0):
        return 1.0, ""
    power = min(max(3 * math.floor(math.log10(size) / 3), -24), 24)
    return 10.0**-power, SI_PREFIXES[power]


def si_value(value: float, unit: str, *, digits: int = 3) -> str:
    """``value`` in ``unit`` with the SI prefix of its size, to ``digits`` significant digits:
    ``-8.17e-14, "A"`` → ``"-81.7 fA"``."""
    rounded = float(f"{value:.{digits}g}") if math.isfinite(value) else value
    factor, prefix = si_scale(abs(rounded))
    return f"{rounded * factor:.{digits}g} {prefix}{unit}"


def si_value_with_sigma(value: float, sigma: float, unit: str) -> str:
    """``"-99 ± 55 fC"`` for ``-9.874e-14, 5.5e-14, "C"``: value and σ scaled by the SI prefix
    of the larger of ``|value|`` and σ, σ to two significant digits and the value to match
    (:func:`value_with_sigma`).

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
    factor, prefix = si_scale(max(sizes, default=0.0))
    return f"{value_with_sigma(value * factor, sigma * factor)} {prefix}{unit}"
