"""The composition fit's columns for the labels with the dents moved, updated where they change.

:mod:`.composition` fits the labels a second time with the dents given to the enclosed label
(:mod:`.dents`). Moving a voxel changes the label indicators there and the interface layers
(:mod:`.interfaces`) only within one voxel of it: a layer voxel and its share facing z are set
by its 6-neighbours. So each group of moved voxels (:func:`.dents.groups`, more than two voxels
apart, so no layer voxel is set by two) is cut out with a two-voxel margin, where the labels
before and after the move give the same layers at the cut's faces; the layers are found in the
cut before and after, and the projection of the change is added to the first fit's columns.
The interfaces that touch are taken on the whole moved volume (a dent can make one appear or
vanish). The columns equal those of the moved labels projected from scratch to float32
rounding, for the cost of the dents' neighbourhoods instead of the whole volume.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from insitu_tem.analysis.tomo.dents import groups
from insitu_tem.analysis.tomo.interfaces import Interfaces, interfaces, label_faces

_SIDES = ("z", "across")
_MARGIN = 2


def _touching(labels: np.ndarray, present) -> list:
    """Index pairs ``(i, j)``, ``i < j``, of the ``present`` labels that are 6-neighbours."""
    _, _, low, high, _ = label_faces(labels)
    found = set(zip(np.minimum(low, high).tolist(), np.maximum(low, high).tolist()))
    n = len(present)
    return [
        (i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if (min(present[i], present[j]), max(present[i], present[j])) in found
    ]


def _parts(labels: np.ndarray, present) -> dict:
    """``{(pair, side): (grow, shrink)}`` layer volumes of the touching interfaces."""
    found = interfaces(labels, present, lambda volume: volume)
    n = len(found.pairs)
    return {
        key: (found.layers[p], found.layers[n + p])
        for p, key in enumerate(zip(found.pairs, found.facing))
    }


def _changes(labels: np.ndarray, moved: np.ndarray, present, keys: list):
    """Per column [labels, grow layers, shrink layers] the voxel indices ``(z, y, x)`` and the
    values of its change, cut by cut (module docstring)."""
    columns = [[] for _ in range(len(present) + 2 * len(keys))]
    for mine in groups(np.array(np.nonzero(moved != labels))):
        origin = np.maximum(mine.min(axis=1) - _MARGIN, 0)
        box = tuple(
            slice(start, min(stop + 1 + _MARGIN, n))
            for start, stop, n in zip(origin, mine.max(axis=1), labels.shape)
        )
        before = labels[box]
        after = before.copy()
        after[tuple(mine - origin[:, None])] = moved[tuple(mine)]
        volumes = [(after == v).astype(np.float32) - (before == v) for v in present]
        old, new = _parts(before, present), _parts(after, present)
        zero = (np.zeros(before.shape, np.float32),) * 2
        for end in (0, 1):
            volumes += [new.get(key, zero)[end] - old.get(key, zero)[end] for key in keys]
        for column, volume in zip(columns, volumes):
            found = np.nonzero(volume)
            column.append((np.array(found) + origin[:, None], volume[found]))
    return columns


def moved_columns(
    labels: np.ndarray, moved: np.ndarray, present, design: np.ndarray, found, transpose
) -> tuple[np.ndarray, Interfaces]:
    """The labels' columns and the interfaces of ``moved`` from those of ``labels``.

    Parameters
    ----------
    labels, moved : ndarray
        (z, y, x) integer labels before and after the dents are moved (y along the tilt axis).
    present : sequence of int
        The labels, in the order of ``design``.
    design : ndarray
        (n_labels, n_rays, ny) projections of the indicators of ``labels``.
    found : Interfaces
        The interfaces of ``labels`` with their layers' (n_rays, ny) projections.
    transpose : scipy.sparse matrix
        The projector's ``A.T`` (:class:`.projector.Projector`), (nz · nx, n_rays).

    Returns
    -------
    design : ndarray
        The projections of the indicators of ``moved``.
    Interfaces
        The interfaces of ``moved`` and their layers' projections.
    """
    nz, ny, nx = labels.shape
    pairs = _touching(moved, present)
    keys = [(pair, side) for pair in pairs for side in _SIDES]
    n_old = len(found.pairs)
    old = {key: p for p, key in enumerate(zip(found.pairs, found.facing))}
    zero = np.zeros(design.shape[1:], np.float32)
    start = [design[n] for n in range(len(present))]
    for shift in (0, n_old):
        start += [found.layers[shift + old[key]] if key in old else zero for key in keys]
    blocks = []
    for column in _changes(labels, moved, present, keys):
        where = np.concatenate([w for w, _ in column], axis=1) if column else np.zeros((3, 0))
        values = np.concatenate([v for _, v in column]) if column else np.zeros(0, np.float32)
        blocks.append(
            sparse.csc_matrix((values, (where[0] * nx + where[2], where[1])), shape=(nz * nx, ny))
        )
    change = (transpose.T @ sparse.hstack(blocks, format="csc")).tocoo()
    columns = np.stack(start)
    columns[change.col // ny, change.row, change.col % ny] += change.data
    n = len(present)
    layers = columns[n:] if keys else np.zeros((0, 0, ny), np.float32)
    return columns[:n], Interfaces(
        tuple(pair for pair, _ in keys), layers, tuple(side for _, side in keys)
    )
