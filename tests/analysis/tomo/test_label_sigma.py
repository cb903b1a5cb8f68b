import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.label_sigma import composition_sigma_per_label, label_volume_sigma
from insitu_tem.analysis.tomo.voids import slice_sum_variance


def _disc_volume(radius: float, blur: float, *, n: int = 48) -> tuple[np.ndarray, np.ndarray]:
    z, x = np.mgrid[:n, :n] - (n - 1) / 2
    plane = (np.hypot(z, x) < radius).astype(np.float32)
    volume = ndimage.gaussian_filter(np.repeat(plane[:, None, :], 16, axis=1), blur)
    return volume, plane


def test_a_low_threshold_grows_the_label_by_about_its_sigma():
    volume, plane = _disc_volume(12.0, 2.0)
    true = plane.sum() * 16
    for threshold in (0.3, 0.5):
        labels = (volume > threshold).astype(np.uint8)
        sigma = label_volume_sigma(volume, labels, smooth_px=0)
        error = labels.sum() - true
        if threshold == 0.5:
            assert sigma[1] < 0.02 * true
        else:
            assert abs(error) > 0.05 * true and 0.5 < sigma[1] / abs(error) < 1.5


def test_slice_sum_variance_of_white_noise():
    rng = np.random.default_rng(0)
    estimates = [slice_sum_variance(rng.normal(0, 2.0, 200)) for _ in range(200)]
    assert 0.8 < np.mean(estimates) / (4.0 * 200) < 1.2


def test_composition_sigma_covers_counting_noise_and_spill():
    rng = np.random.default_rng(3)
    volume, plane = _disc_volume(10.0, 1.5)
    labels = (volume > 0.5).astype(np.uint8)
    silicon = rng.poisson(20 * np.full_like(volume, 1.0)).astype(np.float32)
    oxygen = rng.poisson(20 * ndimage.gaussian_filter(1 - volume, 1.0)).astype(np.float32)
    sigma = composition_sigma_per_label(labels, {"Si": silicon, "O": oxygen})
    assert sigma[1]["Si"] > 0.1 and np.isclose(sigma[1]["Si"], sigma[1]["O"])
    assert sigma[0]["Si"] < 5.0
