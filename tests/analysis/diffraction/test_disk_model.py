"""The disk model locates a dynamical disk (bright inner rim, fading outer rim) by its aperture
edge where the centre of mass reads it inwards; the direct beam gives radius and blur; a blob
without an edge is refused; a fit that runs off to another disk stops once it has left its own."""

import numpy as np
from scipy import ndimage, special

from insitu_tem.analysis.diffraction.disk_fit import spot_centroid
from insitu_tem.analysis.diffraction.disk_model import _window_data, fit_beam_model, fit_disk_models
from insitu_tem.analysis.diffraction.disk_model_fit import MAX_STEP_PX, Windows, fit_models

SHAPE = (96, 96)
RADIUS, BLUR = 7.0, 0.8


def _disk(centre, *, ramp: float, peak: float = 400.0) -> np.ndarray:
    """A blurred aperture whose intensity falls linearly along +col (outwards) by ``ramp`` of
    its peak across the diameter."""
    rows, cols = np.indices(SHAPE, dtype=float)
    rho = np.hypot(rows - centre[0], cols - centre[1])
    aperture = 0.5 * special.erfc((rho - RADIUS) / (np.sqrt(2) * BLUR))
    interior = peak * (1.0 - ramp * (cols - centre[1] + RADIUS) / (2 * RADIUS))
    return aperture * interior


def _fit(pattern, start):
    counts = np.random.default_rng(3).poisson(pattern + 2.0).astype(float)
    residual = counts - 2.0
    (fit,) = fit_disk_models(
        residual, counts, [start], radius_px=RADIUS, blur_px=BLUR, background_var=2.0
    )
    return fit, residual, counts


def test_a_disk_fading_outwards_is_located_by_its_edge_not_its_intensity():
    truth = (48.3, 47.6)
    fit, residual, counts = _fit(_disk(truth, ramp=0.95), (49.0, 46.0))
    centroid = spot_centroid(residual, counts, truth, radius_px=RADIUS + 1, background_var=2.0)
    assert fit.ok
    assert np.hypot(*np.subtract(fit.centre_rc, truth)) < 0.05
    assert 0 < fit.sigma_px < 0.05
    assert truth[1] - centroid.centre_rc[1] > 1.0


def test_the_direct_beam_gives_the_radius_and_blur_from_a_low_start():
    truth = (47.8, 48.4)
    counts = np.random.default_rng(4).poisson(_disk(truth, ramp=0.0, peak=2000.0) + 5.0)
    fit, blur = fit_beam_model(counts.astype(float), (49.0, 47.0), radius_px=5.5)
    assert fit.ok
    assert abs(fit.radius_px - RADIUS) < 0.05 and abs(blur - BLUR) < 0.1
    assert np.hypot(*np.subtract(fit.centre_rc, truth)) < 0.05


def test_a_blob_without_an_edge_is_not_reported():
    blob = np.zeros(SHAPE)
    blob[48, 48] = 1.0
    blob = 2e5 * ndimage.gaussian_filter(blob, 10.0)
    fit, _, _ = _fit(blob, (48.0, 48.0))
    assert not fit.ok and fit.reason


def test_a_fit_running_off_to_another_disk_stops_at_the_leash_and_is_refused():
    truth, start = (48.0, 48.0), (48.0, 54.0)
    counts = np.random.default_rng(5).poisson(_disk(truth, ramp=0.0) + 2.0).astype(float)
    window = _window_data(
        counts - 2.0, counts, np.array(start), 11.0, np.zeros((0, 2)), RADIUS, 2, 2.0
    )
    (found,) = fit_models(
        Windows.stack([window]),
        np.array([start]),
        radius=RADIUS,
        blur=BLUR,
        free_shape=False,
        leash=4.5,
    )
    (free,) = fit_models(
        Windows.stack([window]), np.array([start]), radius=RADIUS, blur=BLUR, free_shape=False
    )
    assert 4.5 < np.hypot(*np.subtract(found[0], start)) <= 4.5 + MAX_STEP_PX
    assert np.hypot(*np.subtract(free[0], truth)) < 0.1
    (fit,) = fit_disk_models(
        counts - 2.0, counts, [start], radius_px=RADIUS, blur_px=BLUR, background_var=2.0
    )
    assert not fit.ok and fit.reason == "disk model left the disk"
