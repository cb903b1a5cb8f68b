"""The most-exposed pixel's cumulative count: unbiased where the largest noisy pixel is not, and
a 1σ that covers its error."""

import numpy as np
import pytest

from insitu_tem.analysis.timeline.dose_peak import peak_counts


def probe(size: int, width: float, top: float) -> np.ndarray:
    rows, cols = np.mgrid[:size, :size] - size / 2 + 0.3
    return top * np.exp(-0.5 * (rows**2 + cols**2) / width**2)


def test_an_even_beam_reads_its_level_not_the_largest_noisy_pixel():
    rng = np.random.default_rng(3)
    expected = np.full((96, 96), 400.0)
    counts = 4.0 * rng.poisson(expected)
    peak, sigma = peak_counts(counts, counts_per_electron=4.0)
    assert counts.max() / 4.0 > 400 + 4 * np.sqrt(400)
    assert peak / 4.0 == pytest.approx(400, abs=3 * sigma / 4.0) and sigma / 4.0 < 5.0


@pytest.mark.parametrize("width", [3.0, 12.0])
def test_a_probe_peak_is_covered_by_its_one_sigma(width):
    rng = np.random.default_rng(int(width))
    expected = probe(80, width, 900.0)
    z = []
    for _ in range(60):
        peak, sigma = peak_counts(rng.poisson(expected), counts_per_electron=1.0)
        z.append((peak - expected.max()) / sigma)
    z = np.abs(np.asarray(z))
    assert 0.5 <= np.mean(z <= 1) <= 0.85 and np.mean(z <= 2) >= 0.85


def test_a_single_bright_pixel_keeps_its_count():
    counts = np.full((8, 8), 10.0)
    counts[2, 3] = 410.0
    assert peak_counts(counts, counts_per_electron=5.0) == pytest.approx((410.0, np.sqrt(2050.0)))
