"""Files of an EELS result: the edge's window map and its per-probe 1σ as float32 TIFFs of the
scan's shape and a CSV (written by ``insitu-tem eels --out`` and File ▸ Export EELS Window Map)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from insitu_tem.io.outputs import output_file


def write_window_map(
    folder: Path, value: dict, *, inputs: tuple[str, ...] = (), force: bool = False
) -> list[Path]:
    """Write the edge's window map and its 1σ (counts) of an EELS result ``value`` in ``folder``:
    ``<edge>_map.tif`` and ``<edge>_map_sigma.tif`` (float32, the scan's shape, a line scan as
    one row) and ``<edge>_map.csv`` (``index,row,col`` or ``index,position_<units>``, then
    ``counts,counts_sigma``); return the paths.

    Raises
    ------
    OSError
        When the folder or a file cannot be written.
    insitu_tem.io.outputs.OutputError
        When a file would replace an input or, without ``force``, a microscope data file.
    """
    import tifffile

    shape = tuple(value["nav_shape"]) if len(value["nav_shape"]) == 2 else (1, -1)
    counts = np.asarray(value["map_counts"], float)
    sigma = np.asarray(value["map_counts_sigma"], float)
    edge = value["edge"]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, values in ((f"{edge}_map", counts), (f"{edge}_map_sigma", sigma)):
        with output_file(folder / f"{name}.tif", inputs=inputs, force=force) as temporary:
            tifffile.imwrite(temporary, values.reshape(shape).astype(np.float32))
        written.append(folder / f"{name}.tif")
    with output_file(folder / f"{edge}_map.csv", inputs=inputs, force=force) as temporary:
        _write_map_csv(temporary, value, counts, sigma)
    return [*written, folder / f"{edge}_map.csv"]


def _write_map_csv(path: Path, value: dict, counts: np.ndarray, sigma: np.ndarray) -> None:
    """``row,col`` (spectrum image) or ``position_<units>`` (line scan), then counts and 1σ."""
    nav_shape = value["nav_shape"]
    if len(nav_shape) == 2:
        header = ["index", "row", "col"]
        where = [divmod(i, nav_shape[1]) for i in range(len(counts))]
    else:
        header = ["index", f"position_{value['units']}"]
        where = [(p,) for p in np.asarray(value["position"], float).reshape(-1)]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header + ["counts", "counts_sigma"])
        for index, (place, c, s) in enumerate(zip(where, counts, sigma)):
            writer.writerow([index, *place, repr(float(c)), repr(float(s))])
