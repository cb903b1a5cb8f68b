"""Keep an HDF5 file (.hspy, .emd) inside its own folder, checked with h5py before any
reader touches it.

External links, external raw storage and virtual datasets can make a small HDF5 file
read any file on the machine. Targets inside the file's own folder are allowed with a
warning; anything else is refused. The same pass measures the largest dataset's decoded
size (including datasets that were never written) for the memory budget.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError

MAX_OBJECTS = 100_000


def _inside(folder: str, base: str, target: str) -> bool:
    real = os.path.realpath(os.path.join(base, target))
    return os.path.commonpath([folder, real]) == folder and os.path.isfile(real)


def _check_target(folder: str, target: str, what: str, name: str, warnings: list[str]) -> None:
    """Allow a target only when it exists inside ``folder`` however HDF5 resolves it
    (relative to the file's folder, or to the working directory)."""
    if target in (".", ""):
        return
    if not (
        _inside(folder, folder, target)
        and (
            os.path.isabs(target)
            or _inside(folder, os.getcwd(), target)
            or not os.path.exists(os.path.join(os.getcwd(), target))
        )
    ):
        raise DataError(
            f"its {what} {name!r} points at {target!r} outside the file's folder; insitu-tem does "
            "not "
            "follow it — copy the data into one self-contained file"
        )
    warnings.append(f"{what} {name!r} reads {target!r} from the same folder")


class _Survey:
    def __init__(self, handle, folder: str) -> None:
        self.handle, self.folder = handle, folder
        self.count, self.total, self.frame = 0, 0, 0
        self.compressed = False
        self.warnings: list[str] = []
        self.problem: DataError | None = None

    def __call__(self, name: str, link) -> bool | None:
        try:
            self._visit(name, link)
        except DataError as error:
            self.problem = error
            return True
        return None

    def _visit(self, name: str, link) -> None:
        import h5py

        self.count += 1
        if self.count > MAX_OBJECTS:
            raise DataError(
                f"holds more than {MAX_OBJECTS} HDF5 objects; it is not a microscope file "
                "insitu-tem reads"
            )
        if isinstance(link, h5py.ExternalLink):
            _check_target(self.folder, link.filename, "external link", name, self.warnings)
        elif isinstance(link, h5py.HardLink):
            item = self.handle.get(name, getlink=False)
            if isinstance(item, h5py.Dataset):
                self._dataset(name, item)

    def _dataset(self, name: str, dataset) -> None:
        for entry in dataset.external or ():
            _check_target(
                self.folder, os.fsdecode(entry[0]), "external raw storage of", name, self.warnings
            )
        if dataset.is_virtual:
            for source in dataset.virtual_sources():
                _check_target(self.folder, source.file_name, "virtual dataset", name, self.warnings)
        shape = dataset.shape or ()
        itemsize = dataset.dtype.itemsize
        total = int(np.prod(shape, dtype=np.float64)) * itemsize
        if total > self.total:
            chunks = dataset.chunks or shape[-2:]
            self.total = total
            self.frame = int(np.prod(chunks, dtype=np.float64)) * itemsize if shape else itemsize
            self.compressed = (
                dataset.compression is not None or dataset.id.get_storage_size() < total
            )


def inspect_hdf5(path: Path) -> tuple[int, int, bool, tuple[str, ...]]:
    """Check the links and storage of an HDF5 file.

    Returns
    -------
    total, frame : int
        Decoded bytes of the largest dataset and of one of its chunks (or frames).
    compressed : bool
        Whether that dataset is compressed or not fully written.
    warnings : tuple of str
        Links followed inside the file's folder.

    Raises
    ------
    DataError
        When a link, external storage or virtual dataset leaves the file's folder.
    """
    import h5py

    folder = os.path.realpath(Path(path).parent)
    with h5py.File(str(path), "r") as handle:
        survey = _Survey(handle, folder)
        handle.visititems_links(survey)
    if survey.problem is not None:
        raise survey.problem
    return survey.total, survey.frame, survey.compressed, tuple(survey.warnings)
