"""CSR radial integration: known profiles, masks, pixel splitting, batch = single, naive
bincount."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.radial import (
    q_per_A_from_px,
    radial_integrator,
    radial_profile,
)
from insitu_tem.samples.nbd import render_pattern


def _radius(shape, centre):
    rows, cols = np.indices(shape)
    return np.hypot(rows - centre[0], cols - centre[1])


@pytest.mark.parametrize("split", ["none", "bbox"])
def test_profile_of_a_linear_ramp_is_the_bin_radius(split):
    centre = (50.3, 47.6)
    pattern = _radius((100, 96), centre)
    integ = radial_integrator(pattern.shape, centre_rc=centre, n_bins=40, r_max_px=40, split=split)
    profile = integ.profile(pattern)
    np.testing.assert_allclose(profile[3:], integ.r_px[3:], atol=0.06)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
def test_plain_binning_equals_a_naive_bincount(dtype):
    rng = np.random.default_rng(5)
    pattern = rng.integers(0, 100, (64, 80)).astype(dtype)
    centre = (30.2, 41.9)
    integ = radial_integrator(pattern.shape, centre_rc=centre, n_bins=30, r_max_px=30)
    bins = np.floor(_radius(pattern.shape, centre)).astype(int).ravel()
    keep = bins < 30
    sums = np.bincount(bins[keep], pattern.ravel()[keep].astype(float), minlength=30)
    counts = np.bincount(bins[keep], minlength=30)
    np.testing.assert_allclose(integ.profile(pattern), sums / counts, rtol=1e-12)
    np.testing.assert_allclose(integ.pixels_per_bin, counts)


def test_batch_of_profiles_equals_one_at_a_time_and_mask_is_ignored():
    rng = np.random.default_rng(6)
    patterns = rng.normal(10, 1, (5, 48, 48))
    mask = np.zeros((48, 48), bool)
    mask[:, :10] = True
    mask |= _radius((48, 48), (24, 24)) > 20
    patterns[:, mask] = 1e6
    integ = radial_integrator((48, 48), centre_rc=(24, 24), mask=mask, split="bbox")
    batch = integ.profiles(patterns)
    for pattern, row in zip(patterns, batch):
        np.testing.assert_allclose(integ.profile(pattern), row)
    assert np.nanmax(batch) < 20
    assert np.isnan(batch[:, 22:]).all() and np.isfinite(batch[:, :20]).all()


def test_ring_of_known_radius_peaks_at_that_radius_with_and_without_ellipse_correction():
    scale = 0.125
    pattern = render_pattern(centre_rc=(63.5, 64.5), spot_fraction=0.0, nanocrystal_fraction=1.0)
    prof = radial_profile(
        pattern, centre_rc=(63.5, 64.5), scale_per_nm=scale, n_bins=256, r_max_px=64
    )
    inner = prof.q_per_A > 0.3
    q_peak = prof.q_per_A[inner][np.nanargmax(prof.intensity[inner])]
    assert q_peak == pytest.approx(1 / 2.238, abs=0.003)
    stretch = np.diag([1.05, 0.95])
    distorted = render_pattern(
        centre_rc=(63.5, 64.5), spot_fraction=0.0, nanocrystal_fraction=1.0, distortion=stretch
    )
    blurred = radial_profile(distorted, centre_rc=(63.5, 64.5), n_bins=256, r_max_px=64)
    fixed = radial_profile(
        distorted,
        centre_rc=(63.5, 64.5),
        n_bins=256,
        r_max_px=64,
        correction=np.linalg.inv(stretch),
    )
    assert np.nanmax(fixed.intensity[100:]) > 1.25 * np.nanmax(blurred.intensity[100:])


def test_bad_geometry_raises_with_advice():
    with pytest.raises(ValueError, match="split"):
        radial_integrator((8, 8), centre_rc=(4, 4), split="full")
    with pytest.raises(ValueError, match="centre"):
        radial_integrator((8, 8), centre_rc=(np.nan, 4))
    integ = radial_integrator((8, 8), centre_rc=(4, 4))
    with pytest.raises(ValueError, match="shape"):
        integ.profile(np.zeros((9, 8)))


def test_q_conversion_is_one_over_d_in_inverse_angstrom():
    assert q_per_A_from_px(20.0, scale_per_nm=0.2) == pytest.approx(0.4)


def test_the_median_of_whole_counts_follows_a_faint_level_between_counts():
    # The plain median of a few counts per pixel jumps by a whole count from annulus to annulus
    # while the level rises by 0.01 per annulus.
    from insitu_tem.analysis.diffraction.radial import radial_median

    rng = np.random.default_rng(5)
    radius = _radius((240, 240), (120.3, 119.6))
    counts = rng.poisson(0.6 + 0.012 * radius).astype(float)
    plain = radial_median(counts, centre_rc=(120.3, 119.6))
    whole = radial_median(counts, centre_rc=(120.3, 119.6), whole_counts=True)
    wide = slice(30, 115)  # annuli of 190-720 pixels
    assert np.max(np.abs(np.diff(plain.intensity[wide]))) == 1.0
    assert np.max(np.abs(np.diff(whole.intensity[wide]))) < 0.45
    level = 0.6 + 0.012 * whole.r_px[wide]
    assert np.max(np.abs(whole.intensity[wide] - level)) < 0.5


@pytest.mark.parametrize("whole_counts", [False, True])
def test_the_median_leaves_out_masked_pixels_and_annuli_they_fill(whole_counts):
    # Spots over 60 % of the pixels from 20 to 30 px: the median there is a spot's.
    from insitu_tem.analysis.diffraction.radial import radial_median

    radius = _radius((96, 96), (48.0, 48.0))
    angle = np.arctan2(*np.indices((96, 96)) - 48.0)
    spots = (radius >= 20) & (radius < 30) & (np.cos(5 * angle) > -0.3)
    pattern = np.where(spots, 50.0, 4.0)
    pattern[(radius >= 40) & (radius < 42)] = 90.0
    plain = radial_median(pattern, centre_rc=(48.0, 48.0), whole_counts=whole_counts)
    masked = radial_median(
        pattern,
        centre_rc=(48.0, 48.0),
        whole_counts=whole_counts,
        mask=spots | ((radius >= 40) & (radius < 42)),
    )
    assert np.all(plain.intensity[20:30] > 40)
    np.testing.assert_allclose(masked.intensity, 4.0, atol=0.5)
    assert 40.5 not in masked.r_px and 39.5 in masked.r_px and 42.5 in masked.r_px
