"""Disks located against the reference's own disks: unbiased by sub-pixel position on disks with
edges sharper than a pixel, and a 1σ that covers the scatter of Poisson-noisy registrations."""

import numpy as np
import pytest

from insitu_tem.analysis.diffraction.disk_registration import disk_templates, register_disks
from insitu_tem.analysis.diffraction.strain import track_spots
from insitu_tem.samples.nbd import DISK_RADIUS_PX, render_pattern

ROWS, COLS = np.indices((64, 64), dtype=float)
CENTRE = (12.0, 12.0)
DISK = (40.3, 40.6)


def sharp_disk(centre, radius=3.66) -> np.ndarray:
    """A disk whose edge falls over one pixel (the pixel's share inside), 1000 counts on 10."""
    share = np.clip(radius + 0.5 - np.hypot(ROWS - centre[0], COLS - centre[1]), 0.0, 1.0)
    return 1000.0 * share + 10.0


@pytest.mark.parametrize("moved", [0.1, 0.25, 0.4, 0.5, 0.7])
def test_a_disk_sharper_than_a_pixel_is_followed_to_a_fraction_of_its_move(moved):
    templates = disk_templates(
        sharp_disk(DISK), centre_rc=CENTRE, positions_rc=[DISK], radius_px=3.66
    )
    where = (DISK[0] - 0.5 * moved, DISK[1] + moved)
    found = register_disks(templates, sharp_disk(where), centre_rc=CENTRE, starts_rc=[DISK])
    assert np.hypot(*(found.position_rc[0] - where)) < 0.03  # unblurred: 0.1-0.2 px


def test_the_1sigma_covers_the_scatter_of_noisy_registrations():
    rng = np.random.default_rng(3)
    expected = 0.05 * sharp_disk(DISK)
    templates = disk_templates(
        rng.poisson(expected), centre_rc=CENTRE, positions_rc=[DISK], radius_px=3.66
    )
    where = np.array([DISK[0] + 0.3, DISK[1] - 0.2])
    moved = 0.05 * sharp_disk(where)
    found = [
        register_disks(templates, rng.poisson(moved), centre_rc=CENTRE, starts_rc=[DISK])
        for _ in range(150)
    ]
    position = np.array([f.position_rc[0] for f in found])
    sigma = np.array([f.sigma_px[0] for f in found])
    scatter = position - position.mean(axis=0)  # the template's own noise is one draw: common
    assert np.all(np.isfinite(sigma))
    assert 0.55 <= np.mean(np.abs(scatter) <= sigma[:, None]) <= 0.9
    assert np.hypot(*(position.mean(axis=0) - where)) < 3 * np.median(sigma)


@pytest.mark.parametrize("brightness", [0.05, 0.2, 5.0])
def test_a_pattern_fainter_or_brighter_than_its_template_is_followed_all_the_way(brightness):
    templates = disk_templates(
        sharp_disk(DISK), centre_rc=CENTRE, positions_rc=[DISK], radius_px=3.66
    )
    where = np.array([DISK[0] + 0.3, DISK[1] - 0.2])
    found = register_disks(
        templates, brightness * sharp_disk(where), centre_rc=CENTRE, starts_rc=[DISK]
    )
    assert np.hypot(*(found.position_rc[0] - where)) < 0.05  # stopped near the start: 0.2-0.3


def test_a_disk_with_no_start_is_not_located():
    templates = disk_templates(
        sharp_disk(DISK), centre_rc=CENTRE, positions_rc=[DISK, (20.0, 45.0)], radius_px=3.66
    )
    found = register_disks(
        templates, sharp_disk(DISK), centre_rc=CENTRE, starts_rc=[DISK, (np.nan, np.nan)]
    )
    assert np.allclose(found.position_rc[0], DISK, atol=1e-6)
    assert np.isnan(found.position_rc[1]).all() and np.isnan(found.sigma_px[1])


def test_disks_at_the_detector_edge_do_not_bias_the_strain():
    # The beam off-centre: several disks lie within the blur's reach of the edge (2e-4 before
    # their edge pixels were left out).
    centre = (30.0, 100.0)
    strains = (0.0, 0.005, 0.01)
    patterns = np.stack([render_pattern(centre_rc=centre, strain=s) for s in strains])
    tracks = track_spots(patterns, centres_rc=np.array([centre] * 3), disk_radius_px=DISK_RADIUS_PX)
    assert min(fit.n_spots for fit in tracks.fits) >= 25
    np.testing.assert_allclose(tracks.lattice_strain, strains, atol=1e-4)


