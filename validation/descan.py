"""NBD descan validation: the 1σ of the fitted direct-beam centre along a scan (`nbd` →
`centre_sigma_px`) on randomised descans with known truth.

The generator draws a scan of 10–120 positions, a smooth descan (quadratic in position, up to
±15 px over the scan) and measured centres scattered about it by 0.02–1 px (white), with a few
gross misses (2 % chance, 2–10 px) that the polynomial fit must absorb. Truth: the noise-free
descan at every position. Only the propagation of the centres' scatter through the fit is
checked here; the centre finder's own accuracy is the `nbd` family's.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.descan import fit_descan
from validation.stats import Measurement

FIRST_SEED = 3300
FAST = 100
FULL = 1000


def corpus(first_seed: int, scans: int) -> Measurement:
    """Fitted-centre errors against their 1σ at every fifth position of ``scans`` scans."""
    errors, sigmas = [], []
    for seed in range(first_seed, first_seed + scans):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(10, 121))
        position = np.arange(n) * rng.uniform(0.5, 20)
        u = position / position[-1]
        coefficients = rng.uniform(-15, 15, (3, 2)) * [[8.0], [1.0], [1.0]] + [[128.0], [0], [0]]
        truth = coefficients[0] + np.outer(u, coefficients[1]) + np.outer(u**2, coefficients[2])
        scatter = rng.uniform(0.02, 1.0)
        measured = truth + rng.normal(0, scatter, truth.shape)
        gross = rng.random(n) < 0.02
        measured[gross] += rng.uniform(2, 10, (int(gross.sum()), 2)) * rng.choice([-1, 1], 2)
        fit = fit_descan(position, measured, degree=2)
        every = slice(int(rng.integers(0, 5)), None, 5)
        errors.append((fit.fitted_rc - truth)[every].ravel())
        sigmas.append(fit.sigma_rc[every].ravel())
    return Measurement(
        "descan",
        "NBD fitted centre along the scan (`nbd` → `centre_sigma_px`)",
        np.concatenate(errors),
        np.concatenate(sigmas),
        "px",
    )


def run(*, fast: bool) -> list[Measurement]:
    """Fitted-centre coverage on ``FAST`` or ``FULL`` random descans."""
    return [corpus(FIRST_SEED, FAST if fast else FULL)]
