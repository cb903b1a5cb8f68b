"""A located disk or spot (:class:`DiskFit`), and the centre of mass of point-like spots.

Point-like spots (disk radius below :data:`MIN_DISK_RADIUS_PX`) have no edge to fit;
:func:`spot_centroid` gives their iterated, background-free centre of mass with the Poisson 1σ
propagated from the counts in the window. It is also the fallback for a weak disk whose edge the
disk model (:mod:`.disk_model`) cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_DISK_RADIUS_PX = 2.0


@dataclass(frozen=True)
class DiskFit:
    """Centre (and radius) of one disk or spot.

    Attributes
    ----------
    ok : bool
        False when no edge or no signal was found (``reason``).
    centre_rc : tuple of float
        (row, col), px.
    sigma_px : float
        1σ of each centre coordinate, px.
    radius_px : float
        Disk radius, px (NaN for a centroid).
    n_points : int
        Pixels used.
    reason : str
        Why the fit failed ("" when ok).
    """

    ok: bool
    centre_rc: tuple[float, float]
    sigma_px: float
    radius_px: float
    n_points: int
    reason: str = ""


def robust_sigma(values: np.ndarray) -> float:
    """1.4826 × the median absolute deviation (a Gaussian σ robust to outliers)."""
    return float(1.4826 * np.median(np.abs(values - np.median(values)))) + 1e-12


def spot_centroid(
    residual: np.ndarray,
    counts: np.ndarray,
    start_rc,
    *,
    radius_px: float,
    background_var: float,
    iterations: int = 4,
) -> DiskFit:
    """Iterated centre of mass of a point-like spot in a circular window, with its Poisson 1σ.

    Parameters
    ----------
    residual : numpy.ndarray
        Pattern minus its background (not clipped, so that zero-mean noise leaves the centre
        unbiased).
    counts : numpy.ndarray
        The pattern itself, for the Poisson variance of each pixel (counts).
    start_rc : tuple of float
        Start (row, col), px.
    radius_px : float
        Window radius, px.
    background_var : float
        Variance of the background per pixel (counts²), added to the Poisson term.
    """
    rc = np.asarray(start_rc, dtype=float)
    half = int(np.ceil(radius_px)) + 1
    for _ in range(iterations):
        r0, c0 = int(round(rc[0])), int(round(rc[1]))
        if (
            r0 - half < 0
            or c0 - half < 0
            or r0 + half >= residual.shape[0]
            or c0 + half >= residual.shape[1]
        ):
            return DiskFit(False, tuple(rc), np.nan, np.nan, 0, "spot window leaves the pattern")
        window = (slice(r0 - half, r0 + half + 1), slice(c0 - half, c0 + half + 1))
        rows, cols = np.indices(residual[window].shape) - half
        inside = np.hypot(rows + r0 - rc[0], cols + c0 - rc[1]) <= radius_px
        weights = np.where(inside, residual[window], 0.0)
        total = float(weights.sum())
        if total <= 0:
            return DiskFit(False, tuple(rc), np.nan, np.nan, 0, "no signal in the spot window")
        rc = np.array([r0 + (weights * rows).sum() / total, c0 + (weights * cols).sum() / total])
    variance = np.where(inside, np.clip(counts[window], 0, None) + background_var, 0.0)
    dr, dc = rows + r0 - rc[0], cols + c0 - rc[1]
    sigma = float(np.sqrt(0.5 * ((variance * dr**2).sum() + (variance * dc**2).sum())) / total)
    return DiskFit(True, (float(rc[0]), float(rc[1])), sigma, np.nan, int(inside.sum()))
