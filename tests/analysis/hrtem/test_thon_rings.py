"""The broad ring is declined, with the transfer zeros in the reason, when the power spectrum
carries Thon rings (`thon_rings.find_thon_rings` inside `lattice_ring.find_ring`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_ring import find_ring

SIZE, PIXEL_NM = 384, 0.04
WAVELENGTH_NM = 0.0025079


def phase_contrast_image(*, defocus_nm: float, seed: int) -> np.ndarray:
    """Poisson counts of 1 + a random field (power-law background and a ring at 1/0.3 nm) seen
    through sin²χ of a 200 kV objective with C_s = 1 mm."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(SIZE, PIXEL_NM)
    k = np.hypot(f[:, None], f[None, :])
    chi = (
        math.pi * WAVELENGTH_NM * defocus_nm * k**2 + 0.5 * math.pi * 1e6 * WAVELENGTH_NM**3 * k**4
    )
    density = (np.exp(-0.5 * ((k - 1 / 0.3) / 0.3) ** 2) + 0.3 * (k + 0.1) ** -2.5) * np.sin(
        chi
    ) ** 2
    noise = rng.normal(size=k.shape) + 1j * rng.normal(size=k.shape)
    field = np.fft.ifft2(noise * np.sqrt(density)).real
    return rng.poisson(1000 * (1 + 0.15 * field / field.std())).astype(float)


@pytest.mark.parametrize("seed", [1, 2])
def test_thon_rings_decline_the_ring_and_say_where_the_zeros_are(seed):
    ring = find_ring(
        power_spectrum(phase_contrast_image(defocus_nm=-150, seed=seed), pixel_nm=PIXEL_NM)
    )
    assert not ring.ok
    assert ring.reason.startswith("Thon rings (transfer zeros at k = ")
    assert np.isnan(ring.d_nm)
    first_zero = math.sqrt(1 / (WAVELENGTH_NM * 150))
    zeros = [float(x) for x in ring.reason.split("k = ")[1].split(" 1/nm")[0].split(", ")]
    assert any(abs(z - first_zero) < 0.1 for z in zeros)
    defocus = float(ring.reason.split("≈ ")[1].split(" nm")[0])
    assert 120 < defocus < 180
