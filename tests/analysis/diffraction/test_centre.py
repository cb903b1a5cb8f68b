"""Direct-beam centre, descan fit and ring ellipse on generated patterns with known geometry, and
bismuth.dm3."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.centre import (
    direct_beam_centre,
    find_centre,
    symmetry_centre,
)
from insitu_tem.analysis.diffraction.descan import centres_along_scan, fit_descan
from insitu_tem.analysis.diffraction.ellipse import (
    ellipse_on_strongest_ring,
    fit_ellipse,
    fit_ring_ellipse,
)
from insitu_tem.io.load import load
from insitu_tem.samples.nbd import render_pattern


def _rot(deg):
    t = np.radians(deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


@pytest.mark.parametrize("method", ["com", "template"])
@pytest.mark.parametrize("dtype", [np.float32, np.uint16, np.uint8])
def test_direct_beam_centre_is_sub_pixel_on_clean_patterns(method, dtype):
    rng = np.random.default_rng(1)
    for _ in range(5):
        centre = tuple(rng.uniform(56, 72, 2))
        pattern = render_pattern(centre_rc=centre, spot_fraction=1.0, amorphous_fraction=0.5)
        if dtype == np.uint8:
            pattern = pattern * (255 / pattern.max())
        found = direct_beam_centre(pattern.astype(dtype), method=method)
        assert found.ok and found.method == method
        np.testing.assert_allclose(found.centre_rc, centre, atol=0.05 if dtype != np.uint8 else 0.1)
        assert found.radius_px == pytest.approx(3.66, abs=0.3)


def test_centre_with_counting_noise_is_within_a_tenth_of_a_pixel():
    rng = np.random.default_rng(2)
    centre = (61.3, 66.8)
    pattern = rng.poisson(
        render_pattern(centre_rc=centre, amorphous_fraction=1.0, spot_fraction=0.0)
    )
    np.testing.assert_allclose(find_centre(pattern).centre_rc, centre, atol=0.1)


def test_no_direct_beam_is_a_result_not_an_error():
    rng = np.random.default_rng(3)
    found = direct_beam_centre(rng.poisson(50.0, (128, 128)).astype(float))
    assert not found.ok and "direct beam" in found.reason


def test_symmetry_centre_finds_rings_behind_a_beam_stop():
    centre = (70.4, 58.7)
    pattern = render_pattern(centre_rc=centre, spot_fraction=0.0, nanocrystal_fraction=1.0)
    stop = np.zeros_like(pattern, dtype=bool)
    stop[:77, 53:65] = True
    pattern[stop] = 0.0
    found = find_centre(pattern, mask=stop)
    assert found.method == "symmetry"
    np.testing.assert_allclose(found.centre_rc, centre, atol=0.3)
    assert symmetry_centre(pattern).centre_rc == pytest.approx(centre, abs=0.5)


def test_bad_input_raises_with_advice():
    with pytest.raises(ValueError, match="2-D pattern"):
        direct_beam_centre(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="method"):
        direct_beam_centre(np.zeros((8, 8)), method="magic")
    with pytest.raises(ValueError, match="degree"):
        fit_descan([0, 1], [[0, 0], [1, 1]], degree=2)


def test_descan_fit_recovers_a_quadratic_drift_of_the_beam():
    position = np.arange(20) * 8.0
    u = position / position[-1]
    truth = np.stack([60 + 0.9 * u, 66 - 1.3 * u + 0.5 * u**2], axis=1)
    patterns = np.stack([render_pattern(centre_rc=tuple(c), amorphous_fraction=0.3) for c in truth])
    series = centres_along_scan(patterns)
    assert series.ok.all()
    fit = fit_descan(position, series.centre_rc, degree=2)
    np.testing.assert_allclose(fit.fitted_rc, truth, atol=0.04)
    assert fit.rms_px < 0.03


def test_centres_along_scan_stops_when_asked():
    patterns = np.stack([render_pattern(centre_rc=(64.0, 64.0))] * 3)
    calls = iter([False, True, True])
    series = centres_along_scan(patterns, should_stop=lambda: next(calls))
    assert series.ok.tolist() == [True, False, False]


def test_ellipse_fit_recovers_axes_and_angle_from_exact_points():
    angles = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    local = np.stack([40 * np.cos(angles), 37 * np.sin(angles)], axis=1) @ _rot(25).T
    fit = fit_ellipse(local + [70.0, 60.0])
    assert fit.ok
    assert fit.centre_rc == pytest.approx((70.0, 60.0), abs=1e-9)
    assert fit.semi_axes_px == pytest.approx((40.0, 37.0), abs=1e-9)
    assert fit.angle_deg == pytest.approx(25.0, abs=1e-6)
    assert not fit_ellipse(local[:4]).ok


def test_ring_ellipse_measures_detector_distortion():
    distortion = _rot(30) @ np.diag([1.01, 0.99]) @ _rot(30).T
    pattern = render_pattern(
        centre_rc=(63.2, 64.7), spot_fraction=0.0, nanocrystal_fraction=1.0, distortion=distortion
    )
    fit = fit_ring_ellipse(pattern, centre_rc=(64.0, 64.0), radius_px=35.8, width_px=5.0)
    assert fit.ok and fit.rms_px < 0.2
    assert fit.ellipticity == pytest.approx(0.02, abs=0.002)
    assert fit.angle_deg == pytest.approx(30.0, abs=3.0)
    assert fit.centre_rc == pytest.approx((63.2, 64.7), abs=0.05)
    corrected = (
        np.array([[fit.semi_axes_px[0], 0.0]]) @ _rot(fit.angle_deg).T
    ) @ fit.correction().T
    assert np.hypot(*corrected[0]) == pytest.approx(np.sqrt(np.prod(fit.semi_axes_px)))


@pytest.mark.realdata
def test_bismuth_centre_and_rings_behind_the_beam_stop(realdata):
    pattern = np.asarray(load(realdata("bismuth.dm3")).array)
    found = find_centre(pattern)
    assert found.method == "symmetry"
    np.testing.assert_allclose(found.centre_rc, (142, 99), atol=1.5)
    for radius in (39, 67, 80, 104):
        fit = fit_ring_ellipse(pattern, centre_rc=found.centre_rc, radius_px=radius, width_px=6)
        assert fit.ok and fit.n_points > 120
        assert np.sqrt(np.prod(fit.semi_axes_px)) == pytest.approx(radius, abs=3.0)
        assert fit.centre_rc == pytest.approx(found.centre_rc, abs=0.5)


def test_ellipse_on_the_strongest_ring_of_the_sample_distortion():
    distortion = _rot(30) @ np.diag([1.01, 0.99]) @ _rot(30).T
    pattern = render_pattern(
        centre_rc=(64.0, 63.0), spot_fraction=0.0, nanocrystal_fraction=1.0, distortion=distortion
    )
    fit = ellipse_on_strongest_ring(pattern, centre_rc=(64.0, 63.0))
    assert fit.ok and fit.ellipticity == pytest.approx(0.02, abs=0.002)
    flat = ellipse_on_strongest_ring(np.ones((64, 64)), centre_rc=(32.0, 32.0))
    assert not flat.ok and "no ring" in flat.reason


def _noisy_quadratic(n=40, scatter=0.05, seed=3):
    rng = np.random.default_rng(seed)
    position = np.arange(n) * 5.0
    u = position / position[-1]
    truth = np.stack([60 + 2 * u - u**2, 66 - 1.3 * u + 0.5 * u**2], axis=1)
    return position, truth, truth + rng.normal(0, scatter, truth.shape)


def test_descan_fit_leaves_out_a_gross_miss():
    position, truth, measured = _noisy_quadratic()
    measured[17] += (6.0, -4.0)
    fit = fit_descan(position, measured, degree=2)
    assert not fit.kept[17] and fit.kept.sum() == len(position) - 1
    np.testing.assert_allclose(fit.fitted_rc, truth, atol=0.06)
    assert np.all(np.abs(fit.fitted_rc - truth) < 4 * fit.sigma_rc)


def test_descan_sigma_widens_when_the_residuals_step_along_the_scan():
    position, truth, _ = _noisy_quadratic()
    rng = np.random.default_rng(4)
    white = truth + rng.choice([-0.1, 0.1], truth.shape)
    step = truth + np.where(np.arange(len(position)) < 20, -0.1, 0.1)[:, None]
    stepped, scattered = fit_descan(position, step), fit_descan(position, white)
    assert stepped.rms_px < scattered.rms_px
    assert np.all(stepped.sigma_rc > 1.3 * scattered.sigma_rc)


def test_descan_sigma_adds_the_centres_own_sigma():
    position, _, measured = _noisy_quadratic(scatter=0.01)
    alone = fit_descan(position, measured).sigma_rc
    sigma = np.full(len(position), 0.2)
    sigma[5] = np.nan
    both = fit_descan(position, measured, sigma_px=sigma).sigma_rc
    assert np.all(both > 5 * alone)
    np.testing.assert_allclose(both[20], 0.2 * np.sqrt(3 / len(position)), rtol=0.4)


def test_centres_along_scan_fits_the_beam_edge_with_its_sigma():
    rng = np.random.default_rng(5)
    truth = [(60.3, 66.8), (61.1, 65.2), (62.4, 64.9)]
    patterns = np.stack(
        [rng.poisson(render_pattern(centre_rc=c, amorphous_fraction=0.3)) for c in truth]
    )
    series = centres_along_scan(patterns)
    assert series.ok.all() and np.all((series.sigma_px > 0) & (series.sigma_px < 0.1))
    np.testing.assert_allclose(series.centre_rc, truth, atol=4 * series.sigma_px.max())


def _half_fft():
    rows, cols = np.indices((64, 64))
    blob = np.exp(-((rows - 30.0) ** 2 + (cols - 35.0) ** 2) / 50.0)
    return np.fft.rfft2(blob + np.random.default_rng(0).normal(0, 0.01, blob.shape))


def test_a_half_fft_has_no_centre_inside_it_and_says_so():
    found = find_centre(np.abs(_half_fft()))
    assert not found.ok and "lies on the edge" in found.reason


def test_a_complex_half_fft_is_measured_on_its_modulus_without_nan_warnings():
    import warnings

    from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        found = analyse_pattern(_half_fft(), scale_per_nm=None)
    assert not found.centre.ok and "give the centre" in found.centre.reason


@pytest.mark.realdata
def test_fft_complex_even_half_fft_centre_is_not_measured(realdata):
    import warnings

    from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern

    pattern = np.asarray(load(realdata("FFTComplexEven.emd"), kind="pattern").array)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        found = analyse_pattern(pattern, scale_per_nm=None)
    assert not found.centre.ok and "lies on the edge" in found.centre.reason


def test_a_centre_that_is_not_measured_has_no_symmetry_sigma():
    """A half FFT's symmetry centre lies on its edge: the centre is not measured (ok False with
    the reason), so its 1σ is NaN, not the spread of a symmetry centre that was refused."""
    from insitu_tem.analysis.diffraction.nbd_scan import analyse_pattern
    from insitu_tem.workflows.nbd_pattern import pattern_text

    found = analyse_pattern(_half_fft(), scale_per_nm=None)
    assert not found.centre.ok and "lies on the edge" in found.centre.reason
    assert np.isnan(found.centre.sigma_px)
    text = pattern_text(
        {
            "centre_rc": list(found.centre.centre_rc),
            "centre_sigma_px": found.centre.sigma_px,
            "centre_ok": found.centre.ok,
            "centre_reason": found.centre.reason,
            "spots_rc": found.spots.position_rc,
        }
    )
    assert "centre not measured: no centre inside the pattern" in text and "±" not in text