def test_each_pattern_is_located_once_whichever_the_reference(monkeypatch):
    import insitu_tem.analysis.diffraction.strain as strain_module

    located = []

    def counted(templates, pattern, **options):
        located.append(float(pattern.sum()))
        return register_disks(templates, pattern, **options)

    monkeypatch.setattr(strain_module, "register_disks", counted)
    strains = (0.004, 0.002, 0.0, 0.003)
    patterns = np.stack([render_pattern(centre_rc=(64.0, 64.0), strain=s) for s in strains])
    tracks = track_spots(
        patterns,
        centres_rc=np.full((4, 2), 64.0),
        disk_radius_px=DISK_RADIUS_PX,
        reference_index=2,
    )
    assert sorted(located) == sorted(float(p.sum()) for p in patterns)  # the reference twice
    expected = (1.0 + np.array(strains)) / (1.0 + strains[2]) - 1.0
    np.testing.assert_allclose(tracks.lattice_strain, expected, atol=1e-4)


def lopsided_lattice(strain: float) -> np.ndarray:
    """Disks of radius 4 px (0.8 px soft edge) on a 22 px square lattice scaled about the beam
    by 1/(1 + strain), each brighter on its outer side (a rocking curve across the disk)."""
    beam = 64.0
    rows, cols = np.indices((128, 128), dtype=float)
    pattern = np.full((128, 128), 5.0)
    inward = 1.0 / (1.0 + strain)
    for h in range(-2, 3):
        for k in range(-2, 3):
            g = np.array([22.0 * h + 3.0 * k, 22.0 * k - 3.0 * h]) * inward
            r, c = rows - beam - g[0], cols - beam - g[1]
            inside = 0.5 * (1.0 - np.tanh((np.hypot(r, c) - 4.0 * inward) / (0.8 * inward)))
            radial = g / max(np.hypot(*g), 1.0)
            tilt = 1.0 + 0.8 * (r * radial[0] + c * radial[1]) / (4.0 * inward)
            pattern += 2000.0 * inside * tilt * (3.0 if h == k == 0 else 1.0)
    return pattern


def test_disks_brighter_on_one_side_give_the_strain_of_their_scaling():
    # A strained disk is its reference disk moved and scaled: the registration follows the
    # centroid of the template's gradients, not the detected centre (before: 4.5e-4, 8.4e-4).
    strains = (0.0, 0.01, 0.02)
    patterns = np.stack([lopsided_lattice(s) for s in strains])
    tracks = track_spots(
        patterns, centres_rc=np.full((3, 2), 64.0), disk_radius_px=4.0, reference_index=0
    )
    assert min(fit.n_spots for fit in tracks.fits) >= 20
    np.testing.assert_allclose(tracks.lattice_strain, strains, atol=1e-4)


def ring_of_disks(moved, brightness: float) -> np.ndarray:
    """Eight disks of radius 5 px, 24 px from a beam at (64, 64) moved by ``moved`` px, brighter
    on their outer side, ``brightness`` counts at their centres."""
    rows, cols = np.indices((128, 128), dtype=float)
    pattern = np.zeros((128, 128))
    for g in RING_G:
        r, c = rows - 64.0 - g[0] - moved[0], cols - 64.0 - g[1] - moved[1]
        inside = 0.5 * (1.0 - np.tanh((np.hypot(r, c) - 5.0) / 0.8))
        pattern += brightness * inside * (1.0 + 0.8 * (r * g[0] + c * g[1]) / (5.0 * 24.0))
    return pattern


RING_G = np.array(
    [(24, 0), (-24, 0), (0, 24), (0, -24), (17, 17), (-17, 17), (17, -17), (-17, -17)]
)


def test_disks_do_not_pull_the_background_of_a_faint_pattern():
    # The disks cover half of the annuli they cross: the median of each annulus was pulled up
    # by the background's noise, along the disks' chords, more in the faint pattern than in its
    # reference; before the disks were left out of the median the disks moved 0.17 px inward.
    rng = np.random.default_rng(5)
    beam, moved = np.array([64.0, 64.0]), np.array([0.37, -0.21])
    errors = []
    for _ in range(10):
        reference = rng.poisson(ring_of_disks((0.0, 0.0), 1000.0) + 100.0)
        templates = disk_templates(
            reference, centre_rc=beam, positions_rc=beam + RING_G, radius_px=5.0
        )
        pattern = rng.poisson(ring_of_disks(moved, 100.0) + 100.0)
        found = register_disks(
            templates, pattern, centre_rc=beam + moved, starts_rc=beam + RING_G + moved
        )
        errors.append(found.position_rc - beam - RING_G - moved)
    outward = RING_G / np.hypot(*RING_G.T)[:, None]
    assert abs(np.mean(np.sum(np.array(errors) * outward, axis=-1))) < 0.03
