import numpy as np
import pytest

from insitu_tem.analysis.tomo.dent_columns import moved_columns
from insitu_tem.analysis.tomo.interfaces import interfaces
from insitu_tem.analysis.tomo.projector import projector

TILTS = np.arange(-60.0, 60.1, 15.0)


def _wire(n: int = 32, ny: int = 10) -> np.ndarray:
    z, x = np.mgrid[:n, :n] - (n - 1) / 2
    r = np.hypot(z, x)
    plane = np.where(r < 6, 2, np.where(r < 11, 1, 0)).astype(np.uint8)
    labels = np.repeat(plane[:, None, :], ny, axis=1)
    labels[3, 2, 16] = 3
    return labels


def _from_scratch(labels: np.ndarray, present, proj):
    def project(volume):
        nz, ny, nx = volume.shape
        return proj.forward(volume.transpose(0, 2, 1).reshape(nz * nx, ny).astype(np.float32))

    return np.stack([project(labels == v) for v in present]), interfaces(labels, present, project)


def _moved(labels: np.ndarray, seed: int) -> np.ndarray:
    """Random voxels given a random neighbour's label, the lone label-3 voxel given to vacuum and
    a patch of the shell's outer edge given to the core (a new interface, core–vacuum)."""
    rng = np.random.default_rng(seed)
    moved = labels.copy()
    z, y, x = (rng.integers(1, n - 1, 400) for n in labels.shape)
    moved[z, y, x] = labels[z + rng.integers(-1, 2, 400), y, x]
    moved[3, 2, 16] = 0
    moved[5:7, 4:6, 14:18] = np.where(labels[5:7, 4:6, 14:18] == 1, 2, labels[5:7, 4:6, 14:18])
    return moved


@pytest.mark.parametrize("seed", [0, 1, 2, 4])
def test_the_update_gives_the_columns_of_the_moved_labels(seed):
    labels = _wire()
    moved = _moved(labels, seed)
    present = (0, 1, 2, 3)
    proj = projector(TILTS, labels.shape[2], nz=labels.shape[0])
    design, found = _from_scratch(labels, present, proj)
    expected_design, expected = _from_scratch(moved, present, proj)
    got_design, got = moved_columns(labels, moved, present, design, found, proj.transpose)
    assert (0, 3) in found.pairs and (0, 3) not in got.pairs and (0, 2) in got.pairs
    assert got.pairs == expected.pairs and got.facing == expected.facing
    scale = np.abs(expected_design).max()
    np.testing.assert_allclose(got_design, expected_design, rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(got.layers, expected.layers, rtol=0, atol=1e-5 * scale)
