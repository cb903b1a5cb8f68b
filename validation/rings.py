"""Ring validation: the 1σ of ring positions q = 1/d from radial profiles (`diffraction`, `nbd`
ring peaks) on randomised profiles with known rings.

The generator shares nothing with the peak finder: a profile on a q grid of 0.002–0.01 1/Å is
a decaying background (exponential of scale 0.2–0.6 1/Å plus a floor) with one to four Gaussian
rings (FWHM 2.5 bins–0.08 1/Å, heights 1.5–300 % of the background at the ring, at least
0.1 1/Å apart), averaged over 2πq/Δq × (0.5–5) pixels of Poisson counts. Truth: the rings' q.
A found ring is matched to the nearest true ring within 0.02 1/Å. Camera-length calibration is
not part of the test (it scales every ring alike and is not in the 1σ).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.diffraction.ring_peaks import find_ring_peaks
from validation.stats import Measurement

FIRST_SEED = 6400
FAST = 80
FULL = 800


def make_profile(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """q (1/Å), the noisy profile, the rings' q and their FWHM in bins."""
    rng = np.random.default_rng(seed)
    dq = rng.uniform(0.002, 0.01)
    q = np.arange(0.05, 1.3, dq)
    background = rng.uniform(50, 500) * np.exp(-q / rng.uniform(0.2, 0.6)) + rng.uniform(1, 20)
    rings = np.sort(rng.uniform(0.3, 1.1, int(rng.integers(1, 5))))
    rings = rings[np.concatenate([[True], np.diff(rings) >= 0.1])]
    profile, widths = background.copy(), []
    for ring in rings:
        fwhm = rng.uniform(max(0.005, 2.5 * dq), 0.08)
        height = rng.uniform(0.05, 1) * rng.uniform(0.3, 3) * np.interp(ring, q, background)
        profile += height * np.exp(-0.5 * ((q - ring) / (fwhm / np.sqrt(8 * np.log(2)))) ** 2)
        widths.append(fwhm / dq)
    pixels = np.clip(2 * np.pi * q / dq * rng.uniform(0.5, 5), 1, None)
    return q, rng.poisson(profile * pixels) / pixels, rings, np.array(widths)


def corpus(first_seed: int, profiles: int) -> Measurement:
    """Ring q errors against their 1σ over ``profiles`` profiles."""
    errors, sigmas, widths, missed = [], [], [], 0
    for seed in range(first_seed, first_seed + profiles):
        q, profile, rings, fwhm_bins = make_profile(seed)
        found = find_ring_peaks(q, profile).rings
        matched = 0
        for ring in found:
            nearest = int(np.argmin(np.abs(rings - ring.q_per_A)))
            if abs(rings[nearest] - ring.q_per_A) < 0.02:
                errors.append(ring.q_per_A - rings[nearest])
                sigmas.append(ring.q_sigma_per_A)
                widths.append(fwhm_bins[nearest])
                matched += 1
        missed += rings.size - matched
    return Measurement(
        "rings",
        "ring position q (`diffraction`, `nbd` rings)",
        np.array(errors),
        np.array(sigmas),
        "1/Å",
        n_not_measured=missed,
        covariates={"fwhm_bins": np.array(widths)},
    )


def run(*, fast: bool) -> list[Measurement]:
    """Ring positions' coverage on ``FAST`` or ``FULL`` random profiles."""
    return [corpus(FIRST_SEED, FAST if fast else FULL)]
