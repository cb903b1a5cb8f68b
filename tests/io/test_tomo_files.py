"""Tomography volumes beside a project: written whole (no temporary files left), read back
bit-identical, and a replaced or missing file is an error that says what to do."""

import numpy as np
import pytest
import tifffile

from insitu_tem.core.model import DataError
from insitu_tem.io.tomo_files import read_project_volumes, write_project_volumes


def test_volumes_and_labels_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    volumes = {
        "HAADF": rng.random((6, 7, 8), np.float32),
        "O_Ka (2)": rng.random((6, 7, 8), np.float32),
    }
    labels = rng.integers(0, 3, (6, 7, 8)).astype(np.uint8)
    entry = write_project_volumes(
        tmp_path / "a.itproj", volumes, labels, voxel_size=0.5, units="nm"
    )
    folder = tmp_path / "a.itproj.tomo"
    assert sorted(p.name for p in folder.iterdir()) == ["HAADF.tif", "O_Ka_2.tif", "labels.tif"]
    assert entry["volumes"]["O_Ka (2)"]["path"] == "a.itproj.tomo/O_Ka_2.tif"
    assert tifffile.imread(folder / "HAADF.tif").dtype == np.float32
    saved = read_project_volumes(tmp_path, entry)
    for name, volume in volumes.items():
        np.testing.assert_array_equal(saved.volumes[name], volume)
    np.testing.assert_array_equal(saved.labels, labels)
    assert (saved.voxel_size, saved.units) == (0.5, "nm")


def test_a_replaced_or_missing_volume_is_reported(tmp_path):
    entry = write_project_volumes(
        tmp_path / "a.itproj", {"HAADF": np.zeros((4, 4, 4))}, None, voxel_size=1.0, units="px"
    )
    tifffile.imwrite(
        tmp_path / "a.itproj.tomo" / "HAADF.tif",
        np.zeros((2, 4, 4), np.float32),
        photometric="minisblack",
    )
    with pytest.raises(DataError, match="reconstruct again"):
        read_project_volumes(tmp_path, entry)
    (tmp_path / "a.itproj.tomo" / "HAADF.tif").unlink()
    with pytest.raises(DataError, match="cannot find HAADF.tif"):
        read_project_volumes(tmp_path, entry)
