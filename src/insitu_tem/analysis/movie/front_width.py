"""Frames whose fitted front is far wider than the movie's front: the erf does not describe them.

A front's width (diffuseness, roughness across the line's width, the microscope's blur) is a
property of the front and changes slowly; a frame whose erf comes out much wider than in the
rest of the movie is one whose reacted fraction is not a front of this movie (levels of the
samples near it wrong, the front leaving the line, texture that changed), and its position is
then off by several pixels. Such a frame is not measured: its ``ln w`` exceeds the median over
the frames with a front by more than ``WIDTH_Z`` times the combined 1σ of its own fit and of
the movie's spread of widths.

References
----------
Press, Teukolsky, Vetterling & Flannery, *Numerical Recipes*, 3rd ed., §15.5 (2007) — the
least-squares covariance of the width.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from insitu_tem.analysis.movie.front_states import robust_sigma

WIDTH_Z = 3.0


def log_width_sigma(
    phi: np.ndarray, sigma: np.ndarray, position: float, width: float, direction: int
) -> float:
    """1σ of ``ln w`` of the erf ``Φ(d (p - s) / w)`` fitted to one frame's reacted fraction
    ``phi`` (1σ ``sigma`` per sample): the least-squares covariance, scaled by the reduced χ²
    within ``3 w + 3`` samples of the front when that exceeds 1."""
    good = np.isfinite(phi) & np.isfinite(sigma) & (sigma > 0)
    s, inverse = np.flatnonzero(good).astype(float), 1.0 / sigma[good]
    z = direction * (position - s) / width
    density = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) * inverse
    jacobian = np.column_stack([-density * direction / width, density * z])
    residual = (phi[good] - ndtr(z)) * inverse
    local = np.abs(s - position) <= 3 * width + 3
    inflation = max(float(np.sum(residual[local] ** 2)) / max(int(local.sum()) - 2, 1), 1.0)
    covariance = np.linalg.pinv(jacobian.T @ jacobian) * inflation
    return float(np.sqrt(max(covariance[1, 1], 0.0)))


def too_wide(
    phi: np.ndarray, sigma: np.ndarray, position: np.ndarray, width: np.ndarray, direction: int
) -> np.ndarray:
    """(n_frames,) True where the front's fitted width is beyond the movie's.

    Parameters
    ----------
    phi : numpy.ndarray
        (n_frames, n_samples) reacted fraction.
    sigma : numpy.ndarray
        (n_samples,) or (n_frames, n_samples) its 1σ.
    position, width : numpy.ndarray
        (n_frames,) fitted erf centre and width (Gaussian σ), samples; NaN where no front.
    direction : int
        +1 when the reacted side is at low sample index.
    """
    present = np.flatnonzero(np.isfinite(position) & np.isfinite(width) & (width > 0))
    wide = np.zeros(position.size, bool)
    if present.size < 3:
        return wide
    log_width = np.log(width[present])
    centre, spread = float(np.median(log_width)), float(robust_sigma(log_width))
    rows = np.broadcast_to(sigma, phi.shape)
    for t, value in zip(present, log_width):
        own = log_width_sigma(phi[t], rows[t], position[t], width[t], direction)
        wide[t] = value - centre > WIDTH_Z * np.hypot(own, spread)
    return wide
