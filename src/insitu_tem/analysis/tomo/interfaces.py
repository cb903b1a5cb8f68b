"""Label interfaces placed on the reference projections to a fraction of a voxel.

A label boundary drawn on a blurred reconstruction sits where the threshold meets the blurred
edge, a fraction of a voxel off the true one unless the threshold is at the midpoint of the two
plateaus. With the labels' densities fitted on the projections (:mod:`.composition`), moving the
interface between labels ``a`` and ``b`` by ``δ`` of a voxel layer (``0 < δ ≤ 1``: the voxels of
``b`` touching ``a`` become ``δ`` parts ``a``; ``δ < 0`` the other way) is exactly linear in the
model: the layer's projection ``P(layer)`` moves ``δ`` from one label's column to the other's.
Each interface is moved in two parts, by its own ``δ`` each: where it faces along z (the beam
at 0° tilt, the direction the missing wedge stretches) and where it faces across (x and y), a
layer voxel shared between the parts by how many of its contacts with the other label lie along
z. On the reference series (HAADF, the one segmented) every ``δ`` is chosen to minimise the
weighted residual of the non-negative fit, each in ``[−1, 1]`` (Powell's method), and the element
fits use the same ``δ``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize


@dataclass(frozen=True)
class Interfaces:
    """The interfaces of touching labels and their layers' projections.

    Attributes
    ----------
    pairs : tuple of (int, int)
        Indices (into the labels' order) of the two labels of each interface part.
    layers : ndarray
        (2 · n_pairs, n_rays, ny): the projection of the voxels of ``b`` touching ``a`` for every
        part, then of the voxels of ``a`` touching ``b``.
    facing : tuple of str
        ``"z"`` or ``"across"`` for every part (module docstring).
    """

    pairs: tuple
    layers: np.ndarray
    facing: tuple = ()


def label_faces(labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every face between two voxels of different labels (6-connected): the flat index of the
    voxel before it and of the one after, their labels and the axis the face is across."""
    flat = labels.ravel()
    low, high, axes = [], [], []
    for axis in range(3):
        before = tuple(slice(None, -1) if k == axis else slice(None) for k in range(3))
        after = tuple(slice(1, None) if k == axis else slice(None) for k in range(3))
        found = np.flatnonzero(labels[before] != labels[after])
        index = np.unravel_index(found, labels[before].shape)
        low.append(np.ravel_multi_index(index, labels.shape))
        high.append(low[-1] + int(np.prod(labels.shape[axis + 1 :])))
        axes.append(np.full(found.size, axis, np.int8))
    low, high = np.concatenate(low), np.concatenate(high)
    return low, high, flat[low], flat[high], np.concatenate(axes)


def _layer(faces, take: int, give: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of the voxels of ``give`` touching ``take`` and the share of each facing
    along z: its contacts with ``take`` along z over all its contacts."""
    low, high, label_low, label_high, axes = faces
    forward = (label_low == give) & (label_high == take)
    backward = (label_high == give) & (label_low == take)
    voxels = np.concatenate([low[forward], high[backward]])
    along = np.concatenate([axes[forward], axes[backward]]) == 0
    layer, inverse = np.unique(voxels, return_inverse=True)
    total = np.bincount(inverse, minlength=layer.size).astype(np.float32)
    z = np.bincount(inverse, weights=along, minlength=layer.size).astype(np.float32)
    return layer, z / total


def _parts(layer: np.ndarray, share: np.ndarray, shape) -> tuple[np.ndarray, np.ndarray]:
    """(z, y, x) weights of a layer (:func:`_layer`) facing along z and across."""
    along, across = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    along.ravel()[layer] = share
    across.ravel()[layer] = np.float32(1) - share
    return along, across


def interfaces(labels: np.ndarray, present, project) -> Interfaces:
    """The interfaces between the ``present`` labels that touch, each in its two parts (module
    docstring); ``project`` maps a (z, y, x) weight volume to its (n_rays, ny) projection."""
    faces = label_faces(labels)
    pairs, grow, shrink, facing = [], [], [], []
    for i, a in enumerate(present):
        for j in range(i + 1, len(present)):
            into_b, into_a = _layer(faces, a, present[j]), _layer(faces, present[j], a)
            if not into_b[0].size:
                continue
            into_b, into_a = _parts(*into_b, labels.shape), _parts(*into_a, labels.shape)
            for k, name in enumerate(("z", "across")):
                pairs.append((i, j))
                facing.append(name)
                grow.append(project(into_b[k]))
                shrink.append(project(into_a[k]))
    if not pairs:
        return Interfaces((), np.zeros((0, 0, labels.shape[1]), np.float32))
    return Interfaces(tuple(pairs), np.stack(grow + shrink), tuple(facing))


def transform(delta: np.ndarray, n_labels: int, pairs) -> np.ndarray:
    """(n_labels + 2 n_pairs, n_labels) map from the columns [labels, layers] to the labels'
    columns with every interface moved by ``delta`` (module docstring)."""
    out = np.zeros((n_labels + 2 * len(pairs), n_labels))
    out[:n_labels] = np.eye(n_labels)
    for p, ((a, b), d) in enumerate(zip(pairs, delta)):
        row = n_labels + p + (0 if d >= 0 else len(pairs))
        out[row, a], out[row, b] = d, -d
    return out


def fit_offsets(
    gram: np.ndarray, vector: np.ndarray, n_labels: int, pairs, solve, *, tie=None
) -> np.ndarray:
    """``δ`` of every interface part minimising ``cᵀMc − 2vᵀc`` at the non-negative ``c =
    solve(M, v)``, ``M = Tᵀ gram T``, ``v = Tᵀ vector``; ``gram``, ``vector`` over the columns
    [labels, layers]. ``tie``: for every part the index of its free parameter (parts sharing one
    move together); one each when None."""
    if not pairs:
        return np.zeros(0)
    tie = np.arange(len(pairs)) if tie is None else np.asarray(tie)

    def cost(free: np.ndarray) -> float:
        t = transform(free[tie], n_labels, pairs)
        matrix, v = t.T @ gram @ t, t.T @ vector
        c = solve(matrix, v)
        return float(c @ matrix @ c - 2 * v @ c)

    n_free = int(tie.max()) + 1
    found = minimize(cost, np.zeros(n_free), method="Powell", bounds=[(-1.0, 1.0)] * n_free)
    return np.clip(found.x, -1.0, 1.0)[tie]
