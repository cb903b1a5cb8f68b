import numpy as np
import pytest

from insitu_tem.core.model import Axis, DataError, Dataset


def test_axis_coordinates_and_inverse():
    axis = Axis("x", 5, 0.5, -1.0, "nm")
    np.testing.assert_allclose(axis.coordinates(), [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert axis.to_index(axis.to_value(3.25)) == pytest.approx(3.25)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_absurd_scale_is_rejected_with_advice(scale):
    with pytest.raises(DataError, match="--scale"):
        Axis("x", 4, scale, 0.0, "nm")


def test_dataset_checks_axes_against_array():
    with pytest.raises(DataError, match="size"):
        Dataset("image", np.zeros((4, 5)), (Axis("y", 4), Axis("x", 4)))
    with pytest.raises(DataError, match="kind"):
        Dataset("hologram", np.zeros((4, 4)), (Axis("y", 4), Axis("x", 4)))


def test_navigation_and_frames_of_a_2d_scan():
    array = np.arange(3 * 2 * 4 * 4).reshape(3, 2, 4, 4)
    axes = (Axis("scan_y", 3), Axis("scan_x", 2), Axis("ky", 4), Axis("kx", 4))
    dataset = Dataset("pattern_series", array, axes)
    assert dataset.n_items == 6
    assert [a.name for a in dataset.navigation_axes] == ["scan_y", "scan_x"]
    np.testing.assert_array_equal(dataset.frame(3), array[1, 1])
    summary = dataset.summary()
    assert summary["shape"] == [3, 2, 4, 4] and summary["lazy"] is False
