"""Velox EMD spectrum streams: how many bytes a file decodes to, its EDS spectrum streams as the
spectrum image rosettasciio makes of them, told from the streams' acquisition settings without
decoding them.

A lazy read of a Velox spectrum stream goes through rosettasciio's sparse reader, whose first
call in a process compiles for about 13 s and whose every sum densifies the cube (``info
--lazy`` on velox_EELS_EDS.zip's .emd: 25 s for a 128 × 128 × 4096 cube). A file that decodes to
at most :data:`~insitu_tem.io.readers.budget.LAZY_BYTES` (what insitu-tem reads into memory
anyway) is therefore decoded into memory even when a lazy read is asked for: its arrays are numpy
(``Dataset.lazy`` False).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def _settings(stream) -> dict:
    """A stream's AcquisitionSettings (JSON text, NUL-padded)."""
    text = bytes(np.asarray(stream["AcquisitionSettings"]).reshape(-1)[0])
    return json.loads(text.decode("utf-8", "replace").rstrip("\x00"))


def _cube_bytes(stream) -> int:
    """Bytes of the (rows, cols, channels) spectrum image of one stream, frames summed."""
    settings = _settings(stream)
    raster = settings["RasterScanDefinition"]
    itemsize = np.dtype(settings.get("StreamEncoding") or "uint16").itemsize
    return int(raster["Height"]) * int(raster["Width"]) * int(settings["bincount"]) * itemsize


def _streams(handle):
    """The file's spectrum-stream group, or None when it has no stream."""
    streams = handle.get("Data/SpectrumStream")
    return streams if streams is not None and len(streams) else None


def spectrum_image_bytes(path: str | Path) -> int | None:
    """Bytes of the largest (rows, cols, channels) spectrum image rosettasciio decodes a Velox
    EMD file's spectrum streams to (frames summed); None without a stream or readable settings.

    Parameters
    ----------
    path : str or Path
        An .emd file (HDF5).

    Returns
    -------
    int or None
    """
    import h5py

    try:
        with h5py.File(str(path), "r") as handle:
            streams = _streams(handle)
            return None if streams is None else max(_cube_bytes(streams[k]) for k in streams)
    except (OSError, KeyError, ValueError, TypeError):
        return None


def decoded_bytes(path: str | Path) -> int | None:
    """Bytes the datasets of a Velox EMD file take in memory, its spectrum streams counted as
    the spectrum image rosettasciio decodes them to (detectors and frames summed, its default).

    Parameters
    ----------
    path : str or Path
        An .emd file (HDF5).

    Returns
    -------
    int or None
        None when the file holds no spectrum stream or its settings cannot be read (the caller
        keeps rosettasciio's lazy reader).
    """
    import h5py

    cube = spectrum_image_bytes(path)
    if cube is None:
        return None
    sizes = [cube]
    with h5py.File(str(path), "r") as handle:
        handle.visititems(
            lambda _, item: (
                sizes.append(item.size * item.dtype.itemsize)
                if isinstance(item, h5py.Dataset)
                else None
            )
        )
    return sum(sizes)
