"""Diffraction disks located by fitting a model of the whole disk: a blurred circular aperture of
the direct beam's radius whose interior intensity is a low-order polynomial.

Dynamical scattering makes the intensity inside a convergent-beam disk vary: the excitation error
grows across each disk away from the Bragg condition, so in a thick crystal a disk is bright on
its inner side and fades towards its outer rim. Its centre of mass, its intensity maximum and the
steepest fall along rays from its centre then all lie inside the disk's true centre. Its rim is
the image of the condenser aperture, though: a circle of the direct beam's radius, blurred by the
source and the detector. :func:`fit_disk_models` fits, pixel by pixel in a window around each
disk, ``b + P(x)·D(x − c)`` where ``D`` is the unit disk of the direct beam's radius ``R`` blurred
by a Gaussian edge of width ``s`` (``½ erfc((|x − c| − R)/(√2 s))``), ``P`` a polynomial (the
rocking-curve intensity across the disk) and ``b`` a constant, by Gauss-Newton with Poisson
weights. The rim where the disk is bright fixes ``c``; a fading rim is absorbed by ``P`` instead of
pulling the centre. :func:`fit_beam_model` fits the direct beam the same way with ``R`` and ``s``
free, giving the radius and blur shared by every disk.

The centre's 1σ is the least-squares covariance scaled by χ²/dof when above 1 (the polynomial
does not follow every fringe; the misfit is the model's systematic error).

References
----------
Zuo, J. M. & Spence, J. C. H. (2017). Advanced Transmission Electron Microscopy, ch. 17
(CBED disk intensities and the rocking curve). Springer.
Pollock, J. A. et al. (2017). Accuracy and precision of thickness determination from
position-averaged convergent beam electron diffraction patterns using a single-parameter
metric. Ultramicroscopy 181, 86–96.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.disk_fit import MIN_DISK_RADIUS_PX, DiskFit, spot_centroid
from insitu_tem.analysis.diffraction.disk_batches import FitProblem, fit_problems
from insitu_tem.analysis.diffraction.disk_windows import disk_windows, polynomial_terms

MIN_EDGE_CHI2 = 25.0


def _leash(radius_px: float) -> float:
    """Farthest a fitted centre may lie from its start and still be the disk's, px."""
    return 0.5 * radius_px + 1.0


def polynomial_order(radius_px: float) -> int:
    """Order of the interior polynomial: linear for disks below 5 px, quadratic above."""
    return 1 if radius_px < 5.0 else 2


def _window(shape, start, reach: float, others: np.ndarray):
    """Pixel (rows, cols) within ``reach`` of ``start`` and nearer to it than to any of
    ``others``."""
    half = int(np.ceil(reach))
    r0, c0 = int(round(start[0])), int(round(start[1]))
    r = np.arange(max(r0 - half, 0), min(r0 + half + 1, shape[0]), dtype=float)
    c = np.arange(max(c0 - half, 0), min(c0 + half + 1, shape[1]), dtype=float)
    rows, cols = np.repeat(r, len(c)), np.tile(c, len(r))
    own = (rows - start[0]) ** 2 + (cols - start[1]) ** 2
    nearest = (rows - others[:, :1]) ** 2 + (cols - others[:, 1:]) ** 2
    keep = (own <= reach**2) & (own < nearest).all(axis=0)
    return rows[keep], cols[keep]


def fit_disk_models(
    residual: np.ndarray,
    counts: np.ndarray,
    starts_rc,
    *,
    radius_px: float,
    blur_px: float,
    background_var: float,
    others_rc=(),
) -> list[DiskFit]:
    """Centre of each disk from the model of the module docstring, radius and blur fixed.

    Parameters
    ----------
    residual : numpy.ndarray
        Background-free pattern, counts.
    counts : numpy.ndarray
        The pattern, for the Poisson variance of each pixel, counts.
    starts_rc : array_like
        (n, 2) approximate centres (row, col), px, within about a third of a radius.
    radius_px, blur_px : float
        The direct beam's radius and edge blur (1σ), px (:func:`fit_beam_model`).
    background_var : float
        Per-pixel variance of the background, counts², added to the Poisson term.
    others_rc : array_like
        Further (row, col) of disks not fitted (the direct beam): pixels nearer to any of them
        (or to another start) are left out of a disk's window.

    Returns
    -------
    list of DiskFit
        One per start; ``ok`` False when the fit does not converge, leaves its window, or the
        disk's intensity is not above 3σ.
    """
    problem = disk_problem(
        residual,
        counts,
        starts_rc,
        radius_px=radius_px,
        blur_px=blur_px,
        background_var=background_var,
        others_rc=others_rc,
    )
    return disk_fits(problem, fit_problems([problem])[0])


