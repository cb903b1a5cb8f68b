"""Label interfaces placed on the reference projections to a fraction of a voxel.

A label boundary drawn on a blurred reconstruction sits where the threshold meets the blurred
edge, a fraction of a voxel off the true one unless the threshold is at the midpoint of the two
plateaus. With the labels' densities fitted on the projections (:mod:`.composition`), moving the
interface between labels ``a`` and ``b`` by ``δ`` of a voxel layer (``0 < δ ≤ 1``: the voxels of
``b`` touching ``a`` become ``δ`` parts ``a``; ``δ < 0`` the other way) is exactly linear in the
model: the layer's projection ``P(layer)`` moves ``δ`` from one label's column to the other's.
On the reference series (HAADF, the one segmented) ``δ`` of every interface is chosen to
minimise the weighted residual of the non-negative fit, each in ``[−1, 1]`` (Powell's method),
and the element fits use the same ``δ``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.optimize import minimize

_NEIGHBOURS = ndimage.generate_binary_structure(3, 1)


@dataclass(frozen=True)
class Interfaces:
    """The interfaces of touching labels and their layers' projections.

    Attributes
    ----------
    pairs : tuple of (int, int)
        Indices (into the labels' order) of the two labels of each interface.
    layers : ndarray
        (2 · n_pairs, n_rays, ny): the projection of the voxels of ``b`` touching ``a`` for every
        pair, then of the voxels of ``a`` touching ``b``.
    """

    pairs: tuple
    layers: np.ndarray


def layer(labels: np.ndarray, take: int, give: int) -> np.ndarray:
    """Voxels of label ``give`` touching label ``take`` (6-connected)."""
    return ndimage.binary_dilation(labels == take, _NEIGHBOURS) & (labels == give)


def interfaces(labels: np.ndarray, present, project) -> Interfaces:
    """The interfaces between the ``present`` labels that touch; ``project`` maps a (z, y, x)
    mask to its (n_rays, ny) projection."""
    pairs, grow, shrink = [], [], []
    for i, a in enumerate(present):
        for j in range(i + 1, len(present)):
            into_b, into_a = layer(labels, a, present[j]), layer(labels, present[j], a)
            if into_b.any() and into_a.any():
                pairs.append((i, j))
                grow.append(project(into_b))
                shrink.append(project(into_a))
    if not pairs:
        return Interfaces((), np.zeros((0, 0, labels.shape[1]), np.float32))
    return Interfaces(tuple(pairs), np.stack(grow + shrink))


def transform(delta: np.ndarray, n_labels: int, pairs) -> np.ndarray:
    """(n_labels + 2 n_pairs, n_labels) map from the columns [labels, layers] to the labels'
    columns with every interface moved by ``delta`` (module docstring)."""
    out = np.zeros((n_labels + 2 * len(pairs), n_labels))
    out[:n_labels] = np.eye(n_labels)
    for p, ((a, b), d) in enumerate(zip(pairs, delta)):
        row = n_labels + p + (0 if d >= 0 else len(pairs))
        out[row, a], out[row, b] = d, -d
    return out


def fit_offsets(gram: np.ndarray, vector: np.ndarray, n_labels: int, pairs, solve) -> np.ndarray:
    """``δ`` of every interface minimising ``cᵀMc − 2vᵀc`` at the non-negative ``c = solve(M,
    v)``, ``M = Tᵀ gram T``, ``v = Tᵀ vector``; ``gram``, ``vector`` over the columns [labels,
    layers]."""
    if not pairs:
        return np.zeros(0)

    def cost(delta: np.ndarray) -> float:
        t = transform(delta, n_labels, pairs)
        matrix, v = t.T @ gram @ t, t.T @ vector
        c = solve(matrix, v)
        return float(c @ matrix @ c - 2 * v @ c)

    start = np.zeros(len(pairs))
    found = minimize(cost, start, method="Powell", bounds=[(-1.0, 1.0)] * len(pairs))
    return np.clip(found.x, -1.0, 1.0)
