"""Pattern-centre validation: the 1σ of the centre the radial profile is taken about (`radial`,
`diffraction` → `centre_sigma_px`) on randomised ring patterns with a known centre.

The generator shares nothing with the centre finder: a square pattern of 96–191 px whose centre
lies up to 10 px off the middle; one to four rings (radius 12 px to 45 % of the pattern, FWHM
1.5–8 px, a detector ellipticity up to 1 %) with a texture that keeps the inversion symmetry
(intensity × 1 + a·cos(m(θ − θ₀)), a ≤ 0.8, m even 2–6) on an amorphous halo; then one of a
direct-beam disk (radius 2–8 px, erf edge 0.3–1 px, 5–100 × the rings), a point-like beam
(Gaussian, 0.6–1.5 px) or a beam stop (a round stop of radius 6–14 px on an arm to the pattern's
edge, given as the mask). Poisson counts at 2–200 per px on the strongest ring. Truth: the
centre.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from insitu_tem.analysis.diffraction.pattern_centre import pattern_centre
from validation.stats import Measurement

FIRST_SEED = 8800
FAST = 60
FULL = 600
BEAMS = ("disk", "point", "stop")


def make_pattern(seed: int):
    """(pattern, mask or None, true centre (row, col) px, beam kind, counts on the rings)."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(96, 192))
    truth = size / 2 + rng.uniform(-10, 10, 2)
    rows, cols = np.indices((size, size)) - truth[:, None, None]
    stretch, turn = 1 + rng.uniform(-0.01, 0.01), rng.uniform(0, np.pi)
    along = rows * np.cos(turn) + cols * np.sin(turn)
    across = -rows * np.sin(turn) + cols * np.cos(turn)
    r = np.hypot(along * stretch, across)
    theta = np.arctan2(rows, cols)
    intensity = 0.3 * np.exp(-r / rng.uniform(10, 40))
    for radius in rng.uniform(12, 0.45 * size, int(rng.integers(1, 5))):
        fwhm = rng.uniform(1.5, 8)
        texture = 1 + rng.uniform(0, 0.8) * np.cos(
            2 * rng.integers(1, 4) * (theta - rng.uniform(0, np.pi))
        )
        intensity += (
            rng.uniform(0.3, 1) * texture * np.exp(-4 * np.log(2) * (r - radius) ** 2 / fwhm**2)
        )
    beam = BEAMS[int(rng.integers(0, 3))]
    distance = np.hypot(rows, cols)
    mask = None
    if beam == "disk":
        edge = rng.uniform(0.3, 1.0)
        intensity += (
            rng.uniform(5, 100)
            * 0.5
            * special.erfc((distance - rng.uniform(2, 8)) / (np.sqrt(2) * edge))
        )
    elif beam == "point":
        width = rng.uniform(0.6, 1.5)
        intensity += rng.uniform(5, 100) * np.exp(-0.5 * (distance / width) ** 2)
    else:
        arm = rng.uniform(0, 2 * np.pi)
        along_arm = rows * np.sin(arm) + cols * np.cos(arm)
        off_arm = np.abs(-rows * np.cos(arm) + cols * np.sin(arm))
        stop = rng.uniform(6, 14)
        mask = (distance <= stop) | ((along_arm > 0) & (off_arm <= 0.4 * stop))
        intensity += 50 * np.exp(-0.5 * (distance / 3) ** 2)
    counts = float(np.exp(rng.uniform(np.log(2), np.log(200))))
    pattern = rng.poisson(intensity * counts).astype(float)
    if mask is not None:
        pattern[mask] = 0.0
    return pattern, mask, truth, beam, counts


def corpus(first_seed: int, patterns: int) -> list[Measurement]:
    """Centre errors against their 1σ, all patterns and per beam kind."""
    errors, sigmas, kinds, doses, missed = [], [], [], [], 0
    for seed in range(first_seed, first_seed + patterns):
        pattern, mask, truth, beam, counts = make_pattern(seed)
        found = pattern_centre(pattern, mask=mask)
        if not found.ok or not np.isfinite(found.sigma_px):
            missed += 1
            continue
        errors.extend(np.subtract(found.centre_rc, truth))
        sigmas.extend([found.sigma_px] * 2)
        kinds.extend([beam] * 2)
        doses.extend([counts] * 2)
    errors, sigmas, kinds = np.array(errors), np.array(sigmas), np.array(kinds)
    name = "pattern centre (`radial`, `diffraction` → `centre_sigma_px`)"
    out = [
        Measurement(
            "centre",
            name,
            errors,
            sigmas,
            "px",
            n_not_measured=missed,
            covariates={"counts_per_px": np.array(doses)},
        )
    ]
    for beam in BEAMS:
        pick = kinds == beam
        out.append(
            Measurement(
                "centre",
                f"{name}, {beam}",
                errors[pick],
                sigmas[pick],
                "px",
                coverage_range=(0.55, 0.80),
            )
        )
    return out


def run(*, fast: bool) -> list[Measurement]:
    """Pattern-centre coverage on ``FAST`` or ``FULL`` random ring patterns."""
    return corpus(FIRST_SEED, FAST if fast else FULL)
