"""A pseudo-Voigt top for the ZLP's FWHM 1σ (:mod:`.zlp_sigma`): its Lorentzian fraction read
from the log fit's residuals, and how far its half-maximum crossings read from its FWHM.

The even departure ``κ₄u⁴ + κ₆u⁶`` of :mod:`.zlp_sigma` follows a smooth top but not the cusp
of a Lorentzian admixture, which on a peak of 1.5–2 channels the parabola's seven samples see as
a few per cent of width. A pseudo-Voigt ``(1 − η)·G + η·L`` of the measured FWHM, integrated over
the channels exactly (erf and arctan), is a second shape model the residuals can choose: η is
the fraction whose own log-parabola residuals (same samples and weights) match the measured ones
best, by weighted least squares over all spectra (weights the counts, ``var log y ∝ 1/y``).

References
----------
G. K. Wertheim, M. A. Butler, K. W. West & D. N. E. Buchanan, "Determination of the Gaussian
and Lorentzian content of experimental line shapes", Rev. Sci. Instrum. 45, 1369 (1974).
"""

from __future__ import annotations

import numpy as np
from insitu_tem.analysis.eels.erf import erf

_FRACTIONS = np.linspace(0.0, 1.0, 21)


def voigt_samples(x, centre, width, fraction: float, *, integrated: bool = True) -> np.ndarray:
    """Pseudo-Voigt of unit height, FWHM ``width`` and Lorentzian ``fraction``, centred ``centre``
    (channels, one per row), integrated over the channels ``x ± 0.5`` (or sampled at ``x``),
    per unit channel."""
    x = np.asarray(x, np.float64)
    u = x - np.asarray(centre, np.float64)[:, None]
    w = np.asarray(width, np.float64)[:, None]
    a = 2 * np.sqrt(np.log(2)) / w
    if not integrated:
        return (1 - fraction) * np.exp(-((a * u) ** 2)) + fraction / (1 + (2 * u / w) ** 2)
    gauss = np.sqrt(np.pi) / (2 * a) * (erf(a * (u + 0.5)) - erf(a * (u - 0.5)))
    lorentz = 0.5 * w * (np.arctan(2 * (u + 0.5) / w) - np.arctan(2 * (u - 0.5) / w))
    return (1 - fraction) * gauss + fraction * lorentz


def lorentz_fraction(residual_of, x, used, counts, residual, centre, width) -> float:
    """η of the pseudo-Voigt whose log-parabola residuals best match ``residual``.

    ``residual_of(log_values, weights)`` is the log fit's residual for those weights, ``x`` the
    samples' offsets (channels, per row), ``used`` the samples the fit used, ``counts`` their
    counts, ``centre`` and ``width`` the measured centre and half-maximum width (channels).
    Grid of 21 fractions in [0, 1], refined by a parabola through the three best.
    """
    usable = np.isfinite(centre) & np.isfinite(width) & (width > 0)
    if not usable.any():
        return 0.0
    x, used, counts, residual = x[usable], used[usable], counts[usable], residual[usable]
    omega = np.where(used, counts, 0.0)
    cost = []
    for fraction in _FRACTIONS:
        model = np.clip(voigt_samples(x, centre[usable], width[usable], fraction), 1e-300, None)
        weights = np.where(used, model * model, 0.0)
        misfit = residual - residual_of(np.log(model), weights)
        cost.append(float(np.sum(omega * np.where(used, misfit, 0.0) ** 2)))
    best = int(np.clip(np.argmin(cost), 1, len(cost) - 2))
    left, mid, right = cost[best - 1 : best + 2]
    curvature = left - 2 * mid + right
    step = 0.5 * (left - right) / curvature if curvature > 0 else 0.0
    return float(np.clip(_FRACTIONS[best] + np.clip(step, -1, 1) * _FRACTIONS[1], 0.0, 1.0))
