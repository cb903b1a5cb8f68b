"""Text of a measured value with its 1σ, rounded the way a paper quotes it."""

from __future__ import annotations

import math


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
    decimals = sigma_digits - 1 - math.floor(math.log10(sigma))
    sigma_rounded = round(sigma, decimals)
    if sigma_rounded >= 10 ** (sigma_digits - decimals):
        decimals -= 1
        sigma_rounded = round(sigma, decimals)
    if decimals > 0:
        return f"{value:.{decimals}f} ± {sigma_rounded:.{decimals}f}"
    return f"{round(value, decimals):.0f} ± {sigma_rounded:.0f}"
