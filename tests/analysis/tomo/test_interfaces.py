import itertools

import numpy as np
import pytest

from insitu_tem.analysis.tomo.interfaces import interfaces


def _reference(labels: np.ndarray, take: int, give: int) -> tuple[np.ndarray, np.ndarray]:
    """Voxel by voxel: the share of ``give``'s contacts with ``take`` along z, and the rest."""
    along = np.zeros(labels.shape, np.float32)
    across = np.zeros(labels.shape, np.float32)
    for voxel in itertools.product(*(range(n) for n in labels.shape)):
        if labels[voxel] != give:
            continue
        counts = [0, 0, 0]
        for axis, step in itertools.product(range(3), (-1, 1)):
            other = list(voxel)
            other[axis] += step
            if 0 <= other[axis] < labels.shape[axis] and labels[tuple(other)] == take:
                counts[axis] += 1
        if sum(counts):
            along[voxel] = np.float32(counts[0]) / np.float32(sum(counts))
            across[voxel] = np.float32(1) - along[voxel]
    return along, across


@pytest.mark.parametrize("seed", range(8))
def test_layers_match_a_voxel_by_voxel_count(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 8, 3))
    labels = rng.integers(0, 4, shape).astype(np.uint8)
    if seed % 2:
        labels = np.ascontiguousarray(labels.transpose(2, 0, 1)).transpose(1, 2, 0)
    present = tuple(int(v) for v in np.unique(labels))
    found = interfaces(labels, present, lambda volume: volume)
    expected_pairs, grow, shrink = [], [], []
    for i, j in itertools.combinations(range(len(present)), 2):
        into_b = _reference(labels, present[i], present[j])
        into_a = _reference(labels, present[j], present[i])
        if not into_b[0].any() and not into_b[1].any():
            continue
        expected_pairs += [(i, j), (i, j)]
        grow += into_b
        shrink += into_a
    assert found.pairs == tuple(expected_pairs)
    assert found.facing == ("z", "across") * (len(expected_pairs) // 2)
    if expected_pairs:
        assert found.layers.dtype == np.float32
        assert np.array_equal(found.layers, np.stack(grow + shrink))


def test_parts_add_up_to_the_layer_and_vanish_without_contact():
    labels = np.zeros((6, 5, 4), np.uint8)
    labels[2:4, 1:4, 1:3] = 1
    labels[5, 0, 0] = 2
    found = interfaces(labels, (0, 1, 2), lambda volume: volume)
    assert found.pairs == ((0, 1), (0, 1), (0, 2), (0, 2))
    n = len(found.pairs)
    core = labels == 1
    assert np.array_equal(found.layers[0] + found.layers[1], core.astype(np.float32))
    assert np.all(found.layers[0][core] > 0) and np.all(found.layers[0][~core] == 0)
    touching_one = found.layers[n] + found.layers[n + 1]
    assert touching_one[0, 0, 3] == 0 and touching_one[2, 0, 1] == 1
    assert found.layers[2][5, 0, 0] == np.float32(1 / 3)
