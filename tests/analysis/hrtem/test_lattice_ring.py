"""The broad ring's spacing and 1σ (`lattice_ring.find_ring`) on Gaussian random fields with a
spectral ring at a known |k|."""

from __future__ import annotations

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_ring import find_ring

SIZE, PIXEL_NM = 256, 0.04
STEP = 1 / (SIZE * PIXEL_NM)


def ring_image(k0: float, *, width: float, contrast: float, dose: float, seed: int) -> np.ndarray:
    """Poisson counts of 1 + a random field whose power density is a Gaussian ring at ``k0``."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(SIZE, PIXEL_NM)
    k = np.hypot(f[:, None], f[None, :])
    density = np.exp(-0.5 * ((k - k0) / width) ** 2)
    noise = rng.normal(size=k.shape) + 1j * rng.normal(size=k.shape)
    field = np.fft.ifft2(noise * np.sqrt(density)).real
    return rng.poisson(dose * (1 + contrast * field / field.std())).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ring_between_two_bins_is_placed_within_a_fraction_of_a_bin(seed):
    k0 = 34.5 * STEP
    image = ring_image(k0, width=0.05 * k0, contrast=0.15, dose=1000, seed=seed)
    ring = find_ring(power_spectrum(image, pixel_nm=PIXEL_NM))
    assert ring.ok and ring.reason == ""
    error_k = 1 / ring.d_nm - k0
    assert abs(error_k) < 0.3 * STEP
    assert 0 < ring.sigma_d_nm < 0.02 * ring.d_nm
    assert abs(ring.d_nm - 1 / k0) < 4 * ring.sigma_d_nm


def test_the_1_sigma_grows_as_the_dose_falls():
    k0 = 30.3 * STEP
    sigmas = []
    for dose in (5000, 25):
        rings = [
            find_ring(
                power_spectrum(
                    ring_image(k0, width=0.08 * k0, contrast=0.04, dose=dose, seed=s),
                    pixel_nm=PIXEL_NM,
                )
            )
            for s in range(4)
        ]
        sigmas.append(np.median([r.sigma_d_nm for r in rings if r.ok]))
    assert sigmas[1] > 1.5 * sigmas[0]


def test_white_noise_has_no_ring_and_says_why():
    image = np.random.default_rng(4).poisson(200, (SIZE, SIZE)).astype(float)
    ring = find_ring(power_spectrum(image, pixel_nm=PIXEL_NM))
    assert not ring.ok and ring.reason.startswith("no ring")
    assert np.isnan(ring.d_nm) and np.isnan(ring.sigma_d_nm)
