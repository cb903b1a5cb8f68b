import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.material_volume import (
    measure_materials,
    opened_voids,
    region_volume,
)

LENGTH = 24


def _wire(core_r: float, shell_r: float, blur: float, *, stretch: float = 1.0, n: int = 72):
    """A blurred core–shell wire (core 2, shell 1) along y, slightly inclined so that the slices
    sample the edges at different sub-pixel places, drawn with 4× supersampling; ``stretch`` > 1
    elongates the blurred image along z as the missing wedge does. Also the materials' areas."""
    fine = (np.arange(4 * n) + 0.5) / 4 - n / 2
    planes = []
    for y in range(LENGTH):
        radius = np.hypot(fine[:, None] - 0.3 - 0.04 * y, fine[None, :] + 0.2 + 0.03 * y)
        plane = (radius < shell_r).astype(np.float32) + (radius < core_r)
        planes.append(plane.reshape(n, 4, n, 4).mean(axis=(1, 3)))
    volume = ndimage.gaussian_filter(np.stack(planes, axis=1), blur)
    if stretch != 1.0:
        centre = (n - 1) / 2
        zz = (np.arange(n) - centre) / stretch + centre
        volume = ndimage.map_coordinates(
            volume, np.meshgrid(zz, np.arange(LENGTH), np.arange(n), indexing="ij"), order=1
        )
    rng = np.random.default_rng(1)
    volume = volume + rng.normal(0, 0.02, volume.shape).astype(np.float32)
    areas = {2: np.pi * core_r**2 * LENGTH, 1: np.pi * (shell_r**2 - core_r**2) * LENGTH}
    return volume, areas


def _labels(volume: np.ndarray, thresholds) -> np.ndarray:
    return np.digitize(ndimage.gaussian_filter(volume, 1.0), thresholds).astype(np.uint8)


def test_blur_and_an_off_midpoint_threshold_are_corrected():
    volume, areas = _wire(12.0, 26.0, 2.0)
    labels = _labels(volume, (0.35, 1.7))
    counts = {k: float(np.sum(labels == k)) for k in (1, 2)}
    found = measure_materials(volume, labels, 0.0, 0.0, core_label=2, shell_label=1)
    found, sigma = found.volumes, found.sigmas
    for k in (1, 2):
        assert abs(counts[k] / areas[k] - 1) > 0.04
        assert abs(found[k] / areas[k] - 1) < 0.01
        assert sigma[k] < 0.02 * areas[k]


def test_blur_term_is_pi_sigma_squared_per_slice():
    volume, _ = _wire(12.0, 22.0, 2.5)
    labels = _labels(volume, (0.5, 1.5))
    data = ndimage.gaussian_filter(volume, 1.0)
    core = region_volume(data, labels == 2, labels == 2, labels == 1)
    blurred = np.hypot(2.5, 1.0)
    assert abs(core.edge_sigma_px / blurred - 1) < 0.1
    assert abs(core.blur / (np.pi * core.edge_sigma_px**2 * LENGTH) - 1) < 1e-6


def test_a_stretch_along_z_is_removed_and_enters_the_sigma():
    volume, areas = _wire(12.0, 22.0, 1.5, stretch=1.15)
    labels = _labels(volume, (0.5, 1.5))
    data = ndimage.gaussian_filter(volume, 1.0)
    core = region_volume(data, labels == 2, labels == 2, labels == 1)
    assert core.stretch < -0.03 * areas[2]
    assert abs(core.volume - areas[2]) < abs(core.count - areas[2])


def test_voids_of_the_shell_are_taken_out_of_its_material():
    volume, areas = _wire(12.0, 22.0, 2.0)
    labels = _labels(volume, (0.5, 1.5))
    solid = measure_materials(volume, labels, 0.0, 0.0, core_label=2, shell_label=1).volumes
    porous = measure_materials(volume, labels, 0.1, 0.01, core_label=2, shell_label=1)
    porous, sigma = porous.volumes, porous.sigmas
    assert np.isclose(porous[1], 0.9 * solid[1]) and np.isclose(porous[2], solid[2])
    assert sigma[1] > 0.009 * solid[1]


