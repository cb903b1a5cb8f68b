"""A scan's beams and disks fitted as batches give what fitting them one pattern at a time gives:
the spots of :func:`detect_scan_spots` are those of :func:`detect_spots` per pattern, and the
centres of :func:`centres_along_scan` those of each pattern's beam searched from the last found,
to rounding (1e-12 px)."""

import numpy as np
from scipy import special

from insitu_tem.analysis.diffraction.descan import beam_of_pattern, centres_along_scan
from insitu_tem.analysis.diffraction.disks import detect_spots
from insitu_tem.analysis.diffraction.scan_spots import detect_scan_spots
from insitu_tem.samples.nbd import DISK_RADIUS_PX, render_pattern


def _noisy_scan(n: int = 6):
    """Strained WO3 patterns with Poisson noise, the centre moving by 0.37 px per pattern (the
    disks' windows differ in length from pattern to pattern)."""
    rng = np.random.default_rng(3)
    centres = np.array([64.0, 63.2]) + np.outer(np.arange(n), [0.37, -0.21])
    patterns = np.stack(
        [
            rng.poisson(render_pattern(centre_rc=tuple(c), strain=0.002 * i)).astype(float)
            for i, c in enumerate(centres)
        ]
    )
    return patterns, centres


def test_the_spots_of_a_scan_are_those_found_pattern_by_pattern():
    patterns, centres = _noisy_scan()
    batched = detect_scan_spots(patterns, centres, disk_radius_px=DISK_RADIUS_PX)
    for pattern, centre, spots in zip(patterns, centres, batched):
        alone = detect_spots(pattern, centre_rc=tuple(centre), disk_radius_px=DISK_RADIUS_PX)
        assert len(spots) == len(alone) > 10
        np.testing.assert_allclose(spots.position_rc, alone.position_rc, rtol=0, atol=1e-12)
        np.testing.assert_allclose(spots.sigma_px, alone.sigma_px, rtol=1e-12)
        np.testing.assert_array_equal(spots.intensity, alone.intensity)


def _beam(centre):
    """A beam brighter on one side: its centre of mass lies off its edge's centre, so a pattern
    searched from the first reading of the last beam can be searched in another window than
    from its edge-fitted centre."""
    rows, cols = np.indices((96, 96))
    r = np.hypot(rows - centre[0], cols - centre[1])
    ramp = 1.0 + 0.03 * (cols - centre[1])
    return 100 * ramp * 0.5 * special.erfc((r - 5.0) / (np.sqrt(2) * 0.6))


def test_the_centres_along_a_scan_are_each_searched_from_the_last_beam_found():
    rng = np.random.default_rng(5)
    truth = np.array([30.2, 40.4]) + np.outer(np.arange(12), [0.45, 0.3])
    patterns = np.stack([rng.poisson(5 + _beam(c)).astype(float) for c in truth])
    patterns[4] = rng.poisson(5.0, patterns[4].shape)
    series = centres_along_scan(patterns)
    guess = None
    for i, pattern in enumerate(patterns):
        found = beam_of_pattern(pattern, guess, method="edge", search_px=12)
        if not found.ok and guess is not None:
            found = beam_of_pattern(pattern, None, method="edge", search_px=12)
        assert series.ok[i] == found.ok == (i != 4)
        if found.ok:
            np.testing.assert_allclose(series.centre_rc[i], found.centre_rc, rtol=0, atol=1e-12)
            np.testing.assert_allclose(series.sigma_px[i], found.sigma_px, rtol=1e-12)
            guess = found.centre_rc
    np.testing.assert_allclose(series.centre_rc[series.ok], truth[series.ok], atol=0.1)
