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


def _hull(mask: np.ndarray) -> np.ndarray:
    """Per-slice convex hulls of ``mask``'s (z, y, x) 8-connected parts in the (z, x) planes,
    each hull computed in its part's bounding box."""
    hull = np.zeros_like(mask)
    for y in range(mask.shape[1]):
        parts, _ = ndimage.label(mask[:, y], structure=_EIGHT)
        for index, box in enumerate(ndimage.find_objects(parts), start=1):
            hull[box[0], y, box[1]] |= convex_hull_image(parts[box] == index)
    return hull


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
    masks = {v: labels == v for v in solid}
    hulls = {v: _hull(masks[v]) for v in solid}
    moved = labels.copy()
    changed = False
    for inner in solid:
        for outer in solid:
            if inner == outer or not _encloses(
                masks[inner], hulls[inner], masks[outer], hulls[outer]
            ):
                continue
            dent = ndimage.binary_opening(hulls[inner] & masks[outer])
            moved[dent] = inner
            changed |= bool(dent.any())
    return moved if changed else None
