"""The scatter and neighbour correlation of the ring medians of a Hann-windowed pure-noise
spectrum, which the ring's 1σ takes from `fft_spectrum`, with or without the optics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insitu_tem.analysis.hrtem.fft_spectrum import (
    RING_MEDIAN_CORRELATION,
    RING_MEDIAN_SCATTER,
    power_spectrum,
    ring_labels,
    ring_medians,
)


def _standardised_profiles(size: int, repeats: int) -> np.ndarray:
    """ln of the ring medians of white-noise spectra in units of 1/(ln 2·√(N/2)), the mean
    profile removed (repeats × rings)."""
    rng = np.random.default_rng(size)
    profiles = []
    for _ in range(repeats):
        spectrum = power_spectrum(rng.normal(size=(size, size)), pixel_nm=0.05)
        labels, n = ring_labels(spectrum)
        counts = np.bincount(labels.ravel(), minlength=n)[4 : int(0.45 * size)]
        medians = ring_medians(spectrum.power, labels, n)[4 : int(0.45 * size)]
        profiles.append(np.log(medians) * math.log(2.0) * np.sqrt(counts / 2.0))
    profiles = np.array(profiles)
    return (profiles - profiles.mean(axis=0)) * math.sqrt(repeats / (repeats - 1))


@pytest.mark.parametrize("size", [256, 384])
def test_ring_medians_of_a_hann_windowed_noise_spectrum_scatter_and_correlate_as_stated(size):
    z = _standardised_profiles(size, 24)
    assert z.std() == pytest.approx(RING_MEDIAN_SCATTER, abs=0.05)
    correlation = np.mean(z[:, :-1] * z[:, 1:]) / np.mean(z * z)
    assert correlation == pytest.approx(RING_MEDIAN_CORRELATION, abs=0.06)
    assert abs(np.mean(z[:, :-2] * z[:, 2:]) / np.mean(z * z)) < 0.06
