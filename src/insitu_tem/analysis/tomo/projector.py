"""Parallel-beam projector of one (z, x) slice as a scipy.sparse system matrix.

The matrix ``A`` maps a slice raveled as ``f[iz * nx + ix]`` to a sinogram
raveled as ``p[t * n_det + k]``. Column ``ix`` of the slice is column ``ix``
of the projection at 0°; the tilt axis is at column ``(nx - 1) / 2 + offset``
and at the middle of z. Each voxel's unit mass is split between the
two detector bins nearest its projected centre (linear interpolation, i.e. a
box footprint one bin wide, which has the same second moment as the exact
trapezoidal footprint of a square voxel). ``A`` and its transpose are built
once per geometry and applied to many slices at once (columns of a dense
matrix), which is what makes the CPU reconstruction fast.

References
----------
.. [1] A. C. Kak and M. Slaney, *Principles of Computerized Tomographic
   Imaging*, IEEE Press (1988), ch. 3 and 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Projector:
    """System matrix of one geometry.

    Attributes
    ----------
    transpose : scipy.sparse.csr_matrix
        ``A.T``, (nz * nx, n_tilts * n_det), float32. Only this one copy is
        stored: back-projection reads it row by row, projection reads it as
        the CSC form of ``A`` (``transpose.T``, no copy), which streams
        through the slices once and scatters into the small sinogram.
    n_tilts, n_det, nz, nx : int
        Sinogram and slice sizes.
    """

    transpose: sparse.csr_matrix
    n_tilts: int
    n_det: int
    nz: int
    nx: int

    def forward(self, slices: np.ndarray) -> np.ndarray:
        """Project slices given as columns (nz * nx, n) -> (n_tilts * n_det, n)."""
        return np.asarray(self.transpose.T @ slices, dtype=np.float32)

    def back(self, sinograms: np.ndarray) -> np.ndarray:
        """Back-project sinograms given as columns (n_tilts * n_det, n) -> (nz * nx, n)."""
        return np.asarray(self.transpose @ sinograms, dtype=np.float32)


def projector(
    tilts_deg,
    n_det: int,
    *,
    nz: int | None = None,
    axis_offset_px: float = 0.0,
    z_step: float = 1.0,
) -> Projector:
    """System matrix for tilts ``tilts_deg`` (degrees) and ``n_det`` detector columns.

    Parameters
    ----------
    tilts_deg : sequence of float
        Tilt angles, degrees.
    n_det : int
        Detector columns (= slice width ``nx``), px.
    nz : int, optional
        Voxels along the beam at 0° (default ``n_det``).
    axis_offset_px : float
        Tilt-axis column minus the detector's centre column ``(n_det - 1) / 2``, px.
    z_step : float
        Voxel depth along the beam, px (1: cubic voxels). Each voxel's mass is still split
        between the two bins nearest its projected centre.

    Returns
    -------
    Projector
        Cached per geometry (identical calls return the same object).
    """
    key = tuple(round(float(t), 6) for t in tilts_deg)
    return _cached(
        key, int(n_det), int(nz or n_det), round(float(axis_offset_px), 4), float(z_step)
    )


@lru_cache(maxsize=8)
def _cached(
    tilts: tuple[float, ...], n_det: int, nz: int, offset: float, z_step: float
) -> Projector:
    """``A.T`` built row by row (voxel by voxel: two bins per tilt, in tilt order) straight into
    CSR arrays, with the weights of bins off the detector set to 0 and then dropped."""
    nx = n_det
    theta = np.deg2rad(np.asarray(tilts, dtype=np.float64))
    z = ((np.arange(nz, dtype=np.float32) - (nz - 1) / 2) * np.float32(z_step))[:, None, None]
    x = (np.arange(nx, dtype=np.float32) - np.float32((nx - 1) / 2 + offset))[None, :, None]
    cos = np.cos(theta).astype(np.float32)[None, None, :]
    sin = np.sin(theta).astype(np.float32)[None, None, :]
    u = ((n_det - 1) / 2 + offset + x * cos + z * sin).reshape(nz * nx, theta.size)
    low = np.floor(u)
    frac = (u - low).astype(np.float32)
    low = low.astype(np.int32)
    bins = np.stack([low, low + 1], axis=2)
    weights = np.stack([1 - frac, frac], axis=2)
    weights[(bins < 0) | (bins >= n_det)] = 0
    bins = np.clip(bins, 0, n_det - 1) + (np.arange(theta.size, dtype=np.int32) * n_det)[:, None]
    width = 2 * theta.size
    transpose = sparse.csr_matrix(
        (
            weights.reshape(-1),
            bins.reshape(-1),
            np.arange(0, nz * nx * width + 1, width, dtype=np.int64),
        ),
        shape=(nz * nx, theta.size * n_det),
    )
    transpose.eliminate_zeros()
    return Projector(transpose, theta.size, n_det, nz, nx)
