"""The spot-masked azimuthal mean of every pattern of a scan at once (the ring profiles of
:func:`~.nbd_scan.analyse_scan`).

:func:`masked_profiles` gives, for each pattern, what :func:`~.radial.radial_integrator` with its
default bins (1 px out to the farthest corner) and a mask gives, bit for bit: each pattern's
pixels go to the bins of its own centre, and one ``bincount`` over the whole stack adds every
unmasked pixel times 1 / (pixels in its bin) in pixel order, the sums the integrator's sparse
product makes, without building a sparse matrix per pattern. :func:`spot_masks` draws every
spot of every pattern as :func:`~.disks.spot_mask` does, all at once.
"""

from __future__ import annotations

import numpy as np


def spot_masks(shape: tuple[int, int], positions_rc, *, radius_px: float) -> np.ndarray:
    """(n, rows, cols) bool, True within ``radius_px`` of every spot of each pattern.

    Parameters
    ----------
    shape : tuple of int
        Detector (rows, cols), px.
    positions_rc : sequence of array_like
        Per pattern, its spots' (k, 2) positions (row, col), px.
    radius_px : float
        Mask radius about each spot, px.
    """
    masks = np.zeros((len(positions_rc),) + tuple(shape), dtype=bool)
    spots = [np.asarray(p, float).reshape(-1, 2) for p in positions_rc]
    owner = np.repeat(np.arange(len(spots)), [len(p) for p in spots])
    if not owner.size:
        return masks
    r, c = np.concatenate(spots).T
    reach = np.arange(-int(np.ceil(radius_px)) - 1, int(np.ceil(radius_px)) + 2)
    rows = np.floor(r).astype(int)[:, None, None] + reach[None, :, None]
    cols = np.floor(c).astype(int)[:, None, None] + reach[None, None, :]
    inside = (rows - r[:, None, None]) ** 2 + (cols - c[:, None, None]) ** 2 <= radius_px**2
    inside &= (rows >= 0) & (rows < shape[0]) & (cols >= 0) & (cols < shape[1])
    hit = np.nonzero(inside)
    masks[owner[hit[0]], rows[hit[0], hit[1], 0], cols[hit[0], 0, hit[2]]] = True
    return masks


BLOCK = 8
"""Patterns integrated at once (arrays of about 1 MiB each at 128² px)."""


def masked_profiles(patterns, centres_rc, masks) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per pattern, (r_px, profile): the mean of its unmasked pixels in 1 px bins about its centre
    out to its farthest corner (NaN: empty bin), :data:`BLOCK` patterns at a time.

    Parameters
    ----------
    patterns : array_like
        (n, rows, cols) patterns, counts.
    centres_rc : array_like
        (n, 2) centres (row, col), px, finite.
    masks : array_like of bool
        (n, rows, cols), True for the pixels to leave out.
    """
    centres = np.asarray(centres_rc, dtype=float)
    if not np.isfinite(centres).all():
        raise ValueError("a centre is not finite; find the centres first (find_centre)")
    found = []
    for first in range(0, len(centres), BLOCK):
        part = slice(first, first + BLOCK)
        found += _block(np.asarray(patterns[part]), centres[part], np.asarray(masks[part], bool))
    return found


def _block(data: np.ndarray, centres: np.ndarray, masks: np.ndarray) -> list[tuple]:
    rows = np.arange(data.shape[1], dtype=float)[None, :, None] - centres[:, 0, None, None]
    cols = np.arange(data.shape[2], dtype=float)[None, None, :] - centres[:, 1, None, None]
    radius = np.hypot(rows, cols).reshape(len(data), -1)
    edges = [np.linspace(0.0, r_max, int(np.ceil(r_max)) + 1) for r_max in radius.max(1) + 0.5]
    sizes = np.array([len(e) - 1 for e in edges])
    offsets = np.cumsum(sizes) - sizes
    bins = np.stack([np.searchsorted(e, r, side="right") - 1 for e, r in zip(edges, radius)])
    keep = ~masks.reshape(len(data), -1) & (bins < sizes[:, None])
    index = (bins + offsets[:, None])[keep]
    per_bin = np.bincount(index, minlength=sizes.sum())
    inverse = np.where(per_bin > 0, 1.0 / np.where(per_bin > 0, per_bin, 1.0), 0.0)
    weights = inverse[index] * data.reshape(len(data), -1)[keep]
    sums = np.bincount(index, weights=weights, minlength=sizes.sum())
    sums[per_bin == 0] = np.nan
    return [
        (0.5 * (e[1:] + e[:-1]), sums[start : start + size])
        for e, start, size in zip(edges, offsets, sizes)
    ]
