"""A small 2-D NBD scan (a 4D-STEM raster) made of the NBD sample's patterns, for the map of the
NBD panel: the WO3 lattice strained by 0 to :data:`STRAIN_MAX` from the left column to the right
one, its spots giving way to amorphous W + Li2O rings towards the lower right, the beam
descanned by :data:`DESCAN_PX` per probe along both scan axes (Poisson counts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from insitu_tem.core.model import Axis, Dataset
from insitu_tem.samples import nbd

STRAIN_MAX = 0.01
DESCAN_PX = 0.1
DATA_NAME = "nbd_raster.hspy"


def spot_fraction(row: int, col: int, rows: int, cols: int) -> float:
    """Weight of the WO3 spots at probe (row, col) (1 − it: the amorphous rings)."""
    return float(np.clip(1.5 - 2.0 * (row + col) / max(rows + cols - 2, 1), 0.0, 1.0))


def truth_strain(rows: int, cols: int) -> np.ndarray:
    """(rows, cols) lattice strain d/d_ref − 1 of the spots (against column 0)."""
    return np.tile(STRAIN_MAX * np.arange(cols) / max(cols - 1, 1), (rows, 1))


def raster_scan(rows: int = 4, cols: int = 5, *, step_nm: float = 10.0, seed: int = 3) -> Dataset:
    """The (rows, cols) scan of (128, 128) px patterns, ``step_nm`` apart, calibrated in 1/nm."""
    rng = np.random.default_rng(seed)
    patterns = np.empty((rows, cols) + nbd.SHAPE, np.float32)
    strain = truth_strain(rows, cols)
    for r in range(rows):
        for c in range(cols):
            spots = spot_fraction(r, c, rows, cols)
            expected = nbd.render_pattern(
                centre_rc=(nbd.CENTRE_RC[0] + DESCAN_PX * r, nbd.CENTRE_RC[1] + DESCAN_PX * c),
                strain=float(strain[r, c]),
                spot_fraction=spots,
                amorphous_fraction=1.0 - spots,
            )
            patterns[r, c] = rng.poisson(expected)
    axes = (
        Axis("scan_y", rows, step_nm, 0.0, "nm"),
        Axis("scan_x", cols, step_nm, 0.0, "nm"),
        Axis("ky", nbd.SHAPE[0], nbd.SCALE_PER_NM, 0.0, "1/nm"),
        Axis("kx", nbd.SHAPE[1], nbd.SCALE_PER_NM, 0.0, "1/nm"),
    )
    return Dataset("pattern_series", patterns, axes, source="")


def write(folder: str | Path, *, rows: int = 6, cols: int = 8) -> Path:
    """Write a (rows, cols) :func:`raster_scan` as ``nbd_raster.hspy`` into ``folder``."""
    import hyperspy.api as hs

    dataset = raster_scan(rows, cols)
    signal = hs.signals.Signal2D(np.asarray(dataset.array))
    signal.metadata.General.title = "NBD raster across the lithiation front (simulated)"
    signal.metadata.set_item("Signal.signal_type", "diffraction")
    signal.metadata.set_item("Acquisition_instrument.TEM.beam_energy", nbd.ENERGY_KV)
    for axis, given in zip(signal.axes_manager._axes, dataset.axes):  # both in array order
        axis.name, axis.scale, axis.units, axis.offset = given.name, given.scale, given.units, 0.0
    path = Path(folder) / DATA_NAME
    signal.save(path, overwrite=True)
    return path
