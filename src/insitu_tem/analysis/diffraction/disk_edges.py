"""Sub-pixel positions of diffraction disks and point-like spots, each with a 1σ.

A convergent-beam disk is flat only in kinematic theory: dynamical scattering
puts rocking-curve fringes and an intensity gradient inside it, so its centre
of mass or intensity maximum is not its centre. Its *edge* is fixed by the
condenser aperture, however. :func:`fit_disk_edge` samples the smoothed
pattern along rays from a start point, takes on each ray the radius of the
steepest intensity fall (parabolic sub-sample vertex), rejects rays without a
clear edge (overlapping neighbours, noise) and fits a circle — centre and
radius, linearised about the start and iterated — by least squares with a
3σ (scaled MAD) rejection. The centre's 1σ is the least-squares covariance
scaled by the residual variance and by the correlation of neighbouring rays
(edge points closer than one pixel are not independent), combined with a
systematic :data:`RIM_SYSTEMATIC` × radius for where the rim of a dynamical
disk lies (its intensity can fade towards one rim, moving the steepest fall
inwards there; measured on the abTEM corpus).

Point-like spots (disk radius below :data:`EDGE_MIN_RADIUS_PX`) have no edge to
fit; :func:`spot_centroid` gives their iterated, background-free centre of
mass with the Poisson 1σ propagated from the counts in the window. The centre
of mass is also the better estimate for a disk whose interior is flat within
its Poisson noise (:func:`is_flat`): it uses every pixel, where the edge uses
only the rim.

References
----------
Zeltmann, S. E. et al. (2020). Patterned probes for high precision 4D-STEM
Bragg measurements. Ultramicroscopy 209, 112890 (disk position precision).
Chernov, N. & Lesort, C. (2005). Least squares fitting of circles. J. Math.
Imaging Vision 23, 239–252.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.edge_rays import (
    SPLINE_PAD,
    centre_sigma,
    edge_radii,
    reject_outliers,
)

EDGE_MIN_RADIUS_PX = 2.0
EDGE_SMOOTH_FRACTION = 0.3
RIM_SYSTEMATIC = 0.06
RIM_FRACTION = 0.5
_MIN_RAY_FRACTION = 0.3
_BATCH_SAMPLES = 400_000
_spline_cache = threading.local()


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
        Edge radius, px (NaN for a centroid).
    n_points : int
        Edge points (rays) or pixels used.
    reason : str
        Why the fit failed ("" when ok).
    """

    ok: bool
    centre_rc: tuple[float, float]
    sigma_px: float
    radius_px: float
    n_points: int
    reason: str = ""


def edge_map(pattern, *, radius_px: float) -> np.ndarray:
    """The pattern smoothed for :func:`fit_disk_edge` (float64).

    The Gaussian (0.3 × the disk radius, 0.7–1.5 px) makes the edge smooth enough to interpolate
    between pixels without aliasing; the bias it adds to a sloping disk is removed per ray.
    """
    sigma = float(np.clip(EDGE_SMOOTH_FRACTION * radius_px, 0.7, 1.5))
    return ndimage.gaussian_filter(np.asarray(pattern, dtype=np.float64), sigma)


def _spline_coefficients(smooth: np.ndarray) -> np.ndarray:
    """Cubic B-spline coefficients of ``smooth``, edge-padded by :data:`SPLINE_PAD` px as
    ``scipy.ndimage.map_coordinates`` pads for mode "nearest"; kept for the last pattern of each
    thread, since every ray of every disk of a pattern samples the same coefficients."""
    held = getattr(_spline_cache, "entry", None)
    if held is None or held[0] is not smooth:
        padded = np.pad(smooth, SPLINE_PAD, mode="edge")
        held = (smooth, ndimage.spline_filter(padded, order=3, mode="nearest"))
        _spline_cache.entry = held
    return held[1]