def disk_problem(
    residual, counts, starts_rc, *, radius_px, blur_px, background_var, others_rc=()
) -> FitProblem:
    """The windows of :func:`fit_disk_models` (same parameters) to fit."""
    starts = np.asarray(starts_rc, dtype=float).reshape(-1, 2)
    extra = np.asarray(others_rc, dtype=float).reshape(-1, 2)
    reach = radius_px + 3.0 * blur_px + 1.5
    order = polynomial_order(radius_px)
    windows = disk_windows(
        residual,
        counts,
        starts,
        extra,
        reach=reach,
        radius_px=radius_px,
        order=order,
        background_var=background_var,
    )
    whole = np.array(
        [i for i, w in enumerate(windows) if len(w[0]) >= 3 * (w[4].shape[1] + 3)], dtype=int
    )
    return FitProblem(
        [windows[i] for i in whole],
        starts[whole],
        np.full(len(whole), float(radius_px)),
        float(blur_px),
        False,
        _leash(radius_px),
        starts,
        np.array([len(w[0]) for w in windows], dtype=int),
        whole,
    )


def disk_fits(problem: FitProblem, found: list) -> list[DiskFit]:
    """:func:`fit_disk_models`' answer from the fits (:func:`fit_problems`) of its problem."""
    fits: list = [
        DiskFit(False, (float(start[0]), float(start[1])), np.nan, np.nan, int(n), "disk cut off")
        for start, n in zip(problem.every_start, problem.n_pixels)
    ]
    for i, one, start, radius in zip(problem.fitted, found, problem.starts, problem.radius):
        fits[i] = _judged(one, start, float(radius), int(problem.n_pixels[i]))
    return fits


def _window_data(residual, counts, start, reach, others, radius, order, background_var):
    rows, cols = _window(residual.shape, start, reach, others)
    index = (rows.astype(int), cols.astype(int))
    weight = 1.0 / (np.maximum(counts[index], 1.0) + background_var)
    poly = polynomial_terms((rows - start[0]) / radius, (cols - start[1]) / radius, order)
    return rows, cols, residual[index], weight, poly


def _judged(found, start, radius: float, n_pixels: int) -> DiskFit:
    here = (float(start[0]), float(start[1]))
    if found is None:
        return DiskFit(False, here, np.nan, np.nan, n_pixels, "disk model did not converge")
    centre, fitted_radius, _, sigma, edge, _ = found
    if np.hypot(*(centre - start)) > _leash(radius):
        return DiskFit(False, here, np.nan, np.nan, n_pixels, "disk model left the disk")
    if not edge > MIN_EDGE_CHI2:
        return DiskFit(False, here, np.nan, np.nan, n_pixels, "no clear disk edge")
    return DiskFit(
        True, (float(centre[0]), float(centre[1])), sigma, float(fitted_radius), n_pixels
    )


def _beam_starts(data: np.ndarray, start: np.ndarray, radius_px: float) -> list:
    """(centre, radius) starts for the beam: the given ones, and the centroid and equivalent
    radius of the hole-filled region above 10 % of the beam's height around ``start`` (a beam
    with dark bands inside reads small at half height) when that radius is 1–1.8 × ``radius_px``."""
    starts = [(start, radius_px)]
    half = int(np.ceil(2.0 * radius_px + 4))
    r0, c0 = (int(round(v)) for v in start)
    low = (max(r0 - half, 0), max(c0 - half, 0))
    window = data[low[0] : r0 + half + 1, low[1] : c0 + half + 1]
    background = float(np.median(window))
    level = background + 0.1 * (float(np.percentile(window, 99.5)) - background)
    labels, _ = ndimage.label(ndimage.binary_fill_holes(window > level))
    label = labels[r0 - low[0], c0 - low[1]]
    if label:
        blob = labels == label
        radius = float(np.sqrt(blob.sum() / np.pi))
        if radius_px < radius <= 1.8 * radius_px:
            centre = np.asarray(ndimage.center_of_mass(blob)) + np.asarray(low, dtype=float)
            starts.append((centre, radius))
    return starts


def fit_beam_model(pattern, centre_rc, *, radius_px: float) -> tuple[DiskFit, float]:
    """The direct beam fitted with the model of the module docstring, radius and blur free:
    (fit with the radius, edge blur 1σ px). Fitted from the given start and from the beam's
    extent at 10 % of its height (:func:`_beam_starts`), in one window, keeping the lower χ²;
    the fit is not ok when it fails (see :func:`fit_disk_models`) or the radius leaves
    0.7–1.4 × the starting radii.

    Parameters
    ----------
    pattern : array_like
        2-D pattern, counts.
    centre_rc : tuple of float
        Start (row, col), px.
    radius_px : float
        Approximate beam radius, px (≥ :data:`MIN_DISK_RADIUS_PX`).
    """
    problem = beam_problem(pattern, centre_rc, radius_px=radius_px)
    return beam_fit(problem, fit_problems([problem])[0], radius_px=radius_px)


def _largest(start: np.ndarray, starts: np.ndarray, radii) -> float:
    return max(radius + np.hypot(*(centre - start)) for centre, radius in zip(starts, radii))


