import numpy as np

from insitu_tem.analysis.tomo.composition import composition_from_projections
from insitu_tem.analysis.tomo.dents import dented_labels
from insitu_tem.analysis.tomo.projector import projector
from insitu_tem.analysis.tomo.reconstruct import reconstruct

TILTS = np.arange(-60.0, 60.1, 7.5)


def _wire(n: int = 40, ny: int = 24) -> np.ndarray:
    """(z, y, x) labels: 2 a core of radius 6, 1 a shell out to 11, 0 outside."""
    z, x = np.mgrid[:n, :n] - (n - 1) / 2
    r = np.hypot(z, x - 2.0)
    plane = np.where(r < 6, 2, np.where(r < 11, 1, 0)).astype(np.uint8)
    return np.repeat(plane[:, None, :], ny, axis=1)


def _counts(density: np.ndarray, rng, offset: float = 0.0) -> np.ndarray:
    """Poisson counts of the projections of a (z, y, x) density."""
    nz, ny, nx = density.shape
    proj = projector(TILTS, nx, nz=nz, axis_offset_px=offset)
    slices = density.transpose(0, 2, 1).reshape(nz * nx, ny).astype(np.float32)
    clean = proj.forward(slices).reshape(TILTS.size, nx, ny).transpose(0, 2, 1)
    return rng.poisson(np.clip(clean, 0, None)).astype(np.float32)


def test_a_hollow_shell_element_stays_out_of_the_core():
    rng = np.random.default_rng(5)
    labels = _wire()
    silicon = _counts(np.where(labels == 2, 0.5, np.where(labels == 1, 0.1, 0.0)), rng, 1.5)
    oxygen = _counts(np.where(labels == 1, 0.3, 0.0), rng, 1.5)
    found = composition_from_projections(
        labels, {"Si": silicon, "O": oxygen}, TILTS, axis_offset_px=1.5
    )
    assert found.ok
    np.testing.assert_allclose(found.density[2], [0.5, 0.0], atol=4 * found.density_sigma[2].max())
    np.testing.assert_allclose(found.density[1], [0.1, 0.3], atol=4 * found.density_sigma[1].max())
    assert found.weight_percent[2]["Si"] > 99.0
    shell = found.weight_percent[1]["Si"] - 25.0
    assert abs(shell) < 3 * found.weight_percent_sigma[1]["Si"]
    volume = reconstruct(oxygen, TILTS, method="mlem", axis_offset_px=1.5).volume
    spilled = volume[labels == 2].mean() / volume[labels == 1].mean()
    assert spilled > 0.05 and found.density[2, 1] / found.density[1, 1] < spilled / 5


def test_the_stated_sigma_includes_the_boundary_term():
    rng = np.random.default_rng(6)
    labels = _wire()
    density = np.where(labels == 2, 0.5, 0.0), np.where(labels == 1, 0.3, 0.0)
    series = {"Si": _counts(density[0], rng), "O": _counts(density[1], rng)}
    found = composition_from_projections(labels, series, TILTS)
    assert found.boundary_sigma[2]["Si"] > 0
    assert found.weight_percent_sigma[2]["Si"] >= found.boundary_sigma[2]["Si"]


def test_projections_of_another_grid_are_declined():
    labels = _wire()
    wrong = np.zeros((TILTS.size, 10, labels.shape[2]), np.float32)
    found = composition_from_projections(labels, {"O": wrong}, TILTS)
    assert not found.ok and "(n_tilts, y, x)" in found.reason
    assert np.isnan(found.weight_percent[1]["O"])


def _partial(radius: float, n: int = 40, ny: int = 24, sub: int = 4) -> np.ndarray:
    """(z, y, x) fraction of every voxel inside a cylinder of ``radius`` along y."""
    fine = (np.arange(n * sub) + 0.5) / sub - 0.5 - (n - 1) / 2
    inside = np.hypot(fine[:, None], fine[None, :] - 2.0) < radius
    plane = inside.reshape(n, sub, n, sub).mean(axis=(1, 3))
    return np.repeat(plane[:, None, :], ny, axis=1)


def test_the_reference_moves_a_misplaced_interface():
    rng = np.random.default_rng(7)
    core, wire = _partial(6.0), _partial(11.0)
    labels = _wire()
    labels[(labels == 1) & (_partial(6.6) > 0.5)] = 2
    haadf = _counts(40 * (core + 0.5 * (wire - core)), rng)
    series = {"Si": _counts(0.5 * core, rng), "O": _counts(0.3 * (wire - core), rng)}
    plain = composition_from_projections(labels, series, TILTS)
    placed = composition_from_projections(labels, series, TILTS, reference=haadf)
    assert placed.interface_offsets[(1, 2, "z")] > 0.3
    assert placed.interface_offsets[(1, 2, "across")] > 0.3
    assert 100 - placed.weight_percent[2]["Si"] < (100 - plain.weight_percent[2]["Si"]) / 3
    assert placed.boundary_sigma[2]["Si"] > 100 - placed.weight_percent[2]["Si"]


def test_a_core_label_stretched_along_z_is_moved_along_z_only():
    rng = np.random.default_rng(11)
    core, wire = _partial(6.0), _partial(11.0)
    labels = _wire()
    n = labels.shape[0]
    z, x = np.mgrid[:n, :n] - (n - 1) / 2
    stretched = np.hypot(z / 7.0, (x - 2.0) / 6.0) < 1.0
    labels[(labels == 1) & stretched[:, None, :]] = 2
    haadf = _counts(40 * (core + 0.5 * (wire - core)), rng)
    series = {"Si": _counts(0.5 * core, rng), "O": _counts(0.3 * (wire - core), rng)}
    placed = composition_from_projections(labels, series, TILTS, reference=haadf)
    offsets = placed.interface_offsets
    assert offsets[(1, 2, "z")] > 0.5 and abs(offsets[(1, 2, "across")]) < 0.3
    assert 100 - placed.weight_percent[2]["Si"] < 2 * placed.weight_percent_sigma[2]["Si"]


def test_a_dent_of_the_core_labelled_shell_enters_the_shell_sigma():
    rng = np.random.default_rng(8)
    labels = _wire()
    z = np.arange(labels.shape[0])[:, None, None] - (labels.shape[0] - 1) / 2
    x = np.arange(labels.shape[2])[None, None, :] - (labels.shape[2] - 1) / 2 - 2.0
    notched = labels.copy()
    notched[(labels == 2) & (z > 2) & (np.abs(x) < 3)] = 1
    density = np.where(labels == 2, 0.5, np.where(labels == 1, 0.1, 0.0))
    series = {"Si": _counts(density, rng), "O": _counts(0.3 * (labels == 1), rng)}
    right = composition_from_projections(labels, series, TILTS)
    wrong = composition_from_projections(notched, series, TILTS)
    moved = composition_from_projections(dented_labels(notched, (0, 1, 2), 0), series, TILTS)
    change = abs(wrong.weight_percent[1]["Si"] - moved.weight_percent[1]["Si"])
    assert change > 1.0
    assert wrong.boundary_sigma[1]["Si"] >= change / 2
    assert wrong.boundary_sigma[1]["Si"] > right.boundary_sigma[1]["Si"]
