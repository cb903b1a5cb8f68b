"""Refuse a Bruker .bcf whose spectrum data lie past its end before rosettasciio's compiled
parser reads them (a truncated file crashes it with a segmentation fault)."""

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