def beam_problem(pattern, centre_rc, *, radius_px: float) -> FitProblem:
    """The window and starts of :func:`fit_beam_model` (same parameters) to fit."""
    data = np.asarray(pattern, dtype=np.float64)
    start = np.asarray(centre_rc, dtype=float)
    starts = _beam_starts(data, start, radius_px)
    largest = _largest(start, [centre for centre, _ in starts], [radius for _, radius in starts])
    blur = float(np.clip(0.15 * radius_px, 0.5, 2.0))
    background = float(np.median(data))
    window = _window_data(
        data - background,
        data,
        start,
        1.3 * largest + 3.0 * blur + 1.5,
        np.zeros((0, 2)),
        largest,
        polynomial_order(largest),
        float(np.var(data[data <= background])),
    )
    return FitProblem(
        [window] * len(starts),
        np.array([centre for centre, _ in starts]),
        np.array([radius for _, radius in starts]),
        blur,
        True,
        np.inf,
        start[None],
        np.array([len(window[0])]),
        np.arange(len(starts)),
    )


def beam_fit(problem: FitProblem, tried: list, *, radius_px: float) -> tuple[DiskFit, float]:
    """:func:`fit_beam_model`'s answer from the fits (:func:`fit_problems`) of its problem."""
    start = problem.every_start[0]
    largest = _largest(start, problem.starts, problem.radius)
    blur = problem.blur
    found = min((f for f in tried if f is not None), key=lambda f: f[5], default=None)
    fit = _judged(found, start, largest, int(problem.n_pixels[0]))
    if fit.ok and not 0.7 * radius_px < fit.radius_px < 1.4 * largest:
        return DiskFit(False, fit.centre_rc, np.nan, np.nan, fit.n_points, "beam radius off"), blur
    return fit, (found[2] if found is not None else blur)


def refine_beam_centre(pattern, centre_rc, *, radius_px: float) -> tuple[DiskFit, float]:
    """The direct beam's (centre, 1σ and radius; edge blur 1σ px) from :func:`fit_beam_model`;
    not ok (keep the given centre) when the beam is point-like (radius below
    :data:`MIN_DISK_RADIUS_PX`) or the fit fails."""
    if not radius_px >= MIN_DISK_RADIUS_PX:
        start = (float(centre_rc[0]), float(centre_rc[1]))
        return DiskFit(False, start, np.nan, radius_px, 0, "point-like beam"), np.nan
    return fit_beam_model(pattern, centre_rc, radius_px=radius_px)


def locate_spots(
    residual: np.ndarray,
    counts: np.ndarray,
    starts_rc,
    *,
    radius_px: float,
    blur_px: float = 1.0,
    background_var: float = 0.0,
    others_rc=(),
) -> list[DiskFit]:
    """Position of each spot: :func:`fit_disk_models` for disks of radius
    ≥ :data:`~insitu_tem.analysis.diffraction.disk_fit.MIN_DISK_RADIUS_PX`, the centre of mass
    (:func:`~insitu_tem.analysis.diffraction.disk_fit.spot_centroid`) for point-like spots and
    for disks whose edge the model does not find (weak disks, where the centre of mass is
    limited by counting noise rather than by the intensity across the disk).

    Parameters
    ----------
    residual : numpy.ndarray
        Background-free pattern
        (:func:`insitu_tem.analysis.diffraction.spot_candidates.remove_radial_background`).
    counts : numpy.ndarray
        The pattern (for Poisson variances), counts.
    starts_rc : array_like
        (n, 2) approximate (row, col), px.
    radius_px, blur_px : float
        Disk radius and edge blur (1σ) of the direct beam, px.
    background_var : float
        Per-pixel background variance, counts².
    others_rc : array_like
        (row, col) of the direct beam, px, kept out of the disks' windows.

    Returns
    -------
    list of DiskFit
        One per start; ``ok`` False when the spot cannot be located (reject it).
    """
    starts = np.asarray(starts_rc, dtype=float).reshape(-1, 2)
    if radius_px < MIN_DISK_RADIUS_PX:
        models = [None] * len(starts)
    else:
        models = fit_disk_models(
            residual,
            counts,
            starts,
            radius_px=radius_px,
            blur_px=blur_px,
            background_var=background_var,
            others_rc=others_rc,
        )
    return with_centroids(
        models, residual, counts, starts, radius_px=radius_px, background_var=background_var
    )


def with_centroids(
    models, residual, counts, starts, *, radius_px: float, background_var: float
) -> list[DiskFit]:
    """``models`` (DiskFit or None per start) with the centre of mass where a model is missing
    or not ok (see :func:`locate_spots`, same parameters)."""
    return [
        model
        if model is not None and model.ok
        else spot_centroid(
            residual, counts, start, radius_px=radius_px + 1.0, background_var=background_var
        )
        for model, start in zip(models, starts)
    ]
