"""The ideal node test's detection probability (validation.hrtem_detectability)."""

import numpy as np

from validation.hrtem_detectability import SUMMED_SD, detection_probability


def test_without_a_reflection_it_is_the_false_rate_per_node():
    for nodes in (10, 50, 200):
        assert np.isclose(detection_probability(0.0, nodes), 0.01 / nodes, rtol=1e-6)


def test_it_grows_with_the_snr_and_falls_with_the_number_of_nodes():
    snrs = [2.0, 5.0, 8.0, 12.0, 20.0]
    probabilities = [detection_probability(s, 50) for s in snrs]
    assert np.all(np.diff(probabilities) > 0) and probabilities[-1] > 0.999
    assert detection_probability(5.0, 20) > detection_probability(5.0, 200)


def test_the_summed_speckle_spread_is_that_of_hann_windowed_noise():
    rng = np.random.default_rng(1)
    hann = np.hanning(66)[1:-1]
    window = np.outer(hann, hann)
    sums = []
    for _ in range(100):
        power = np.abs(np.fft.fft2(rng.standard_normal((64, 64)) * window)) ** 2
        power /= np.sum(window**2)
        shifts = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)]
        sums.append(sum(np.roll(power, s, axis=(0, 1)) for s in shifts).ravel())
    assert abs(np.std(np.concatenate(sums)) / SUMMED_SD - 1) < 0.03