def wire_with_core_void(
    void_r: float, *, core_r=12.0, shell_r=22.0, n: int = 72, axis_zx=(0.0, 0.0)
):
    """A wire (blur 2 px, axis at ``axis_zx`` px from the volume's centre) whose core holds a
    void sphere of radius ``void_r`` one pixel inside its border, drawn with 4× supersampling;
    also the materials' volumes."""
    fine = (np.arange(4 * n) + 0.5) / 4 - n / 2
    z, x = fine[:, None, None] - axis_zx[0], fine[None, None, :] - axis_zx[1]
    y = (np.arange(LENGTH) - LENGTH / 2)[None, :, None]
    radius = np.hypot(z, x)
    fine_volume = (radius < shell_r).astype(np.float32) + (radius < core_r)
    void = np.hypot(np.hypot(z - (core_r - void_r - 1), x), y) < void_r
    fine_volume = np.where(void, 0.0, np.broadcast_to(fine_volume, void.shape))
    volume = fine_volume.reshape(n, 4, LENGTH, n, 4).mean(axis=(1, 4)).astype(np.float32)
    volume = ndimage.gaussian_filter(volume, 2.0)
    volume += np.random.default_rng(1).normal(0, 0.02, volume.shape).astype(np.float32)
    void_volume = float(np.sum(np.pi * np.maximum(void_r**2 - y.ravel() ** 2, 0)))
    core = np.pi * core_r**2 * LENGTH - void_volume
    return volume, {2: core, 1: np.pi * (shell_r**2 - core_r**2) * LENGTH}, void_volume


def test_a_core_void_opening_into_the_shell_enters_the_shell_sigma():
    for void_r in (0.0, 5.0):
        volume, areas, void_volume = wire_with_core_void(void_r)
        labels = _labels(volume, (0.5, 1.5))
        data = ndimage.gaussian_filter(volume, 1.0)
        wire = np.stack([ndimage.binary_fill_holes(p) for p in np.moveaxis(labels > 0, 1, 0)])
        opened = opened_voids(data, labels == 2, labels == 1, ~np.moveaxis(wire, 0, 1))
        found = measure_materials(volume, labels, 0.0, 0.0, core_label=2, shell_label=1)
        found, sigma = found.volumes, found.sigmas
        if void_r == 0:
            assert opened < 0.002 * areas[2]
        else:
            assert 0.2 * void_volume < opened < void_volume
            assert found[1] - areas[1] > 0.5 * opened
            assert sigma[1] >= opened and abs(found[1] - areas[1]) < 2 * sigma[1]


def test_a_core_too_thin_for_its_plateau_is_not_measured_rather_than_zero():
    import warnings

    z, y, x = np.indices((20, 20, 20))
    radius = np.hypot(z - 10, x - 10)
    core, shell = radius < 1.5, (radius >= 1.5) & (radius < 6)
    data = core + 1.0 * (radius < 6) + np.random.default_rng(0).normal(0, 0.05, core.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        inner = region_volume(data, core, core, shell)
    assert np.isnan([inner.count, inner.threshold, inner.holes, inner.volume]).all()


def test_an_empty_region_is_not_measured_and_says_why():
    """A region with no voxel (its label absent, or lost to binning) has no extents: NaN fields
    with the reason, not a mean of an empty slice."""
    import warnings

    volume, _ = _wire(12.0, 22.0, 1.5)
    labels = _labels(volume, (0.5, 1.5))
    data = ndimage.gaussian_filter(volume, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        empty = region_volume(data, np.zeros(labels.shape, bool), labels == 2, labels == 1)
    assert np.isnan([empty.volume, empty.sigma, empty.stretch, empty.count]).all()
    assert "holds no voxels" in empty.reason
    assert region_volume(data, labels == 2, labels == 2, labels == 1).reason == ""


def test_a_volume_without_an_edge_is_not_measured_rather_than_divided_by_zero():
    volume, _ = _wire(12.0, 22.0, 1.5)
    labels = _labels(volume, (0.5, 1.5))
    flat = measure_materials(np.ones_like(volume), labels, 0.0, 0.0, core_label=2, shell_label=1)
    assert np.isnan(list(flat.volumes.values()) + list(flat.sigmas.values())).all()
    assert "core not measured: no edge" in flat.reason and "wire not measured" in flat.reason


def test_a_wire_whose_core_is_too_thin_says_why_its_material_volumes_are_missing():
    from insitu_tem.analysis.tomo.measure import measure_wire

    z, y, x = np.indices((24, 20, 24))
    radius = np.hypot(z - 12, x - 12)
    labels = (radius < 8).astype(np.uint8) + (radius < 1.5)
    volume = labels + np.random.default_rng(0).normal(0, 0.05, labels.shape)
    wire = measure_wire(labels, volume)
    assert wire.ok and np.isnan(wire.material_volumes[2])
    assert wire.material_volumes_reason.startswith("core not measured: no plateau inside")


def test_a_volume_with_non_finite_voxels_is_not_measured_and_says_so():
    volume, _ = _wire(12.0, 22.0, 1.5)
    labels = _labels(volume, (0.5, 1.5))
    volume[3, 4, 5] = np.nan
    found = measure_materials(volume, labels, 0.0, 0.0, core_label=2, shell_label=1)
    assert np.isnan(list(found.volumes.values())).all()
    assert found.reason == "the volume holds 1 non-finite voxel"
