"""What the NBD scan analysis computes on stacks gives what it gives run by run, bit for bit: the
NMF restarts updated together are the NMF of each seed alone, the spot-masked profiles of a
stack those of each pattern's integrator with its own spot mask, the peaks of a stack those
skimage's peak_local_max finds in each image, and the fitting windows of a pattern's disks cut
at once those cut disk by disk."""

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max

from insitu_tem.analysis.diffraction.decomposition import nmf, nmf_runs
from insitu_tem.analysis.diffraction.disk_model import _window_data
from insitu_tem.analysis.diffraction.disk_windows import disk_windows
from insitu_tem.analysis.diffraction.disks import Spots, spot_mask
from insitu_tem.analysis.diffraction.stack_peaks import stack_peaks
from insitu_tem.analysis.diffraction import masked_profiles as masked_profiles_module
from insitu_tem.analysis.diffraction.masked_profiles import masked_profiles, spot_masks
from insitu_tem.analysis.diffraction.radial import radial_integrator, radial_median
from insitu_tem.analysis.diffraction.ring_peaks import lower_hull


def _profiles(n: int = 20, m: int = 50) -> np.ndarray:
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 1.0, m)
    phases = np.stack([np.exp(-0.5 * ((x - c) / 0.05) ** 2) for c in (0.3, 0.5, 0.7)])
    t = np.linspace(0.0, 1.0, n)[:, None]
    amounts = np.hstack([1 - t, t, 4 * t * (1 - t)])
    return np.clip(amounts @ phases + rng.normal(0, 0.01, (n, m)), 0.0, None)


def test_nmf_runs_are_each_seed_alone():
    profiles = _profiles()
    runs = nmf_runs(profiles, seeds=range(4), n_components=3, fixed_components=profiles[[0, -1]])
    iterations = set()
    for seed, run in enumerate(runs):
        alone = nmf(profiles, n_components=3, fixed_components=profiles[[0, -1]], seed=seed)
        np.testing.assert_array_equal(run.weights, alone.weights)
        np.testing.assert_array_equal(run.components, alone.components)
        assert run.iterations == alone.iterations and run.fixed == alone.fixed
        iterations.add(run.iterations)
    assert len(iterations) > 1


def test_nmf_runs_stop_together_when_asked():
    profiles = _profiles()
    runs = nmf_runs(profiles, seeds=(0, 1), n_components=3, should_stop=lambda: True)
    assert [run.iterations for run in runs] == [50, 50]
    assert [r.iterations for r in nmf_runs(profiles, seeds=(2,), max_iter=0)] == [0]


def test_masked_profiles_are_each_patterns_integrator_with_its_spot_mask(monkeypatch):
    monkeypatch.setattr(masked_profiles_module, "BLOCK", 3)
    rng = np.random.default_rng(8)
    patterns = rng.poisson(50.0, (4, 40, 52)).astype(np.uint16)
    centres = np.array([[20.3, 25.9], [19.5, 26.0], [0.7, 51.2], [21.0, 24.25]])
    spot_sets = [
        rng.uniform([-2, -2], [42, 54], (9, 2)),
        np.array([[0.2, 0.3], [39.6, 51.8], [20.0, 30.0]]),
        np.zeros((0, 2)),
        np.array([[10.5, 12.5]]),
    ]
    masks = spot_masks(patterns.shape[1:], spot_sets, radius_px=4.7)
    profiles = masked_profiles(patterns, centres, masks)
    for pattern, centre, spots, mask, (r_px, profile) in zip(
        patterns, centres, spot_sets, masks, profiles
    ):
        alone = spot_mask(
            pattern.shape, Spots(spots, spots[:, 0], tuple(centre), spots[:, 0]), radius_px=4.7
        )
        np.testing.assert_array_equal(mask, alone)
        integrator = radial_integrator(pattern.shape, centre_rc=tuple(centre), mask=alone)
        np.testing.assert_array_equal(r_px, integrator.r_px)
        np.testing.assert_array_equal(profile, integrator.profile(pattern.astype(float)))
    assert masks[0].any() and not masks[2].any() and np.isnan(profiles[0][1]).sum() < 5


def test_radial_median_is_the_median_of_each_annulus():
    rng = np.random.default_rng(2)
    pattern = rng.poisson(3.0, (61, 70)).astype(float)
    pattern[5, 7] = np.nan
    centre = (27.4, 40.6)
    found = radial_median(pattern, centre_rc=centre)
    rows, cols = np.indices(pattern.shape)
    annulus = np.hypot(rows - centre[0], cols - centre[1]).astype(int)
    expected = [
        np.sort(pattern[annulus == k])[np.sum(annulus == k) // 2] for k in np.unique(annulus)
    ]
    np.testing.assert_array_equal(found.intensity, expected)
    np.testing.assert_array_equal(found.r_px, np.unique(annulus) + 0.5)


def test_stack_peaks_are_peak_local_max_of_each_image():
    rng = np.random.default_rng(4)
    images = ndimage.gaussian_filter(rng.normal(size=(6, 48, 40)), (0, 1.5, 1.5))
    images[1] = np.round(images[1] * 20) / 20
    images[2, 10:14, 10:14] = images[2].max() + 1.0
    images[3] = 1.0
    thresholds = np.array([0.05, 0.02, 0.0, 0.5, 10.0, -1.0])
    found = stack_peaks(images, thresholds, min_distance=3, border=4)
    for image, threshold, peaks in zip(images, thresholds, found):
        expected = peak_local_max(image, min_distance=3, threshold_abs=threshold, exclude_border=4)
        np.testing.assert_array_equal(peaks, expected)
        assert peaks.shape[1:] == (2,)
    assert len(found[0]) > 5 and len(found[3]) == len(found[4]) == 0


def test_disk_windows_are_those_cut_disk_by_disk():
    rng = np.random.default_rng(6)
    counts = rng.poisson(20.0, (60, 64)).astype(float)
    residual = counts - 20.0
    starts = np.vstack(
        [rng.uniform(-1, 62, (30, 2)), [[10.5, 20.5], [10.5, 20.5], [0.0, 63.4], [59.5, 2.5]]]
    )
    extra = np.array([[30.2, 31.7]])
    reach, radius = 7.3, 4.6
    windows = disk_windows(
        residual, counts, starts, extra, reach=reach, radius_px=radius, order=2, background_var=3.0
    )
    assert len(windows) == len(starts)
    for i, (start, window) in enumerate(zip(starts, windows)):
        others = np.concatenate([np.delete(starts, i, axis=0), extra])
        others = others[np.hypot(*(others - start).T) < 2.0 * reach]
        alone = _window_data(residual, counts, start, reach, others, radius, 2, 3.0)
        for ours, theirs in zip(window, alone):
            np.testing.assert_array_equal(ours, theirs)
    assert len(windows[30][0]) == 0 and max(len(w[0]) for w in windows) > 100


def test_lower_hull_is_the_lowest_chord_over_every_point():
    rng = np.random.default_rng(9)
    x = np.sort(rng.uniform(0.0, 5.0, 25))
    y = rng.normal(size=25).cumsum()
    lowest = [
        min(
            y[j] + (y[k] - y[j]) * (x[i] - x[j]) / (x[k] - x[j]) if k > j else y[i]
            for j in range(i + 1)
            for k in range(i, 25)
        )
        for i in range(25)
    ]
    np.testing.assert_allclose(lower_hull(x, y), lowest, rtol=0, atol=1e-12)
