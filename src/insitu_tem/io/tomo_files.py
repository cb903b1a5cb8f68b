"""Tomography volumes on disk: float32 (z, y, x) TIFFs with the voxel size, and the label volume
(uint8), kept in a folder beside a project (``<project>.tomo/``) and referenced from it.

Each file is written to a temporary name in its folder and renamed into place, so a project never
references a half-written volume. The reference (:func:`write_project_volumes`) is a plain dict
stored in the project: paths relative to the project file, shapes, voxel size and units.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError
from insitu_tem.io.outputs import OWN_METADATA

FOLDER_SUFFIX = ".tomo"
LABELS_NAME = "labels.tif"


def write_volume(path: str | Path, volume: np.ndarray, voxel: float, units: str) -> None:
    """Write a float32 (z, y, x) ImageJ hyperstack TIFF with the voxel size (``units`` per
    voxel), marked as insitu-tem's (:data:`~insitu_tem.io.outputs.OWN_METADATA`: a rerun
    replaces it without ``--force``)."""
    import tifffile

    metadata = {"spacing": voxel, "unit": "nm" if units == "nm" else "pixel", "axes": "ZYX"}
    tifffile.imwrite(
        path,
        np.asarray(volume, np.float32),
        imagej=True,
        resolution=(1.0 / voxel, 1.0 / voxel),
        metadata=metadata | OWN_METADATA,
    )


def write_labels(path: str | Path, labels: np.ndarray) -> None:
    """Write a uint8 (z, y, x) label volume (0 vacuum/void, 1 shell, 2 core), marked as
    insitu-tem's."""
    import tifffile

    metadata = {"axes": "ZYX"} | OWN_METADATA
    tifffile.imwrite(path, np.asarray(labels, np.uint8), imagej=True, metadata=metadata)


def _atomic(path: Path, write) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tif", dir=path.parent)
    os.close(handle)
    try:
        write(temp)
        with open(temp, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def file_name(channel: str) -> str:
    """A safe file name for a channel (``"O_Ka (2)"`` → ``"O_Ka_2.tif"``)."""
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", channel).strip("_.") or "volume") + ".tif"


def volumes_folder(project_path: str | Path) -> Path:
    """``<project file name>.tomo`` beside the project."""
    project_path = Path(project_path)
    return project_path.with_name(project_path.name + FOLDER_SUFFIX)


def write_project_volumes(
    project_path: str | Path,
    volumes: dict[str, np.ndarray],
    labels: np.ndarray | None,
    *,
    voxel_size: float,
    units: str,
) -> dict:
    """Write every channel's volume (and the labels) beside the project; return the reference.

    Returns
    -------
    dict
        ``{"volumes": {channel: {"path", "shape"}}, "labels": {"path", "shape"} or None,
        "voxel_size": float, "units": str}``, paths relative to the project's folder.
    """
    folder = volumes_folder(project_path)
    folder.mkdir(exist_ok=True)
    entry = {"volumes": {}, "labels": None, "voxel_size": float(voxel_size), "units": units}
    used = set()
    for channel, volume in volumes.items():
        name = file_name(channel)
        while name in used or name == LABELS_NAME:
            name = name[:-4] + "_.tif"
        used.add(name)
        _atomic(folder / name, lambda p, v=volume: write_volume(p, v, voxel_size, units))
        entry["volumes"][channel] = {"path": f"{folder.name}/{name}", "shape": list(volume.shape)}
    if labels is not None:
        _atomic(folder / LABELS_NAME, lambda p: write_labels(p, labels))
        entry["labels"] = {"path": f"{folder.name}/{LABELS_NAME}", "shape": list(labels.shape)}
    return entry


@dataclass(frozen=True)
class ProjectVolumes:
    """Volumes read back from a project: ``{channel: (z, y, x) float32}``, labels or None."""

    volumes: dict
    labels: np.ndarray | None
    voxel_size: float
    units: str


def _read(folder: Path, item: dict, dtype) -> np.ndarray:
    import tifffile

    path = folder / item["path"]
    if not path.is_file():
        raise DataError(
            f"cannot find {path.name} (a tomography volume of the project) in {path.parent}"
        )
    array = np.asarray(tifffile.imread(path), dtype)
    if list(array.shape) != list(item["shape"]):
        raise DataError(
            f"{path.name} holds {list(array.shape)} voxels, the project expects {item['shape']}; "
            "it was replaced: reconstruct again and save"
        )
    return array


def read_project_volumes(folder: str | Path, entry: dict) -> ProjectVolumes:
    """Read the volumes referenced by ``entry`` (see :func:`write_project_volumes`) from the
    project's ``folder``."""
    folder = Path(folder).resolve()
    volumes = {
        channel: _read(folder, item, np.float32)
        for channel, item in entry.get("volumes", {}).items()
    }
    labels = entry.get("labels")
    return ProjectVolumes(
        volumes,
        None if labels is None else _read(folder, labels, np.uint8),
        float(entry.get("voxel_size", 1.0)),
        str(entry.get("units", "px")),
    )
