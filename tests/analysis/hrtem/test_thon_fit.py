"""The defocus from the Thon rings of a profile, voltage and Cs given (`thon_fit`), and the broad
ring measured with the transfer divided out (`lattice_ring.find_ring(optics=...)`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_ring import find_ring
from insitu_tem.analysis.hrtem.thon_fit import Optics, fit_defocus, transfer, zeros

SIZE, PIXEL_NM = 384, 0.04
OPTICS = Optics(kv=200.0, cs_mm=1.0)
RING_K = 1 / 0.3


def test_wavelength_at_200_kv_is_2_51_pm():
    assert OPTICS.wavelength_nm == pytest.approx(0.0025079, rel=1e-4)


def test_without_cs_the_first_zero_is_where_lambda_defocus_k2_reaches_one():
    optics = Optics(kv=200.0, cs_mm=0.0)
    first = math.sqrt(1 / (optics.wavelength_nm * 150.0))
    k = np.linspace(0.5 * first, 1.2 * first, 200)
    assert zeros(k, 150.0, optics) == 1
    assert transfer(np.array([first]), 150.0, optics)[0] == pytest.approx(0.07**2, rel=1e-6)


def _profile(
    defocus_nm: float | None, seed: int, *, amplitude_contrast: float = 0.07
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ring-median profile (k, P, 1σ of ln P): noise, a k⁻² background and a ring at 1/0.3 nm,
    through the transfer at ``defocus_nm`` (None: no Thon rings, the transfer's mean ½)."""
    rng = np.random.default_rng(seed)
    k = np.arange(10, 150) * 0.03
    signal = k**-2 * (1 + 2 * np.exp(-0.5 * ((k - RING_K) / 0.3) ** 2))
    passed = (
        0.5
        if defocus_nm is None
        else transfer(k, defocus_nm, OPTICS, 4.0, amplitude_contrast=amplitude_contrast)
    )
    sigma = np.full(k.size, 0.05)
    return k, (0.02 + passed * signal) * np.exp(rng.normal(0, sigma)), sigma


@pytest.mark.parametrize("defocus", [150.0, 100.0])
def test_the_defocus_of_a_noisy_thon_profile_is_found_within_its_1_sigma(defocus):
    fit = fit_defocus(*_profile(defocus, 3), OPTICS, ring=(RING_K, 0.3))
    assert fit.significant
    assert abs(fit.defocus_nm - defocus) < max(3 * fit.sigma_nm, 1.0)
    assert fit.sigma_nm < 5.0


@pytest.mark.parametrize("amplitude_contrast", [0.0, 0.15])
def test_the_defocus_is_found_whatever_the_amplitude_contrast(amplitude_contrast):
    """At 40 nm two zeros lie in the range, where the phase asin w moves them: w is fitted with
    the defocus (with w fixed at 0.07 a profile drawn at w = 0.15 fitted no significant defocus,
    its best 12.8 nm)."""
    k, power, sigma = _profile(40.0, 3, amplitude_contrast=amplitude_contrast)
    fit = fit_defocus(k, power, sigma, OPTICS, ring=(RING_K, 0.3))
    assert fit.significant
    assert abs(fit.defocus_nm - 40.0) < max(3 * fit.sigma_nm, 1.0)
    assert abs(fit.amplitude_contrast - amplitude_contrast) <= 0.05


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_profile_without_thon_rings_shows_none(seed):
    k, power, sigma = _profile(None, seed)
    ring = (RING_K, 0.3)
    assert not fit_defocus(k, power, sigma, OPTICS, ring=ring).significant


def phase_contrast_image(defocus_nm: float | None, seed: int) -> np.ndarray:
    """Poisson counts of 1 + a random field (a k⁻²·⁵ background and a ring at 1/0.3 nm) through
    the transfer of a 200 kV objective with Cs 1 mm at ``defocus_nm`` (None: no transfer)."""
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(SIZE, PIXEL_NM)
    k = np.hypot(f[:, None], f[None, :])
    density = np.exp(-0.5 * ((k - RING_K) / 0.3) ** 2) + 0.3 * (k + 0.1) ** -2.5
    if defocus_nm is not None:
        density = density * transfer(k, defocus_nm, OPTICS)
    noise = rng.normal(size=k.shape) + 1j * rng.normal(size=k.shape)
    field = np.fft.ifft2(noise * np.sqrt(density)).real
    return rng.poisson(1000 * (1 + 0.15 * field / field.std())).astype(float)


@pytest.mark.parametrize("seed", [2, 3])
def test_with_the_optics_the_ring_under_thon_rings_is_measured_and_the_defocus_fitted(seed):
    """Without the optics the ring is declined (Thon rings seen); with them, it is placed within
    3σ of 1/k₀ and the defocus within 3σ of the truth."""
    spectrum = power_spectrum(phase_contrast_image(150.0, seed), pixel_nm=PIXEL_NM)
    assert not find_ring(spectrum).ok
    ring = find_ring(spectrum, optics=OPTICS)
    assert ring.ok, ring.reason
    assert abs(ring.d_nm - 1 / RING_K) < 3 * ring.sigma_d_nm
    assert ring.sigma_d_nm < 0.05 * ring.d_nm
    assert abs(ring.defocus_nm - 150.0) < 3 * ring.sigma_defocus_nm + 1.0


@pytest.mark.parametrize("seed", [1, 2])
def test_with_the_optics_a_ring_without_thon_rings_stays_where_it_is_seen(seed):
    """No Thon rings pin the defocus: the ring is where it is seen, its 1σ no smaller than
    without the optics (it carries the unmeasured defocus's transfer)."""
    spectrum = power_spectrum(phase_contrast_image(None, seed), pixel_nm=PIXEL_NM)
    given, without = find_ring(spectrum, optics=OPTICS), find_ring(spectrum)
    assert given.ok and math.isnan(given.defocus_nm)
    assert given.d_nm == pytest.approx(without.d_nm, rel=1e-6)
    assert given.sigma_d_nm >= without.sigma_d_nm
    assert abs(given.d_nm - 1 / RING_K) < 3 * given.sigma_d_nm
