"""Spot positions refined on the pattern's 2-D lattice (centre and two basis vectors).

Dynamical scattering moves the intensity inside each convergent-beam disk, and with it the
located position of a low-order disk by up to a pixel, while the spots of one crystal lie on a
lattice: ``p = c + h·a + k·b``. :func:`refine_on_lattice` takes a basis from pairs of the
shortest spots (the pair that indexes most spots, then the smallest cell), indexes every spot,
and fits c, a and b to the indexed spots by weighted least squares (weights 1/σ², spots more
than 3 σ off rejected, the covariance scaled by χ²/dof when above 1). Each indexed spot is then
reported at its lattice position with the 1σ propagated from the covariance and a
:data:`SYSTEMATIC_PX` term for the disks' correlated shifts (measured on the abTEM validation
fixtures, where the covariance alone covered half of the errors); the centre becomes the fitted
origin.
High-order disks, whose displacement is a small fraction of their distance, pull the low
orders onto the lattice. Spots off the lattice (a second crystal) keep their measured position.

References
----------
Zuo, J. M. & Spence, J. C. H. (2017). Advanced Transmission Electron Microscopy, ch. 17
(CBED geometry and lattice-parameter measurement). Springer.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.diffraction.disks import Spots

MIN_INDEXED = 6
INDEX_TOLERANCE = 0.15
SYSTEMATIC_PX = 0.03
RAYLEIGH_MEDIAN = float(np.sqrt(2.0 * np.log(2.0)))
_BASIS_POOL = 8
_MIN_ANGLE_DEG = 15.0


def _basis_candidates(g: np.ndarray) -> list[np.ndarray]:
    length = np.hypot(*g.T)
    pool = np.argsort(length)[:_BASIS_POOL]
    out = []
    for n, i in enumerate(pool):
        for j in pool[n + 1 :]:
            cross = abs(g[i, 0] * g[j, 1] - g[i, 1] * g[j, 0])
            if cross > np.sin(np.radians(_MIN_ANGLE_DEG)) * length[i] * length[j]:
                out.append(np.array([g[i], g[j]]))
    return out


def _indexed(g: np.ndarray, basis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    coefficients = np.linalg.solve(basis.T, g.T).T
    hk = np.rint(coefficients)
    near = np.all(np.abs(coefficients - hk) < INDEX_TOLERANCE, axis=1)
    return hk, near & np.any(hk != 0, axis=1)


def _best_basis(g: np.ndarray) -> np.ndarray | None:
    best, key = None, (0, 0.0)
    for basis in _basis_candidates(g):
        _, on = _indexed(g, basis)
        candidate = (int(on.sum()), -abs(float(np.linalg.det(basis))))
        if candidate > key:
            best, key = basis, candidate
    return best


def _solve(g: np.ndarray, sigma: np.ndarray, hk: np.ndarray, use: np.ndarray):
    """Weighted least squares of g = s + h·a + k·b: (parameters, covariance, normalised
    residuals)."""
    design = np.zeros((2 * len(g), 6))
    for axis in range(2):
        design[axis::2, axis] = 1.0
        design[axis::2, 2 + axis] = hk[:, 0]
        design[axis::2, 4 + axis] = hk[:, 1]
    weight = np.repeat(1.0 / sigma**2, 2) * np.repeat(use, 2)
    normal = design.T @ (design * weight[:, None])
    covariance = np.linalg.pinv(normal)
    parameters = covariance @ (design.T @ (weight * g.ravel()))
    residual = (g.ravel() - design @ parameters).reshape(-1, 2)
    normalised = np.hypot(*residual.T) / sigma
    dof = max(2 * int(use.sum()) - 6, 1)
    chi2 = float(np.sum(normalised[use] ** 2)) / dof
    spread = max(float(np.median(normalised[use])) / RAYLEIGH_MEDIAN, 1.0)
    return parameters, covariance * max(chi2, 1.0), normalised / spread


def refine_on_lattice(spots: Spots) -> Spots:
    """The spots moved onto their fitted lattice (see module docstring); unchanged when fewer
    than :data:`MIN_INDEXED` spots index on one lattice."""
    g = spots.g_px
    sigma = np.where(np.isfinite(spots.sigma_px) & (spots.sigma_px > 0), spots.sigma_px, 1.0)
    basis = _best_basis(g) if len(spots) >= MIN_INDEXED else None
    if basis is None:
        return spots
    hk, use = _indexed(g, basis)
    for _ in range(3):
        if use.sum() < MIN_INDEXED:
            return spots
        parameters, covariance, normalised = _solve(g, sigma, hk, use)
        basis = parameters[2:].reshape(2, 2)
        hk, on = _indexed(g - parameters[:2], basis)
        kept = on & (normalised <= 3.0)
        if np.array_equal(kept, use):
            break
        use = kept
    return _moved(spots, parameters, covariance, hk, use, keep=use | ~on)


def _moved(spots: Spots, parameters, covariance, hk, use, *, keep) -> Spots:
    centre = np.asarray(spots.centre_rc) + parameters[:2]
    position = spots.position_rc.copy()
    sigma = spots.sigma_px.copy()
    for i in np.flatnonzero(use):
        jacobian = np.zeros((2, 6))
        jacobian[:, 2:4] = hk[i, 0] * np.eye(2)
        jacobian[:, 4:6] = hk[i, 1] * np.eye(2)
        position[i] = centre + hk[i] @ parameters[2:].reshape(2, 2)
        variance = np.trace(jacobian @ covariance @ jacobian.T) / 2.0
        sigma[i] = float(np.sqrt(variance + SYSTEMATIC_PX**2))
    return replace(
        spots,
        position_rc=position[keep],
        intensity=spots.intensity[keep],
        sigma_px=sigma[keep],
        centre_rc=(float(centre[0]), float(centre[1])),
    )
