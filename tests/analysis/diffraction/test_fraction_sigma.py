"""The 1σ of NMF phase fractions covers ~68 % of the errors on generated mixtures of known
fractions (end members fixed to the noisy first and last profiles, as the NBD scan does)."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.decomposition import nmf
from insitu_tem.analysis.diffraction.fraction_sigma import fraction_sigma


def _pure(rng, r):
    centres, widths = rng.uniform(20, 200, 6), rng.uniform(1.5, 8.0, 6)
    heights = rng.uniform(0.3, 1.0, 6)
    return (heights * np.exp(-0.5 * ((r[:, None] - centres) / widths) ** 2)).sum(axis=1)


def _fractions(rng, n: int, k: int) -> np.ndarray:
    """(n, k): first end member -> last along the scan; with k = 3 an intermediate phase
    (the free component, listed last) pure at a random probe."""
    t = np.linspace(0.0, 1.0, n)
    if k == 2:
        return np.stack([1 - t, t], axis=1)
    middle = int(rng.integers(n // 4, 3 * n // 4))
    rise, fall = np.clip(t / t[middle], 0, 1), np.clip((t - t[middle]) / (1 - t[middle]), 0, 1)
    return np.stack([1 - rise, fall, rise - fall], axis=1)


def _coverage(rng, k: int, cases: int) -> np.ndarray:
    r = np.arange(10.0, 210.0)
    z = []
    for _ in range(cases):
        truth = _fractions(rng, int(rng.integers(12, 30)), k)
        clean = truth @ np.stack([_pure(rng, r) for _ in range(k)])
        variance = np.maximum(clean, 1e-3 * clean.max()) / (10 ** rng.uniform(1, 3) * r)
        noisy = np.clip(clean + rng.normal(size=clean.shape) * np.sqrt(variance), 0.0, None)
        result = nmf(noisy, n_components=k, fixed_components=noisy[[0, -1]])
        sigma = fraction_sigma(noisy, result, restarts=2, max_iter=600).total
        z.append((np.abs(result.fractions - truth) / sigma)[1:-1].ravel())
    return np.concatenate(z)


@pytest.mark.parametrize("k, cases", [(2, 25), (3, 8)])
def test_fraction_sigma_covers_about_68_percent(k, cases):
    z = _coverage(np.random.default_rng(3), k, cases)
    assert 0.5 <= np.mean(z <= 1.0) <= 0.85 and np.mean(z <= 2.0) >= 0.7


def test_fixed_components_only_have_no_ambiguity_term():
    rng = np.random.default_rng(0)
    profiles = rng.uniform(0.5, 1.5, (6, 40))
    result = nmf(profiles, n_components=2, fixed_components=profiles[[0, -1]])
    sigma = fraction_sigma(profiles, result)
    assert np.all(sigma.systematic == 0) and np.all(sigma.statistical[1:-1] > 0)
    assert sigma.total == pytest.approx(sigma.statistical)
