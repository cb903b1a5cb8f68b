"""Bruker .bcf files before their spectrum data are decoded: refuse one whose spectrum data lie
past its end before rosettasciio's compiled parser reads them (a truncated file crashes it with
a segmentation fault), and tell from its header how large its spectrum image decodes."""

from __future__ import annotations

import os
from pathlib import Path

from insitu_tem.core.model import DataError


def check_bcf_complete(path: Path) -> None:
    """Raise DataError when a chunk of any ``EDSDatabase/SpectrumData`` stream of ``path``
    starts beyond the end of the file."""
    from rsciio.bruker._api import SFS_reader

    try:
        container = SFS_reader(str(path))
        database = container.vfs.get("EDSDatabase", {})
        streams = [container.get_file(f"EDSDatabase/{name}") for name in database]
    except Exception as error:  # noqa: BLE001 - the container parser raises anything when damaged
        raise DataError(
            f"cannot be read as a Bruker .bcf ({type(error).__name__}); re-export or copy it again"
        ) from error
    size = os.path.getsize(path)
    for stream in streams:
        pointers = getattr(stream, "pointers", None)
        if pointers is not None and len(pointers) and max(pointers) >= size:
            raise DataError(
                f"its spectrum data reach past the end of the file ({size} bytes); it is "
                "truncated — re-export or copy it again"
            )


def bcf_spectrum_image_bytes(path: Path) -> int | None:
    """Bytes of the largest (rows, cols, channels) spectrum image rosettasciio decodes ``path``
    to (every recorded channel, its estimated integer type), from the header alone; None when
    the header cannot be read (the reader then decides).

    Parameters
    ----------
    path : Path
        A Bruker .bcf file.

    Returns
    -------
    int or None
    """
    import numpy as np
    from rsciio.bruker._api import BCF_reader, fast_unbcf

    try:
        header = BCF_reader(str(path)).header
        return max(
            header.image.height
            * header.image.width
            * header.spectra_data[index].data.size
            * np.dtype(header.estimate_map_depth(index=index, for_numpy=not fast_unbcf)).itemsize
            for index in header.spectra_data
        )
    except Exception:  # noqa: BLE001 - the container parser raises anything when damaged
        return None
