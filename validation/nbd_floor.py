"""The Cramér–Rao floor of NBD lattice strain against a reference pattern.

A pattern's disks carry information about where they are through their own gradients. With the
expected electrons λ_x of every pixel x and ∂λ_x/∂s the change of the crystal's part of it as
one disk moves by s (the diffuse rings and the direct beam do not move with the disk), the
Fisher information of the disk's position is F = Σ_x ∇λ_x ∇λ_xᵀ / λ_x over the pixels nearer to
that disk than to any other disk or the direct beam, within ``reach`` of it and outside the direct
beam's own window (``reach`` of its centre: the beam's edge, far brighter than any disk, moves with
the descan and not with the lattice, and would be credited to a disk beside it; Poisson counts;
a detector records a function of them, which carries no more information: Zamir 1998). Knowing
the disk's shape, its scale and the background only adds information, so F⁻¹ bounds the
covariance of any unbiased estimate of the disk's position (Cramér 1946), and F_i⁻¹ + F_ref⁻¹
that of its displacement from the reference's disk (independent patterns). The affine map
p = t + A q of the disk positions (six parameters; the method's fit) then has the information
Σ_k J_kᵀ (F_i⁻¹ + F_ref⁻¹)_k⁻¹ J_k, and the lattice strain det(A)^-½ − 1 the variance gᵀ I⁻¹ g,
g its gradient in A. A method that locates each disk by itself and fits the affine map (what
``nbd --reference`` does) cannot do better on average; one that uses the diffuse rings or a
model of the whole pattern could.

References
----------
H. Cramér, *Mathematical Methods of Statistics* (Princeton, 1946), §32.3.
R. Zamir, "A proof of the Fisher information inequality via a data processing argument",
IEEE Trans. Inf. Theory 44, 1246 (1998).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

EDGE_PX = 3.0
"""Disks whose window comes nearer than this to the pattern's edge are not counted, px (the
method leaves such pixels out)."""


def disk_information(expected, gradient, *, disks_rc, beam_rc, reach_px: float) -> np.ndarray:
    """Fisher information of each disk's position (module docstring), 1/px².

    Parameters
    ----------
    expected : numpy.ndarray
        (rows, cols) expected electrons per pixel.
    gradient : numpy.ndarray
        (2, rows, cols) change of the expected electrons as the disks move by one px in row and
        in column (the crystal's part only), electrons/px.
    disks_rc : array_like
        (m, 2) disk centres (row, col), px.
    beam_rc : array_like
        The direct beam's centre (row, col), px.
    reach_px : float
        Radius of each disk's window and of the direct beam's, px.

    Returns
    -------
    numpy.ndarray
        (m, 2, 2); zero for disks whose window leaves the pattern.
    """
    disks = np.asarray(disks_rc, float).reshape(-1, 2)
    shape = np.shape(expected)
    rows, cols = np.indices(shape)
    pixels = np.column_stack([rows.ravel(), cols.ravel()]).astype(float)
    distance, nearest = cKDTree(np.vstack([disks, np.asarray(beam_rc, float)])).query(pixels)
    off_beam = np.hypot(*(pixels - np.asarray(beam_rc, float)).T) > reach_px
    lam = np.asarray(expected, float).ravel()
    keep = (distance <= reach_px) & (nearest < len(disks)) & (lam > 0) & off_beam
    g = np.asarray(gradient, float).reshape(2, -1)[:, keep]
    terms = (g[:, None, :] * g[None, :, :] / lam[keep]).reshape(4, -1)
    info = np.stack([np.bincount(nearest[keep], t, minlength=len(disks)) for t in terms], axis=1)
    inside = (
        (disks - reach_px >= EDGE_PX).all(axis=1)
        & (disks[:, 0] + reach_px <= shape[0] - 1 - EDGE_PX)
        & (disks[:, 1] + reach_px <= shape[1] - 1 - EDGE_PX)
    )
    return info.reshape(-1, 2, 2) * inside[:, None, None]


def strain_sigma(info, info_reference, *, g_px, scale: float) -> float:
    """Cramér–Rao 1σ of the lattice strain of a pattern against the reference.

    Parameters
    ----------
    info, info_reference : numpy.ndarray
        (m, 2, 2) Fisher information of each disk's position in the pattern and in the
        reference (:func:`disk_information`), 1/px².
    g_px : array_like
        (m, 2) the disks' offsets from the direct beam in the reference (row, col), px.
    scale : float
        The true A = ``scale`` · I (the reference's d over the pattern's), at which the
        strain's gradient is taken.

    Returns
    -------
    float
        1σ of det(A)^-½ − 1, dimensionless; NaN when the disks do not determine A.
    """
    total = info + info_reference
    solvable = np.abs(np.linalg.det(total)) > 0
    weight = np.zeros_like(total)
    weight[solvable] = info[solvable] @ np.linalg.inv(total[solvable]) @ info_reference[solvable]
    q = np.asarray(g_px, float).reshape(-1, 2)
    jacobian = np.zeros((len(q), 2, 6))
    jacobian[:, 0, 0] = jacobian[:, 1, 1] = 1.0
    jacobian[:, 0, 2:4] = jacobian[:, 1, 4:6] = q
    fisher = np.einsum("kia,kij,kjb->ab", jacobian, weight, jacobian)
    if np.linalg.matrix_rank(fisher) < 6:
        return np.nan
    gradient = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 1.0]) * (-0.5 / scale**2)
    return float(np.sqrt(gradient @ np.linalg.solve(fisher, gradient)))
