import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.material_volume import (
    STRETCH_SIGMA_FRACTION,
    core_dent,
    measure_materials,
    region_volume,
)
from insitu_tem.analysis.tomo.wire_section import wire_section
from tests.analysis.tomo.test_material_volume import wire_with_core_void

TILTS = np.arange(-60.0, 60.1, 5.0)
LENGTH, SIZE = 24, 72


def _shadows(radii_densities, *, centre_zx=(1.3, -2.1), scale=1.0, seed=None) -> np.ndarray:
    """(n_tilts, LENGTH, SIZE) projections of nested cylinders along y, the chords averaged over a
    5-point grid across every pixel; Poisson counts when ``seed`` is given."""
    fine = (np.arange(5 * SIZE) + 0.5) / 5 - SIZE / 2
    rows = []
    for theta in np.deg2rad(TILTS):
        centre = centre_zx[1] * np.cos(theta) + centre_zx[0] * np.sin(theta)
        chords = sum(
            density * 2 * np.sqrt(np.maximum(radius**2 - (fine - centre) ** 2, 0))
            for radius, density in radii_densities
        )
        rows.append(chords.reshape(SIZE, 5).mean(axis=1))
    stack = np.repeat(np.stack(rows)[:, None, :], LENGTH, axis=1) * scale
    if seed is not None:
        stack = np.random.default_rng(seed).poisson(stack).astype(np.float32)
    return stack


def _rows() -> np.ndarray:
    return np.ones(LENGTH, bool)


def test_the_radius_and_area_of_a_cylinder_come_from_its_shadow():
    found = wire_section(_shadows([(24.3, 1.0)]), TILTS, _rows(), core_radius_px=12.0)
    assert found.ok
    assert abs(found.radius - 24.3) < 0.01
    assert abs(found.area / (np.pi * 24.3**2) - 1) < 1e-3
    assert np.ptp(found.radii) < 0.05


def test_a_blurred_noisy_shadow_gives_the_radius_within_its_sigma():
    stack = _shadows([(24.3, 0.5), (14.0, 0.5)], scale=0.8, seed=3)
    found = wire_section(
        ndimage.gaussian_filter1d(stack, 0.6, axis=2), TILTS, _rows(), core_radius_px=14.0
    )
    assert found.ok and 0 < found.radius_sigma < 0.1
    assert abs(found.radius - 24.3) < 3 * found.radius_sigma


def test_a_shell_too_thin_for_the_band_is_not_measured():
    found = wire_section(_shadows([(15.0, 1.0)]), TILTS, _rows(), core_radius_px=14.0)
    assert not found.ok and "thinner" in found.reason and np.isnan(found.area)


def _volume(core_r: float, shell_r: float, *, void_r: float = 0.0) -> np.ndarray:
    """The same wire (core density 2, shell 1, at ``_shadows``' centre) as a volume blurred by
    2 px, drawn with 4× supersampling; a void sphere of radius ``void_r`` one pixel inside the
    core's border."""
    return wire_with_core_void(void_r, core_r=core_r, shell_r=shell_r, n=SIZE, axis_zx=(1.3, -2.1))[
        0
    ]


def _labels(volume: np.ndarray) -> np.ndarray:
    return np.digitize(ndimage.gaussian_filter(volume, 1.0), (0.5, 1.5)).astype(np.uint8)


def _shell(volume: np.ndarray, shadows: np.ndarray | None) -> tuple[float, float]:
    found = measure_materials(
        volume,
        _labels(volume),
        0.0,
        0.0,
        core_label=2,
        shell_label=1,
        projections=shadows,
        tilts_deg=None if shadows is None else TILTS,
    )
    return found.volumes[1], found.sigmas[1]


def test_the_shell_takes_the_wires_region_from_the_projections():
    volume = _volume(12.0, 22.0)
    alone, alone_sigma = _shell(volume, None)
    found, sigma = _shell(volume, _shadows([(22.0, 1.0), (12.0, 1.0)]))
    wider = _shell(volume, _shadows([(22.05, 1.0), (12.0, 1.0)]))[0]
    assert found != alone and sigma < alone_sigma
    assert abs((wider - found) / (np.pi * (22.05**2 - 22.0**2) * LENGTH) - 1) < 0.1


def test_the_shells_sigma_is_the_sections_and_the_core_regions_own_error():
    """With the projections the shell's 1σ adds the section's least-squares error, the core
    region's noise terms and the half-stretch's own error, not the two stretch estimates'."""
    volume = _volume(12.0, 22.0)
    shadows = _shadows([(22.0, 1.0), (12.0, 1.0)], scale=20.0, seed=3)
    _, sigma = _shell(volume, shadows)
    labels = _labels(volume)
    core, shell = labels == 2, labels == 1
    inner = region_volume(ndimage.gaussian_filter(volume, 1.0), core, core, shell)
    radius = np.sqrt(core.sum() / (np.pi * LENGTH))
    section = wire_section(shadows, TILTS, _rows(), core_radius_px=radius)
    terms = [section.area_sigma * LENGTH, inner.noise_sigma, STRETCH_SIGMA_FRACTION * inner.stretch]
    assert np.isclose(sigma, np.linalg.norm(terms), rtol=1e-6)
    assert inner.noise_sigma < inner.sigma


def test_a_core_void_opening_into_the_shell_is_given_to_the_core():
    void_r = 5.0
    shadows = _shadows([(22.0, 1.0), (12.0, 1.0)])
    solid, porous = _volume(12.0, 22.0), _volume(12.0, 22.0, void_r=void_r)
    moved = _shell(porous, shadows)[0] - _shell(solid, shadows)[0]
    moved_alone = _shell(porous, None)[0] - _shell(solid, None)[0]
    assert moved < 0 < moved_alone
    labels = _labels(porous)
    data = ndimage.gaussian_filter(porous, 1.0)
    wire = np.stack([ndimage.binary_fill_holes(labels[:, y] > 0) for y in range(LENGTH)], axis=1)
    assert core_dent(data, labels == 2, labels == 1, ~wire) > 0.2 * (4 / 3 * np.pi * void_r**3)


def test_projections_of_another_wire_leave_the_volumes_estimate():
    volume = _volume(12.0, 22.0)
    labels = _labels(volume)
    alone = measure_materials(volume, labels, 0.0, 0.0, core_label=2, shell_label=1)
    other = measure_materials(
        volume,
        labels,
        0.0,
        0.0,
        core_label=2,
        shell_label=1,
        projections=_shadows([(27.0, 1.0), (12.0, 1.0)]),
        tilts_deg=TILTS,
    )
    assert other == alone
