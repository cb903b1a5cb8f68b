"""Matched-filter registration: sub-pixel shifts at low dose, a stated covariance that covers
the real scatter, regions that changed left out, and the significance of the match."""

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift_matched import MatchedRegistration
from insitu_tem.analysis.movie.drift_registration import tukey
from tests.analysis.movie.test_drift import textured_movie


def _highpass(frame):
    data = np.asarray(frame, float)
    return data - ndimage.gaussian_filter(data, 8.0, mode="nearest")


def _register(shifts, *, counts, contrast, size=64):
    movie = textured_movie(
        [(0.0, 0.0), *shifts], size=size, counts=counts, contrast=contrast, seed=0
    )
    frames = [_highpass(f) for f in movie.astype(float)]
    template = textured_movie([(0.0, 0.0)], size=size, counts=1e6, contrast=contrast, dtype=float)
    registration = MatchedRegistration((size, size))
    spectrum = registration.template_spectrum(_highpass(template[0].astype(float)))
    weight = np.outer(tukey(size, 0.3), tukey(size, 0.3))
    return [
        registration.measure(f, spectrum, weight, near=np.asarray(s), radius=3.0)
        for f, s in zip(frames[1:], shifts)
    ]


def test_low_dose_subpixel_shifts_are_found_and_their_sigma_covers_the_scatter():
    rng = np.random.default_rng(3)
    truth = rng.uniform(-2, 2, (40, 2))
    found = _register(truth, counts=60.0, contrast=0.1)
    errors = np.array([f.shift_px for f in found]) - truth
    sigmas = np.sqrt(np.array([np.diag(f.covariance_px2) for f in found]))
    assert np.sqrt(np.mean(errors**2)) < 0.1
    within = np.mean(np.abs(errors) <= sigmas)
    assert 0.55 <= within <= 0.9


def test_a_region_that_changed_is_left_out():
    size = 96
    movie = textured_movie([(0.0, 0.0), (1.3, -0.7)], size=size, counts=400.0, contrast=0.2)
    frames = [_highpass(f) for f in movie.astype(float)]
    frames[1][:, 50:] = _highpass(
        np.where(np.arange(size) > 55, 900.0, 100.0)[None, :] + 0 * frames[1]
    )[:, 50:]
    registration = MatchedRegistration((size, size))
    weight = np.outer(tukey(size, 0.3), tukey(size, 0.3))
    spectrum = registration.template_spectrum(frames[0])
    found = registration.measure_robust(frames[1], spectrum, weight, near=np.zeros(2), radius=3.0)
    np.testing.assert_allclose(found.shift_px, [1.3, -0.7], atol=0.15)


def test_the_significance_is_the_templates_amplitude_over_the_noise():
    size = 64
    texture = textured_movie([(0.0, 0.0)], size=size, counts=1e6, contrast=0.1, dtype=float)[0]
    template = _highpass(texture / 1e6)
    registration = MatchedRegistration((size, size))
    spectrum = registration.template_spectrum(template)
    weight = np.outer(tukey(size, 0.3), tukey(size, 0.3))
    rng = np.random.default_rng(4)

    def significance(amplitude, sigma):
        frame = amplitude * template + rng.normal(scale=sigma, size=template.shape)
        found = registration.measure(frame, spectrum, weight, near=np.zeros(2), radius=3.0)
        return found.significance

    quiet = np.median([significance(1.0, 0.1) for _ in range(20)])
    noisy = np.median([significance(1.0, 0.2) for _ in range(20)])
    assert quiet > 20 and 1.8 <= quiet / noisy <= 2.2
    assert max(significance(0.0, 0.1) for _ in range(20)) < 5
