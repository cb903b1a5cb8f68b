import numpy as np

from insitu_tem.analysis.tomo.dents import dented_labels


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
