"""The fitting windows of all the disks of a pattern, cut at once (:func:`disk_windows`).

A disk's window is the pixels within the reach of its start and nearer to it than to any other
start or extra disk within twice the reach. Cut one disk at a time that is a dozen small array
operations per disk; here every disk's square of pixels is cut together and tested against its
neighbours pair by pair. The pixels kept, their order (row by row) and every value computed from
them are those of the disk-by-disk cut.
"""

from __future__ import annotations

import numpy as np


def polynomial_terms(rows: np.ndarray, cols: np.ndarray, order: int) -> np.ndarray:
    """(n, terms) the monomials of ``rows`` and ``cols`` up to ``order`` (at most 2): 1, then
    rows, cols, then rows², rows·cols, cols²."""
    terms = [np.ones_like(rows)]
    if order >= 1:
        terms += [rows, cols]
    if order >= 2:
        terms += [rows**2, rows * cols, cols**2]
    return np.column_stack(terms)


def disk_windows(
    residual, counts, starts, extra, *, reach: float, radius_px: float, order, background_var
) -> list[tuple]:
    """Per start, its window (rows, cols, residual values, Poisson weights, polynomial terms).

    Parameters
    ----------
    residual, counts : numpy.ndarray
        The background-free pattern and the pattern, counts.
    starts : numpy.ndarray
        (n, 2) the disks' starts (row, col), px.
    extra : numpy.ndarray
        (m, 2) disks not fitted whose pixels no window takes, px.
    reach : float
        Window radius, px.
    radius_px : float
        Disk radius, px: the polynomial's unit.
    order : int
        Polynomial order.
    background_var : float
        Background variance per pixel, counts², added to the Poisson variance in the weights.
    """
    if not len(starts):
        return []
    half = int(np.ceil(reach))
    reach_rc = np.arange(-half, half + 1)
    corner = np.rint(starts).astype(int)
    rows, cols = np.broadcast_arrays(
        (corner[:, 0, None, None] + reach_rc[:, None]).astype(float),
        (corner[:, 1, None, None] + reach_rc[None, :]).astype(float),
    )
    rows, cols = rows.reshape(len(starts), -1), cols.reshape(len(starts), -1)
    own = (rows - starts[:, :1]) ** 2 + (cols - starts[:, 1:]) ** 2
    keep = (rows >= 0) & (rows < residual.shape[0]) & (cols >= 0) & (cols < residual.shape[1])
    keep &= own <= reach**2
    others = np.concatenate([starts, extra])
    apart = others[None] - starts[:, None]
    near = np.hypot(apart[..., 0], apart[..., 1]) < 2.0 * reach
    near[np.arange(len(starts)), np.arange(len(starts))] = False
    disk, other = np.nonzero(near)
    nearest = (rows[disk] - others[other, :1]) ** 2 + (cols[disk] - others[other, 1:]) ** 2
    beaten = np.zeros_like(keep)
    np.logical_or.at(beaten, disk, ~(own[disk] < nearest))
    keep &= ~beaten
    owner = np.nonzero(keep)[0]
    rows, cols = rows[keep], cols[keep]
    index = (rows.astype(int), cols.astype(int))
    weight = 1.0 / (np.maximum(counts[index], 1.0) + background_var)
    poly = polynomial_terms(
        (rows - starts[owner, 0]) / radius_px, (cols - starts[owner, 1]) / radius_px, order
    )
    split = np.cumsum(np.bincount(owner, minlength=len(starts)))[:-1]
    parts = [np.split(values, split) for values in (rows, cols, residual[index], weight, poly)]
    return list(zip(*parts))
