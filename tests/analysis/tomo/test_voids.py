"""The shell's void fraction from its density is never negative: within its noise of zero it is
0 with its 1σ; a shell denser than its median (inclusions, or no shell at all) is not measured and
says why (session 29: an interplanetary dust particle read −14.3 ± 1.6 %)."""

import numpy as np
import pytest

from insitu_tem.analysis.tomo.voids import void_fraction_from_density

SHAPE = (48, 24, 48)


def _wire(*, dense_fraction: float, seed: int):
    z, y, x = np.indices(SHAPE)
    radius = np.hypot(z - 23.5, x - 23.5)
    wire = radius < 18
    shell = wire & (radius >= 8)
    rng = np.random.default_rng(seed)
    volume = np.where(wire, 1.0, 0.0) + rng.normal(0.0, 0.05, SHAPE)
    volume[shell & (rng.random(SHAPE) < dense_fraction)] += 2.0
    return volume, shell, wire


def test_dense_inclusions_are_not_read_as_negative_voids():
    result = void_fraction_from_density(*_wire(dense_fraction=0.1, seed=0))
    assert np.isnan(result.fraction) and np.isnan(result.sigma)
    assert "denser material" in result.reason


@pytest.mark.parametrize("seed", range(6))
def test_a_shell_without_voids_reads_zero_or_more(seed):
    result = void_fraction_from_density(*_wire(dense_fraction=0.0, seed=seed))
    assert result.reason == "" and result.sigma > 0
    assert 0.0 <= result.fraction <= 2 * result.sigma
