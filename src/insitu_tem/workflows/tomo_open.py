"""Which paths are tilt series (for the Tomography panel, not a movie or a pattern), told
from their names, the files beside them and, for HDF5, the navigation axis's units (nothing
is read but those)."""

from __future__ import annotations

import re
from pathlib import Path

from insitu_tem.io.readers.tilt_angles import angle_from_name
from insitu_tem.io.readers.tilt_series import FILE_SUFFIXES, TILT_FILE_SUFFIXES


def is_tilt_series(path: str | Path) -> bool:
    """Whether ``path`` is a tilt series for the Tomography panel rather than a movie or a
    pattern: a SerialEM ``.mdoc``; an IMOD ``.ali``/``.st``, or an ``.mrc`` with a tilt file
    beside it; an ``.hspy`` whose navigation axis is in degrees; a folder of spectrum images, or
    of two or more images named by angle alone (``-40.tif``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        files = [p for p in path.iterdir() if p.suffix.lower() in FILE_SUFFIXES]
        if any(p.suffix.lower() in (".bcf", ".emd") for p in files) and len(files) >= 2:
            return True
        named = [p for p in files if _ANGLE_NAME.fullmatch(p.stem)]
        return len({angle_from_name(p) for p in named}) >= 2
    if suffix in (".mdoc", ".ali", ".st"):
        return True
    if suffix in (".mrc", ".mrcs"):
        return any(path.with_suffix(s).is_file() for s in (*TILT_FILE_SUFFIXES, ".mdoc"))
    if suffix in (".hspy", ".hdf5"):
        return _navigates_in_degrees(path)
    return False


_ANGLE_NAME = re.compile(r"[-+]?\d+(?:\.\d+)?")
DEGREE_UNITS = ("deg", "degree", "degrees", "°", "º")


def _navigates_in_degrees(path: Path) -> bool:
    import h5py

    try:
        with h5py.File(path, "r") as file:
            experiments = file.get("Experiments")
            axes = [] if experiments is None else [e.get("axis-0") for e in experiments.values()]
            return any(
                a is not None
                and bool(a.attrs.get("navigate", False))
                and str(a.attrs.get("units", "")).strip().lower() in DEGREE_UNITS
                for a in axes
            )
    except (OSError, AttributeError, TypeError):
        return False