def fit_disk_edges(
    smooth: np.ndarray,
    starts_rc,
    *,
    radius_px: float,
    noise: float,
    fixed_radius: bool = False,
    iterations: int = 3,
) -> list[DiskFit]:
    """Centre (and radius) of bright disks from their edges (see module docstring), one
    :class:`DiskFit` per start; the disks are fitted together, in batches.

    Each ray's edge point is weighted by the square of the step it falls through, so the
    sharp rim of a disk dominates where dynamical scattering leaves the opposite rim dim.

    Parameters
    ----------
    smooth : numpy.ndarray
        Pattern smoothed by :func:`edge_map` (background removed or not).
    starts_rc : array_like
        (n, 2) starting centres (row, col), px, each within about half a radius of its disk.
    radius_px : float
        Expected disk radius, px (≥ :data:`EDGE_MIN_RADIUS_PX`).
    noise : float
        1σ noise of ``smooth`` per pixel (counts): an edge must fall by more than 3σ.
    fixed_radius : bool
        Keep the radius at ``radius_px`` (the direct beam's: every disk of a pattern has the
        radius of the condenser aperture) and fit only the centres.
    iterations : int
        Re-centrings of the rays on the fitted centre.
    """
    starts = np.asarray(starts_rc, dtype=float).reshape(-1, 2)
    n_rays = int(np.clip(2 * np.pi * radius_px, 16, 96))
    batch = max(1, _BATCH_SAMPLES // (n_rays * int(25 * radius_px + 10)))
    fits = []
    for first in range(0, len(starts), batch):
        fits += _fit_batch(
            smooth,
            starts[first : first + batch],
            radius_px=radius_px,
            noise=noise,
            n_rays=n_rays,
            fixed_radius=fixed_radius,
            iterations=iterations,
        )
    return fits


def fit_disk_edge(smooth: np.ndarray, start_rc, **options) -> DiskFit:
    """:func:`fit_disk_edges` of one disk starting at ``start_rc`` (row, col), px."""
    return fit_disk_edges(smooth, [start_rc], **options)[0]


def _fit_batch(smooth, starts, *, radius_px, noise, n_rays, fixed_radius, iterations):
    angles = np.linspace(0, 2 * np.pi, n_rays, endpoint=False)
    design = np.column_stack(
        [np.sin(angles), np.cos(angles)] + ([] if fixed_radius else [np.ones_like(angles)])
    )
    centre, radius = starts.copy(), np.full(len(starts), float(radius_px))
    fits: list[DiskFit | None] = [None] * len(starts)
    live = np.arange(len(starts))
    for _ in range(iterations):
        if len(live) == 0:
            return fits
        radii, height = edge_radii(_spline_coefficients(smooth), centre[live], radius[live], angles)
        strong = np.maximum(3.0 * noise, RIM_FRACTION * np.percentile(height, 75, axis=1))
        near = np.abs(radii - radius[live][:, None]) < 0.5 * radius[live][:, None]
        use = (height > strong[:, None]) & near
        weights = np.clip(height, 0.0, None) ** 2
        target = radii - (radius_px if fixed_radius else 0.0)
        minimum = max(6, _MIN_RAY_FRACTION * n_rays)
        solution, residual, use, few = reject_outliers(design, target, weights, use, minimum)
        for i in np.flatnonzero(few):
            fits[live[i]] = DiskFit(
                False,
                tuple(centre[live[i]]),
                np.nan,
                np.nan,
                int(use[i].sum()),
                "no clear disk edge",
            )
        moved = live[~few]
        centre[moved] = centre[moved] + solution[~few, :2]
        radius[moved] = radius_px if fixed_radius else solution[~few, 2]
        left = ~few & ~(
            (EDGE_MIN_RADIUS_PX * 0.5 < radius[live]) & (radius[live] < 2.0 * radius_px)
        )
        for i in np.flatnonzero(left):
            fits[live[i]] = DiskFit(
                False,
                tuple(centre[live[i]]),
                np.nan,
                float(radius[live[i]]),
                int(use[i].sum()),
                "edge fit left the disk",
            )
        keep = ~few & ~left
        live, use, residual, weights = live[keep], use[keep], residual[keep], weights[keep]
    sigma = np.hypot(
        centre_sigma(design, residual, weights, use, radius[live]), RIM_SYSTEMATIC * radius[live]
    )
    for j, i in enumerate(live):
        fits[i] = DiskFit(
            True,
            (float(centre[i, 0]), float(centre[i, 1])),
            float(sigma[j]),
            float(radius[i]),
            int(use[j].sum()),
        )
    return fits


def is_flat(
    residual: np.ndarray, counts: np.ndarray, centre_rc, *, radius_px: float, background_var: float
) -> bool:
    """True when the disk interior (within ``radius_px`` − 1.5 px) is uniform within its Poisson
    noise.

    The χ² of the interior pixels about their mean, with variances counts + ``background_var``,
    must lie within 3 standard deviations of its expectation.
    """
    inner = radius_px - 1.5
    half = int(np.ceil(inner)) + 1
    r0, c0 = int(round(centre_rc[0])), int(round(centre_rc[1]))
    if (
        inner < 1.0
        or r0 - half < 0
        or c0 - half < 0
        or r0 + half >= residual.shape[0]
        or c0 + half >= residual.shape[1]
    ):
        return False
    window = (slice(r0 - half, r0 + half + 1), slice(c0 - half, c0 + half + 1))
    rows, cols = np.indices(residual[window].shape) - half
    inside = np.hypot(rows + r0 - centre_rc[0], cols + c0 - centre_rc[1]) <= inner
    values = residual[window][inside]
    variance = np.clip(counts[window][inside], 0, None) + background_var + 1e-12
    dof = max(len(values) - 1, 1)
    chi2 = float(np.sum((values - values.mean()) ** 2 / variance))
    return chi2 <= dof + 3.0 * np.sqrt(2.0 * dof)


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


def common_radius(smooth: np.ndarray, starts, *, radius_px: float, noise: float) -> float:
    """Radius shared by a pattern's disks: the median of free-radius edge fits of the disks
    whose rim is seen all round (≥ 80 % of the rays), else ``radius_px``, px."""
    n_rays = int(np.clip(2 * np.pi * radius_px, 16, 96))
    fits = fit_disk_edges(smooth, np.asarray(starts)[:40], radius_px=radius_px, noise=noise)
    radii = [fit.radius_px for fit in fits if fit.ok and fit.n_points >= 0.8 * n_rays]
    return float(np.median(radii)) if len(radii) >= 3 else float(radius_px)


def robust_sigma(values: np.ndarray) -> float:
    """1.4826 × the median absolute deviation (a Gaussian σ robust to outliers)."""
    return float(1.4826 * np.median(np.abs(values - np.median(values)))) + 1e-12


def locate_spots(
    residual: np.ndarray,
    counts: np.ndarray,
    starts_rc,
    *,
    radius_px: float,
    smooth: np.ndarray | None = None,
    noise: float = 0.0,
    background_var: float = 0.0,
) -> list[DiskFit]:
    """Position of each spot: edge fit for structured disks (radius ≥ 3 px), centre of mass for
    points and for disks whose interior is flat within its noise.

    Parameters
    ----------
    residual : numpy.ndarray
        Background-free pattern
        (:func:`insitu_tem.analysis.diffraction.disks.remove_radial_background`).
    counts : numpy.ndarray
        The pattern (for Poisson variances), counts.
    starts_rc : array_like
        (n, 2) approximate (row, col), px.
    radius_px : float
        Disk radius (the direct beam's), px.
    smooth : numpy.ndarray, optional
        :func:`edge_map` of ``residual`` (needed for disks).
    noise : float
        1σ per-pixel noise of ``smooth``, counts.
    background_var : float
        Per-pixel background variance, counts², for the centre-of-mass 1σ.

    Returns
    -------
    list of DiskFit
        One per start; ``ok`` False when the spot cannot be located (reject it).
    """
    starts = np.asarray(starts_rc, dtype=float).reshape(-1, 2)
    centroids = [
        spot_centroid(
            residual, counts, start, radius_px=radius_px + 1.0, background_var=background_var
        )
        for start in starts
    ]
    if radius_px < EDGE_MIN_RADIUS_PX or smooth is None:
        return centroids
    edges = fit_disk_edges(smooth, starts, radius_px=radius_px, noise=noise, fixed_radius=True)
    return [
        centroid
        if centroid.ok
        and (
            not edge.ok
            or is_flat(
                residual,
                counts,
                centroid.centre_rc,
                radius_px=radius_px,
                background_var=background_var,
            )
        )
        else edge
        for centroid, edge in zip(centroids, edges)
    ]


def refine_beam_centre(
    pattern, centre_rc, *, radius_px: float
) -> tuple[tuple[float, float], float, float]:
    """Direct-beam centre from its edge: ((row, col), 1σ px, radius px).

    For a beam of radius ≥ 3 px whose interior is not flat (see :func:`locate_spot`); a flat
    beam keeps the given (centre-of-mass) centre, with the edge fit's 1σ. Returns the given
    centre with σ NaN when the beam is point-like or shows no clear edge.
    """
    if not radius_px >= EDGE_MIN_RADIUS_PX:
        return tuple(centre_rc), np.nan, radius_px
    data = np.asarray(pattern, dtype=np.float64)
    smooth = edge_map(data, radius_px=radius_px)
    fit = fit_disk_edge(smooth, centre_rc, radius_px=radius_px, noise=robust_sigma(smooth))
    if not fit.ok:
        return tuple(centre_rc), np.nan, radius_px
    background = float(np.median(data))
    if is_flat(
        data - background,
        data,
        centre_rc,
        radius_px=fit.radius_px,
        background_var=robust_sigma(data) ** 2,
    ):
        return tuple(centre_rc), fit.sigma_px, fit.radius_px
    return fit.centre_rc, fit.sigma_px, fit.radius_px
