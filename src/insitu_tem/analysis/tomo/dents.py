"""Dents: voxels of an enclosing label inside an enclosed label's per-slice convex hull.

A void of the core that opens into the shell leaves the blurred core material around it
labelled shell, so the shell's composition fitted on the projections holds a little of the
core's (docs/tomography.md). Which of the two assignments is right is not measured by the fit,
so :mod:`.composition` refits with the dent given to the enclosed label and takes half the change
as a 1σ term (two models of the same voxels).

Label ``m`` encloses label ``l`` when most of ``l``'s voxels lie in ``m``'s hull and most of
``m``'s do not lie in ``l``'s (a shell's hull holds the whole core, the core's hull only the dent
of the shell). Hulls are per slice across the tilt axis (``labels[:, y, :]``), the planes the
reconstruction resolves independently, and per 8-connected part of the label in the slice (a
label of separate grains has no dent between them); the dent is opened by one voxel
(6-connected) so that the single voxels of a rough border are not counted.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.morphology import convex_hull_image

_EIGHT = np.ones((3, 3), bool)


def _spanned(part: np.ndarray) -> np.ndarray:
    """Pixels between two pixels of ``part`` on their row or column: inside its convex hull."""
    ends = [
        np.maximum.accumulate(part, axis)
        & np.flip(np.maximum.accumulate(np.flip(part, axis), axis), axis)
        for axis in (0, 1)
    ]
    return ends[0] | ends[1]


def _extent(flags: np.ndarray) -> slice:
    where = np.flatnonzero(flags)
    return slice(where[0], where[-1] + 1)


def _in_hulls(mask: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The voxels of ``others`` inside the per-slice convex hulls of ``mask``'s (z, y, x)
    8-connected parts in the (z, x) planes. A part's hull is computed in its bounding box, and
    only when some voxel of ``others`` there is not between two of its pixels on a row or a
    column."""
    inside = np.zeros_like(mask)
    along_z, along_x = mask.any(axis=2), mask.any(axis=0)
    for y in np.flatnonzero(others.any(axis=(0, 2)) & along_x.any(axis=1)):
        window = (_extent(along_z[:, y]), y, _extent(along_x[y]))
        parts, _ = ndimage.label(mask[window], structure=_EIGHT)
        for index, box in enumerate(ndimage.find_objects(parts), start=1):
            query = others[window][box]
            if not query.any():
                continue
            part = parts[box] == index
            if (query & ~_spanned(part)).any():
                query = query & convex_hull_image(part)
            inside[window][box] |= query
    return inside


def groups(where: np.ndarray, cell: int = 4) -> list:
    """The voxels ``where`` ((3, n) indices) in groups, those in 26-adjacent cubes of ``cell``
    voxels together: voxels of two groups are more than ``cell`` voxels apart."""
    if not where.size:
        return []
    cells = tuple(where // cell)
    occupied = np.zeros(tuple(int(c.max()) + 1 for c in cells), bool)
    occupied[cells] = True
    group = ndimage.label(occupied, np.ones((3, 3, 3), bool))[0][cells]
    return [where[:, group == index] for index in np.unique(group)]


def _opened(mask: np.ndarray) -> np.ndarray:
    """``mask`` opened by one voxel (6-connected), group by group (:func:`groups`; an opening
    reaches two voxels), each in its bounding box and a margin."""
    opened = np.zeros_like(mask)
    for mine in groups(np.array(np.nonzero(mask))):
        origin = np.maximum(mine.min(axis=1) - 1, 0)
        box = tuple(
            slice(start, min(stop + 2, n))
            for start, stop, n in zip(origin, mine.max(axis=1), mask.shape)
        )
        alone = np.zeros(opened[box].shape, bool)
        alone[tuple(mine - origin[:, None])] = True
        opened[box] |= ndimage.binary_opening(alone)
    return opened


def _encloses(inner: np.ndarray, inner_hull: np.ndarray, outer: np.ndarray, outer_hull) -> bool:
    return bool(
        2 * np.count_nonzero(inner & outer_hull) > np.count_nonzero(inner)
        and 2 * np.count_nonzero(outer & inner_hull) <= np.count_nonzero(outer)
    )


def dented_labels(labels: np.ndarray, present, vacuum_label) -> np.ndarray | None:
    """The labels with every dent given to the enclosed label; None when there is no dent.

    Parameters
    ----------
    labels : ndarray
        (z, y, x) integer labels (y along the tilt axis).
    present : sequence of int
        The labels to consider.
    vacuum_label : int or None
        Not a material label: neither encloses nor is enclosed.

    Returns
    -------
    ndarray or None
        A relabelled copy, or None when no label encloses another or the dents are empty.
    """
    solid = [v for v in present if v != vacuum_label]
    if len(solid) < 2:
        return None
    masks = {v: labels == v for v in solid}
    any_solid = np.logical_or.reduce([masks[v] for v in solid])
    hulls = {v: _in_hulls(masks[v], any_solid & ~masks[v]) for v in solid}
    moved = labels.copy()
    changed = False
    for inner in solid:
        for outer in solid:
            if inner == outer or not _encloses(
                masks[inner], hulls[inner], masks[outer], hulls[outer]
            ):
                continue
            dent = _opened(hulls[inner] & masks[outer])
            moved[dent] = inner
            changed |= bool(dent.any())
    return moved if changed else None
