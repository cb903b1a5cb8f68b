"""One channel of a tilt series reconstructed the same way by the ``tomo`` command and the
Tomography panel: the reference channel's alignment applied, ``binning`` × ``binning`` pixel
blocks averaged, the tilt-axis offset carried into the binned frame, then
:func:`~insitu_tem.analysis.tomo.reconstruct.reconstruct`."""

from __future__ import annotations

from typing import Callable

import numpy as np

from insitu_tem.analysis.tomo.alignment_result import Alignment, apply_alignment
from insitu_tem.analysis.tomo.reconstruct import DEFAULT_SMOOTH_PX, Reconstruction, reconstruct

WORKING_COPIES = 4
"""Copies of the tilt stack alignment and reconstruction hold at once (the ``copies`` a tilt
series is read with)."""


def bin_stack(stack: np.ndarray, factor: int) -> np.ndarray:
    """Mean of ``factor`` × ``factor`` pixel blocks of every projection (edges that do not fill a
    block are dropped)."""
    if factor <= 1:
        return stack
    n, rows, cols = stack.shape
    rows, cols = rows // factor * factor, cols // factor * factor
    blocks = stack[:, :rows, :cols].reshape(n, rows // factor, factor, cols // factor, factor)
    return blocks.mean(axis=(2, 4), dtype=np.float32)


def kept_projections(n_tilts: int, alignment: Alignment | None) -> np.ndarray:
    """Indices of the projections reconstructed: all but the alignment's
    ``left_out_projections`` (single projections unlike both neighbouring tilts)."""
    left_out = () if alignment is None else alignment.left_out_projections
    return np.setdiff1d(np.arange(n_tilts), np.asarray(left_out, dtype=int))


def prepared_channel(
    stack: np.ndarray,
    tilts_deg,
    alignment: Alignment | None,
    *,
    reference_shape: tuple[int, int],
    binning: int = 1,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The projections :func:`reconstruct_channel` reconstructs: ``stack`` aligned with the
    reference's ``alignment`` (None: as it is), its ``left_out_projections`` left out, and
    binned; their tilts (degrees) and their tilt-axis offset (column minus the centre column,
    binned px)."""
    offset = 0.0
    kept = kept_projections(stack.shape[0], alignment)
    if alignment is not None:
        stack = apply_alignment(stack, alignment, reference_shape=reference_shape)
        offset = alignment.axis_offset_px * stack.shape[2] / reference_shape[1]
    cols = stack.shape[2]
    stack = bin_stack(stack[kept] if kept.size < stack.shape[0] else stack, binning)
    tilts = np.asarray(tilts_deg, dtype=float)[kept]
    return stack, tilts, (offset + (cols - stack.shape[2] * binning) / 2) / binning


def reconstruct_channel(
    stack: np.ndarray,
    tilts_deg,
    alignment: Alignment | None,
    *,
    reference_shape: tuple[int, int],
    method: str,
    iterations: int | None,
    binning: int = 1,
    smooth_px: float = DEFAULT_SMOOTH_PX,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Reconstruction:
    """Reconstruct one channel (n_tilts, rows, cols) with the reference's ``alignment`` (None:
    as it is, axis at the centre column), without its ``left_out_projections``.

    Parameters
    ----------
    reference_shape : (int, int)
        (rows, cols) of the reference channel, px: the alignment's shifts and offset are scaled
        to this channel's image size.
    binning : int
        Pixel blocks averaged before reconstructing; the voxel is ``binning`` × this channel's
        pixel.
    smooth_px, should_stop, progress
        As :func:`~insitu_tem.analysis.tomo.reconstruct.reconstruct`.
    """
    stack, tilts, offset = prepared_channel(
        stack, tilts_deg, alignment, reference_shape=reference_shape, binning=binning
    )
    return reconstruct(
        stack,
        tilts,
        method=method,
        iterations=iterations,
        axis_offset_px=offset,
        smooth_px=smooth_px,
        should_stop=should_stop,
        progress=progress,
    )
