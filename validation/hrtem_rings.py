"""HRTEM broad rings: the spacing d and its 1σ of the strongest ring of a power spectrum
(`lattice` ring, :func:`insitu_tem.analysis.hrtem.lattice_ring.find_ring`) on random images with a
ring at a known position.

The generator shares nothing with the method's model: each image (256–512 px, 0.02–0.1 nm/px) is a
Gaussian random field whose spectral density is a Gaussian ring at k₀ = 1/d₀ (d₀ 2–6 Å, σ 3–15 %
of k₀, at least 1.5 FFT px), angularly textured by 1 + t·cos 2(θ − θ₀) (t 0–0.8), plus a
power-law field (k + k_c)^−α (α 1.5–3.5); both pass the partial-coherence envelopes of the
objective (spatial: defocus ±80 nm, Cs 0.001–1.2 mm, convergence 0.05–0.5 mrad; temporal: focal
spread 2–6 nm; 200 or 300 kV). Contrasts 3–20 % (ring) and 2–30 % (background), then Poisson
counts at 50–2000 e/px. Truth: the maximum in |k| of the ring's expected power density
R(k)·E(k)², d = 1/k. Errors and 1σ are in % of the true d. The method was developed on seeds
9100–9899 (the fast subset is 9100–9179); the full run is the held-out seeds 9900–10299.
"""

from __future__ import annotations

import math

import numpy as np

from insitu_tem.analysis.hrtem.fft_spectrum import power_spectrum
from insitu_tem.analysis.hrtem.lattice_ring import find_ring
from validation.stats import Measurement

FIRST_SEED = 9100
HELD_OUT_SEED = 9900
FAST = 80
FULL = 400


def _wavelength_nm(kv: float) -> float:
    """Relativistic electron wavelength, nm."""
    volts = kv * 1e3
    return 1.2264259 / math.sqrt(volts * (1 + 0.97847e-6 * volts))


def _envelope(k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Spatial × temporal coherence envelope of the objective at |k| (1/nm)."""
    lam = _wavelength_nm(float(rng.choice([200.0, 300.0])))
    defocus, cs = rng.uniform(-80, 80), rng.uniform(0.001, 1.2) * 1e6
    alpha, spread = rng.uniform(0.05, 0.5) * 1e-3, rng.uniform(2, 6)
    gradient = defocus * lam * k + cs * lam**3 * k**3
    return np.exp(
        -((math.pi * alpha / lam * gradient) ** 2) - 0.5 * (math.pi * lam * spread * k**2) ** 2
    )


def _field(density: np.ndarray, rng: np.random.Generator, contrast: float) -> np.ndarray:
    """Real Gaussian random field of spectral ``density`` (unshifted FFT layout), std
    ``contrast``."""
    noise = rng.normal(size=density.shape) + 1j * rng.normal(size=density.shape)
    field = np.fft.ifft2(noise * np.sqrt(density)).real
    return contrast * field / field.std()


def make_image(seed: int) -> tuple[np.ndarray, float, float, dict[str, float]]:
    """The noisy image, its pixel size (nm), the true d (nm) and the case's covariates."""
    rng = np.random.default_rng(seed)
    size = int(rng.choice([256, 384, 512]))
    d0 = rng.uniform(0.2, 0.6)
    pixel = rng.uniform(0.02, min(0.1, 0.35 * d0))
    k0 = 1.0 / d0
    width = max(rng.uniform(0.03, 0.15) * k0, 1.5 / (size * pixel))
    ky = np.fft.fftfreq(size, pixel)[:, None]
    kx = np.fft.fftfreq(size, pixel)[None, :]
    k = np.hypot(ky, kx)
    fine = np.linspace(0.5 * k0, min(1.5 * k0, 0.5 / pixel), 4001)
    envelope_seed = int(rng.integers(2**31))
    envelope = _envelope(k, np.random.default_rng(envelope_seed)) ** 2
    truth = fine[
        np.argmax(
            np.exp(-0.5 * ((fine - k0) / width) ** 2)
            * _envelope(fine, np.random.default_rng(envelope_seed)) ** 2
        )
    ]
    texture, theta0 = rng.uniform(0, 0.8), rng.uniform(0, math.pi)
    angular = 1 + texture * np.cos(2 * (np.arctan2(ky, kx) - theta0))
    ring = np.exp(-0.5 * ((k - k0) / width) ** 2) * angular * envelope
    background = (k + rng.uniform(0.05, 0.3)) ** -rng.uniform(1.5, 3.5) * envelope
    ring_contrast = math.exp(rng.uniform(math.log(0.03), math.log(0.2)))
    image = 1 + _field(ring, rng, ring_contrast)
    image += _field(background, rng, math.exp(rng.uniform(math.log(0.02), math.log(0.3))))
    dose = math.exp(rng.uniform(math.log(50), math.log(2000)))
    counts = rng.poisson(dose * np.clip(image, 0, None)).astype(float)
    covariates = {"dose": dose, "width_percent": 100 * width / k0, "texture": texture}
    return counts, pixel, 1.0 / truth, covariates


def ring_errors(draw, first_seed: int, images: int, keys: tuple[str, ...]):
    """Ring d errors and 1σ (% of d) of ``find_ring`` over ``images`` images drawn by
    ``draw(seed) -> (counts, pixel_nm, d_nm, covariates)``: (errors, sigmas, number
    declined, covariates of the measured images by ``keys``)."""
    errors, sigmas, missed = [], [], 0
    covariates: dict[str, list[float]] = {key: [] for key in keys}
    for seed in range(first_seed, first_seed + images):
        image, pixel, d_true, case = draw(seed)
        ring = find_ring(power_spectrum(image, pixel_nm=pixel))
        if not ring.ok:
            missed += 1
            continue
        errors.append(100 * (ring.d_nm - d_true) / d_true)
        sigmas.append(100 * ring.sigma_d_nm / d_true)
        for key in keys:
            covariates[key].append(case[key])
    arrays = {key: np.array(value) for key, value in covariates.items()}
    return np.array(errors), np.array(sigmas), missed, arrays


def corpus(first_seed: int, images: int) -> Measurement:
    """Ring d errors (% of d) against their 1σ over ``images`` random images."""
    keys = ("dose", "width_percent", "texture")
    errors, sigmas, missed, covariates = ring_errors(make_image, first_seed, images, keys)
    return Measurement(
        "hrtem_rings",
        "broad ring d (`lattice` ring)",
        errors,
        sigmas,
        "%",
        median_max=1.0,
        p95_max=5.0,
        n_not_measured=missed,
        covariates=covariates,
    )


def run(*, fast: bool) -> list[Measurement]:
    """Ring spacings' errors and coverage on ``FAST`` images of the seeds the method was developed
    on, or ``FULL`` held-out images."""
    return [corpus(FIRST_SEED, FAST) if fast else corpus(HELD_OUT_SEED, FULL)]
