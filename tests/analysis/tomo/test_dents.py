import numpy as np
from scipy import ndimage
from skimage.morphology import convex_hull_image

from insitu_tem.analysis.tomo.dents import _in_hulls, _opened, dented_labels


def _wire(n: int = 40, ny: int = 12) -> np.ndarray:
    z, x = np.mgrid[:n, :n] - (n - 1) / 2
    r = np.hypot(z, x)
    plane = np.where(r < 8, 2, np.where(r < 14, 1, 0)).astype(np.uint8)
    return np.repeat(plane[:, None, :], ny, axis=1)


def _notched(labels: np.ndarray) -> np.ndarray:
    """The core's rim beyond z = +3 given to the shell: a notch opening into the shell."""
    notched = labels.copy()
    z = np.arange(labels.shape[0])[:, None, None] - (labels.shape[0] - 1) / 2
    x = np.arange(labels.shape[2])[None, None, :] - (labels.shape[2] - 1) / 2
    notched[(labels == 2) & (z > 3) & (np.abs(x) < 4)] = 1
    return notched


def test_a_convex_core_in_its_shell_has_no_dent():
    labels = _wire()
    assert dented_labels(labels, (0, 1, 2), 0) is None


def test_the_notch_inside_the_core_hull_goes_back_to_the_core():
    labels = _wire()
    moved = dented_labels(_notched(labels), (0, 1, 2), 0)
    assert moved is not None
    notch = (labels == 2) & (_notched(labels) == 1)
    assert np.count_nonzero(moved[notch] == 2) > 0.5 * notch.sum()
    assert np.all(moved[~notch] == labels[~notch])


def test_separate_grains_have_no_dent_between_them():
    labels = np.zeros((30, 6, 30), np.uint8)
    labels[5:25, :, 5:25] = 1
    labels[8:13, :, 8:13] = 2
    labels[17:22, :, 17:22] = 2
    assert dented_labels(labels, (0, 1, 2), 0) is None


def test_the_hull_shortcuts_keep_every_voxel_of_the_hulls():
    rng = np.random.default_rng(3)
    field = ndimage.gaussian_filter(rng.random((40, 3, 40)), (2.5, 0, 2.5))
    labels = np.digitize(field, np.quantile(field, [0.4, 0.7])).astype(np.uint8)
    for value in (1, 2):
        mask, others = labels == value, (labels > 0) & (labels != value)
        expected = np.zeros_like(mask)
        for y in range(mask.shape[1]):
            parts, _ = ndimage.label(mask[:, y], structure=np.ones((3, 3), bool))
            for index, box in enumerate(ndimage.find_objects(parts), start=1):
                expected[box[0], y, box[1]] |= convex_hull_image(parts[box] == index)
        np.testing.assert_array_equal(_in_hulls(mask, others), expected & others)


def test_the_opening_group_by_group_is_the_opening_of_the_whole():
    rng = np.random.default_rng(4)
    mask = ndimage.binary_dilation(rng.random((30, 30, 30)) > 0.995, iterations=2)
    mask[0, :3, :3] = True
    opened = _opened(mask)
    assert opened.any() and (mask & ~opened).any()
    np.testing.assert_array_equal(opened, ndimage.binary_opening(mask))
