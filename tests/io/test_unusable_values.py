"""One count of unusable values for loading (the NaN/Inf note) and for the pattern commands
(which also refuse values whose squared sum overflows)."""

import dask.array as da
import numpy as np
import pytest

from insitu_tem.core.model import DataError
from insitu_tem.io.kinds import unusable_values
from insitu_tem.io.load import load


def test_nan_and_inf_count_and_overflow_counts_only_for_a_squared_sum():
    array = np.ones((2, 16, 16), np.float64)
    array[0, 0, :3] = np.nan, np.inf, -np.inf
    array[1, 5, 5] = 1e308
    assert unusable_values(array) == 3
    assert unusable_values(array, squared_sum=True) == 4
    assert unusable_values(np.ones((16, 16), np.int64)) == 0
    assert unusable_values(da.from_array(array), squared_sum=True) == 0


def test_loading_notes_the_same_count_and_refuses_no_finite_value(tmp_path):
    array = np.ones((8, 8), np.float32)
    array[0, :2] = np.nan
    np.save(tmp_path / "two.npy", array)
    assert "2 NaN/Inf values; analyses ignore or reject them" in load(tmp_path / "two.npy").warnings
    np.save(tmp_path / "none.npy", np.full((8, 8), np.nan, np.float32))
    with pytest.raises(DataError, match="no finite value"):
        load(tmp_path / "none.npy")
