"""NMF phase-fraction validation: the 1σ of the fractions on generated scans with known
fractions.

A scan is drawn here, not by the NBD pipeline: 2 or 3 phases, each a radial profile of 3–6
Gaussian rings (radius 20–200 px, width 1.5–8 px) on no background; 12–40 probes go from the
first phase (pure at the first probe) to the last (pure at the last probe), with 3 phases
through an intermediate one pure at a random probe in the middle half. A probe's profile is
Σ f_j P_j with noise of variance P / (dose · r), the azimuthal mean of Poisson counts over a
ring of 2πr pixels (dose 10–1000), clipped at 0. The NMF holds the first and last noisy
profiles fixed as the NBD scan does; the end probes themselves are left out (pure by
definition).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.decomposition import nmf
from insitu_tem.analysis.diffraction.fraction_sigma import fraction_sigma
from validation.stats import Measurement

FIRST_SEED = 12100
FAST = 6
FULL = 200
RADII = np.arange(10.0, 210.0)


def _phase(rng) -> np.ndarray:
    count = int(rng.integers(3, 7))
    centres, widths = rng.uniform(20, 200, count), rng.uniform(1.5, 8.0, count)
    heights = rng.uniform(0.3, 1.0, count)
    return (heights * np.exp(-0.5 * ((RADII[:, None] - centres) / widths) ** 2)).sum(axis=1)


def _fractions(rng, n: int, k: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)
    if k == 2:
        return np.stack([1 - t, t], axis=1)
    middle = t[int(rng.integers(n // 4, 3 * n // 4))]
    rise, fall = np.clip(t / middle, 0, 1), np.clip((t - middle) / (1 - middle), 0, 1)
    return np.stack([1 - rise, fall, rise - fall], axis=1)


def make_scan(seed: int) -> dict:
    """Noisy profiles, true fractions (NMF order: first, last, intermediate) and properties."""
    rng = np.random.default_rng(seed)
    k, n = int(rng.choice([2, 3])), int(rng.integers(12, 41))
    truth = _fractions(rng, n, k)
    clean = truth @ np.stack([_phase(rng) for _ in range(k)])
    dose = 10 ** rng.uniform(1, 3)
    variance = np.maximum(clean, 1e-3 * clean.max()) / (dose * RADII)
    noisy = np.clip(clean + rng.standard_normal(clean.shape) * np.sqrt(variance), 0.0, None)
    return {"profiles": noisy, "truth": truth, "props": {"components": k, "dose": dose}}


def corpus(first_seed: int, scans: int) -> list[Measurement]:
    """Fraction errors against their 1σ, separately for 2 and 3 components."""
    rows: dict[int, list] = {2: [], 3: []}
    covariates: dict[int, dict] = {2: {}, 3: {}}
    for seed in range(first_seed, first_seed + scans):
        scan = make_scan(seed)
        k, profiles = scan["props"]["components"], scan["profiles"]
        result = nmf(profiles, n_components=k, fixed_components=profiles[[0, -1]])
        sigma = fraction_sigma(profiles, result).total[1:-1].ravel()
        error = (result.fractions - scan["truth"])[1:-1].ravel()
        rows[k].append((error, sigma))
        covariates[k].setdefault("dose", []).append(np.full(error.size, scan["props"]["dose"]))
    return [
        Measurement(
            "fractions",
            f"NMF phase fraction, {k} components ({k - 2} free)",
            np.concatenate([r[0] for r in rows[k]] or [np.zeros(0)]),
            np.concatenate([r[1] for r in rows[k]] or [np.zeros(0)]),
            "",
            covariates={key: np.concatenate(v) for key, v in covariates[k].items()},
        )
        for k in (2, 3)
    ]


def run(*, fast: bool) -> list[Measurement]:
    """Both measurements on ``FAST`` or ``FULL`` random scans."""
    return corpus(FIRST_SEED, FAST if fast else FULL)
