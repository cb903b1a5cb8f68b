"""Disks of a pattern located against the strain reference's own disks (relative registration).

A convergent-beam disk is not a flat circle: its intensity follows the rocking curve and, in a
crystal more than a few nm thick, carries fringes at the pixel scale. Any estimator of a disk's
absolute centre (centre of mass, a model of a blurred aperture times a polynomial) then depends
on how those fringes fall on the pixels: on the nbd_strain corpus of ``validation/``, moving a
noise-free pattern by a fraction of a pixel moved the disk-model centres by 0.05–1 px more than
the pattern moved, which a strain fit reads as up to 0.9 % of strain. Strain needs only how far
each disk moved from the reference, though, and the reference holds the same disk: each disk is
located by fitting the pattern, in a window about its predicted position, with the reference's
window of that disk moved by d and scaled, ``I(x) = a·T(x − d) + b`` (background-free patterns:
the azimuthal median of the pixels outside the disks' windows removed), by Gauss-Newton with
Poisson weights ``1/(var_I + a²·var_T)``.
The fringes are then part of the template: they move with the disk instead of pulling it.

Both patterns are blurred by :data:`BLUR_PX` first (an edge sharper than a pixel would bias the
interpolated comparison); the template is then cubic-spline interpolated (its gradient likewise),
as in image registration by least squares (Lucas & Kanade 1981; for disk registration in
nanobeam strain mapping see Pekin et al. 2017). The 1σ per coordinate is the least-squares
covariance with the noise the blurred pixels share carried through (a sandwich over the pixels
before the blur), scaled by χ²/dof when above 1.

References
----------
Lucas, B. D. & Kanade, T. (1981). An iterative image registration technique with an application
to stereo vision. Proc. 7th IJCAI, 674–679.
Pekin, T. C., Gammer, C., Ciston, J., Minor, A. M. & Ophus, C. (2017). Optimizing disk
registration algorithms for nanobeam electron diffraction strain mapping. Ultramicroscopy 176,
170–176.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.centre import as_pattern
from insitu_tem.analysis.diffraction.disk_fit import robust_sigma
from insitu_tem.analysis.diffraction.spot_candidates import remove_radial_background

BLUR_PX = 1.0
"""1σ of the Gaussian both patterns are blurred by before they are compared, px: a disk edge
sharper than a pixel samples differently at every sub-pixel position, which biases any
interpolated comparison (0.1 px on a disk with a 1 px edge); after this blur the pixel grid's
sampling no longer shows (Poisson summation: its terms fall as exp(−2π²σ²), 3e-9 here)."""
EDGE_PX = 3.0 * BLUR_PX
"""Pixels nearer the pattern's edge than this are not compared, px (the blur's reach)."""
MAX_STEPS = 20
"""Gauss-Newton steps before a registration that has not converged is given up."""
TOLERANCE_PX = 1e-4
STEP_SIGMAS = 0.1
"""A registration has converged when its last step moved the disk by less than
:data:`TOLERANCE_PX` or than this fraction of the disk's 1σ (a step the noise cannot tell)."""


@dataclass(frozen=True)
class DiskShifts:
    """Disks of one pattern located against the reference's.

    Attributes
    ----------
    position_rc : numpy.ndarray
        (m, 2) located disk centres (row, col), px; NaN where not located.
    sigma_px : numpy.ndarray
        (m,) 1σ of each coordinate, px (the root mean square of the two); NaN where not located.
    """

    position_rc: np.ndarray
    sigma_px: np.ndarray


@dataclass(frozen=True)
class DiskTemplates:
    """The reference pattern's disks as templates (:func:`disk_templates`).

    Attributes
    ----------
    image : _Blurred
        The background-free reference pattern, blurred, with its variances.
    position_rc : numpy.ndarray
        (m, 2) the reference's disk centres (row, col), px.
    reach_px : float
        Radius of the window fitted about each disk, px.
    pivot_rc : numpy.ndarray
        (m, 2) each disk's registration centre (row, col), px (:func:`registration_pivots`).
    """

    image: _Blurred
    position_rc: np.ndarray
    reach_px: float
    pivot_rc: np.ndarray


@dataclass(frozen=True)
class _Blurred:
    """A background-free pattern blurred by :data:`BLUR_PX`: cubic-spline coefficients of it and
    of its gradient (3, rows, cols; a pattern compared with a template: of it alone), the
    variance of each blurred pixel and of each pixel before the blur (rows, cols), counts²."""

    coefficients: np.ndarray
    variance: np.ndarray
    raw_variance: np.ndarray


def _blurred(
    pattern, centre_rc, disks_rc: np.ndarray, reach: float, *, gradients: bool = True
) -> _Blurred:
    """The pattern minus its azimuthal median (interpolated within a count for a pattern of
    whole counts), blurred by :data:`BLUR_PX`; the variance before the blur is the Poisson
    counts (at least one) plus the background's scatter.

    The median leaves out the pixels within ``reach`` of the disks ``disks_rc`` (row, col px).
    Where disks hold a share f of an annulus its median is the (1/2)/(1 − f) quantile of the
    rest: the background is raised by its scatter (noise, structure) along each disk's chords,
    which leaves a dip across each disk that is deeper against a faint pattern's disks than
    against its reference's, and the fit moves the disk towards it. An abTEM W pattern faded
    to spots 30 % at 3e6 e, the median taken on the expected counts: its (200) disks moved by
    0.03 px radially, about their 1σ; 0.009 px with the disks left out. ``gradients``: the
    gradient's coefficients too (a template's)."""
    counts = as_pattern(pattern)
    whole = bool(np.array_equal(counts, np.rint(counts)))
    residual = remove_radial_background(
        counts, centre_rc=centre_rc, whole_counts=whole, mask=_near(counts.shape, disks_rc, reach)
    )
    raw = np.maximum(counts, 1.0) + robust_sigma(residual) ** 2
    smooth = ndimage.gaussian_filter(residual, BLUR_PX)
    images = (smooth, *np.gradient(smooth)) if gradients else (smooth,)
    coefficients = np.stack([ndimage.spline_filter(i, order=3, mode="mirror") for i in images])
    blurred_variance = ndimage.gaussian_filter(raw, BLUR_PX / np.sqrt(2.0)) / (
        4.0 * np.pi * BLUR_PX**2
    )
    return _Blurred(coefficients, blurred_variance, raw)


def disk_templates(pattern, *, centre_rc, positions_rc, radius_px: float) -> DiskTemplates:
    """Templates of the reference pattern's disks.

    Parameters
    ----------
    pattern : array_like
        The reference pattern, counts.
    centre_rc : tuple of float
        Its direct-beam centre (row, col), px.
    positions_rc : array_like
        (m, 2) its disk centres (row, col), px.
    radius_px : float
        Disk radius, px: each window reaches 2 px beyond the rim.
    """
    positions = np.asarray(positions_rc, float).reshape(-1, 2)
    reach = radius_px + 2.0
    image = _blurred(pattern, centre_rc, positions, reach)
    return DiskTemplates(
        image, positions, reach, registration_pivots(image, positions, centre_rc, reach)
    )


def registration_pivots(image: _Blurred, positions: np.ndarray, centre_rc, reach: float):
    """The point of each disk about which a change of its scale does not move its registration.

    A disk of a strained pattern is its reference disk moved *and* scaled (by 1/(1 + ε) about
    the direct beam). Fitting ``a·T(x − d) + b`` to a disk scaled by s about a point c moves d
    by (s − 1) times the offset of the disk's pivot from c; the pivot is the centroid of the
    template's gradients weighted as in the fit, ``N⁻¹ Σ_x w_x ∇T ∇Tᵀ x`` (the shift part of
    the fit's normal equations N applied to ``x·∇T``). The disks thus move as their pivots
    do, and the lattice is fitted to pivots: a detected centre δ off the pivot reads as a
    strain error of −ε·δ/g (dynamical disks, brighter on one side: δ up to 1 px).

    Parameters
    ----------
    image : _Blurred
        The reference pattern, as the templates hold it.
    positions : numpy.ndarray
        (m, 2) its detected disk centres (row, col), px.
    centre_rc : tuple of float
        Its direct-beam centre (row, col), px.
    reach : float
        Window radius, px (as in the registration).

    Returns
    -------
    numpy.ndarray
        (m, 2) pivots (row, col), px; a disk's detected centre where its window holds fewer
        than five pixels or its normal matrix is singular.
    """
    neighbours = np.vstack([positions, np.asarray(centre_rc, float)[None]])
    pivots = positions.copy()
    for j, start in enumerate(positions):
        rows, cols = _window(image.variance.shape, start, reach, neighbours, np.zeros(2))
        if len(rows) < 5:
            continue
        value, grad_r, grad_c = (
            ndimage.map_coordinates(c, [rows, cols], order=3, mode="mirror", prefilter=False)
            for c in image.coefficients
        )
        design = np.column_stack([-grad_r, -grad_c, value, np.ones_like(value)])
        weighted = design / image.variance[rows, cols][:, None]
        normal = weighted.T @ design
        if abs(np.linalg.det(normal)) == 0:
            continue
        moment = (rows - start[0]) * grad_r + (cols - start[1]) * grad_c
        pivots[j] = start - np.linalg.solve(normal, weighted.T @ moment)[:2]
    return pivots


def register_disks(templates: DiskTemplates, pattern, *, centre_rc, starts_rc) -> DiskShifts:
    """Each template's disk located in ``pattern`` (module docstring).

    Parameters
    ----------
    templates : DiskTemplates
        The reference's disks.
    pattern : array_like
        The pattern, counts.
    centre_rc : tuple of float
        Its direct-beam centre (row, col), px.
    starts_rc : array_like
        (m, 2) where each template's disk is expected in ``pattern`` (row, col), px; NaN rows
        (disks not found there) are not located.

    Returns
    -------
    DiskShifts
        NaN for a disk not located: no start, not converged, moved more than half the window
        from its start, or matched with a template turned negative.
    """
    starts = np.asarray(starts_rc, float).reshape(-1, 2)
    found = np.isfinite(starts).all(axis=1)
    image = _blurred(pattern, centre_rc, starts[found], templates.reach_px, gradients=False)
    neighbours = np.vstack([starts[found], np.asarray(centre_rc, float)[None]])
    position = np.full_like(starts, np.nan)
    sigma = np.full(len(starts), np.nan)
    disks = np.flatnonzero(found)
    offsets = templates.position_rc[disks] - starts[disks]
    windows = [
        _window(image.variance.shape, starts[j], templates.reach_px, neighbours, offset)
        for j, offset in zip(disks, offsets)
    ]
    shifts = _registered(templates.image, image, windows, offsets, 0.5 * templates.reach_px + 1)
    for j, shift in zip(disks, shifts):
        if shift is not None:
            position[j] = starts[j] + shift[:2]
            sigma[j] = float(np.sqrt(np.mean(shift[2:] ** 2)))
    return DiskShifts(position, sigma)


def _near(shape, disks_rc: np.ndarray, reach: float) -> np.ndarray:
    """Boolean image, True within ``reach`` px of any of ``disks_rc`` (row, col px)."""
    near = np.zeros(shape, bool)
    half = int(np.ceil(reach))
    for centre in disks_rc:
        low = np.maximum(np.floor(centre).astype(int) - half, 0)
        high = np.clip(np.floor(centre).astype(int) + half + 2, 0, shape)
        rows, cols = np.ogrid[low[0] : high[0], low[1] : high[1]]
        near[low[0] : high[0], low[1] : high[1]] |= (
            np.hypot(rows - centre[0], cols - centre[1]) <= reach
        )
    return near


def _window(
    shape, start, reach: float, neighbours: np.ndarray, offset
) -> tuple[np.ndarray, np.ndarray]:
    """Pixels within ``reach`` of ``start`` that lie nearer to it than to every other neighbour
    (its own start, among ``neighbours``, excluded by distance zero), and at least
    :data:`EDGE_PX` inside the pattern, here and moved by ``offset`` into the template (the blur
    reflects the pattern at its edges, which a disk moved along it does not share)."""
    half = int(np.ceil(reach)) + 1
    centre = np.round(start).astype(int)
    rows, cols = np.mgrid[-half : half + 1, -half : half + 1]
    rows, cols = (rows + centre[0]).ravel(), (cols + centre[1]).ravel()
    own = np.hypot(rows - start[0], cols - start[1])
    keep = own <= reach
    for r, c in ((rows, cols), (rows + offset[0], cols + offset[1])):
        keep &= (np.minimum(r, shape[0] - 1 - r) >= EDGE_PX) & (
            np.minimum(c, shape[1] - 1 - c) >= EDGE_PX
        )
    apart = np.hypot(*(neighbours - start).T)
    near = neighbours[(apart > 1e-9) & (apart <= 2.0 * reach)]  # farther ones are never nearer
    if len(near):
        keep &= (own < np.hypot(rows - near[:, :1], cols - near[:, 1:])).all(axis=0)
    return rows[keep], cols[keep]


def _registered(
    template: _Blurred, image: _Blurred, windows, offsets: np.ndarray, leash: float
) -> list[np.ndarray | None]:
    """For each disk k, (d_row, d_col, σ_row, σ_col) px fitting
    ``I(x) ≈ a·T(x + offsets[k] − d) + b`` over its ``windows[k]`` pixels x of the pattern
    ``image`` (``offsets[k]``: from its pixels to the template's at d = 0), or None (not
    located: not converged, moved farther than ``leash`` px). All disks take their Gauss-Newton
    steps together: one interpolation of the stacked windows per step."""
    results: list[np.ndarray | None] = [None] * len(windows)
    fits = [_Fit(k, *window, offsets[k]) for k, window in enumerate(windows)]
    for fit in fits:
        fit.values = ndimage.map_coordinates(
            image.coefficients[0], [fit.rows, fit.cols], order=3, mode="mirror", prefilter=False
        )
        fit.variance = image.variance[fit.rows, fit.cols]
        fit.scale, fit.level = _scale_and_level(template, fit)
    for _ in range(MAX_STEPS):
        if not fits:
            break
        rows = np.concatenate([f.rows for f in fits])
        cols = np.concatenate([f.cols for f in fits])
        sizes = [len(f.rows) for f in fits]
        offset = np.repeat([f.offset for f in fits], sizes, axis=0)
        shift = np.repeat([f.shift for f in fits], sizes, axis=0)
        at = [rows + offset[:, 0] - shift[:, 0], cols + offset[:, 1] - shift[:, 1]]
        sampled = [
            ndimage.map_coordinates(c, at, order=3, mode="mirror", prefilter=False)
            for c in template.coefficients
        ]
        var_t = ndimage.map_coordinates(template.variance, at, order=1, mode="nearest")
        weighted, inverse, chi2, done = _steps(fits, sizes, *sampled, var_t, leash)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        finished = [k for k, fit in enumerate(fits) if done[k]]
        if finished:
            rows = [weighted[bounds[k] : bounds[k + 1]] for k in finished]
            spreads = _sandwiches(image, template, [fits[k] for k in finished], rows)
            for k, spread in zip(finished, spreads):
                covariance = inverse[k] @ spread @ inverse[k]
                results[fits[k].index] = np.concatenate(
                    [fits[k].shift, np.sqrt(np.diag(covariance)[:2] * max(chi2[k], 1.0))]
                )
        remaining = [fit for k, fit in enumerate(fits) if done[k] is None]
        fits = remaining
    return results


@dataclass
class _Fit:
    """One disk's registration under way: its window's pixels, the pattern's values there, the
    offset into the template and the current shift (px), scale and level."""

    index: int
    rows: np.ndarray
    cols: np.ndarray
    offset: np.ndarray
    values: np.ndarray | None = None
    variance: np.ndarray | None = None
    shift: np.ndarray = field(default_factory=lambda: np.zeros(2))
    scale: float = 1.0
    level: float = 0.0


def _scale_and_level(template: _Blurred, fit: _Fit) -> tuple[float, float]:
    """The scale a and level b of ``I ≈ a·T + b`` over ``fit``'s window at its start (weighted by
    the pattern's noise; 1 and 0 if a is not positive). Gauss-Newton linearises a·T(x − d) about
    the current a, so a first step from a = 1 moves d by the true scale × the true shift: a faint
    pattern against a bright template took a step the noise could not tell and counted as
    converged near its start."""
    at = [fit.rows + fit.offset[0], fit.cols + fit.offset[1]]
    fitted = ndimage.map_coordinates(
        template.coefficients[0], at, order=3, mode="mirror", prefilter=False
    )
    root = 1.0 / np.sqrt(fit.variance)
    design = np.column_stack([fitted, np.ones_like(fitted)]) * root[:, None]
    (scale, level), *_ = np.linalg.lstsq(design, fit.values * root, rcond=None)
    return (float(scale), float(level)) if scale > 0 else (1.0, 0.0)


def _steps(fits: list[_Fit], sizes, fitted, fitted_r, fitted_c, var_t, leash: float):
    """One Gauss-Newton step of every fit given the template (and its gradient and variance)
    sampled at their stacked windows (``sizes`` pixels each). Returns the weighted design rows
    (stacked), each fit's inverse normal matrix and χ²/dof, and per fit None while under way,
    False when given up, True when converged."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    scale = np.repeat([f.scale for f in fits], sizes)
    level = np.repeat([f.level for f in fits], sizes)
    weight = 1.0 / (np.concatenate([f.variance for f in fits]) + scale**2 * var_t)
    design = np.column_stack([-scale * fitted_r, -scale * fitted_c, fitted, np.ones_like(fitted)])
    misfit = np.concatenate([f.values for f in fits]) - scale * fitted - level
    weighted = design * weight[:, None]
    normal = np.add.reduceat(weighted[:, :, None] * design[:, None, :], starts)
    rhs = np.add.reduceat(weighted * misfit[:, None], starts)
    chi2 = np.add.reduceat(weight * misfit**2, starts) / np.maximum(np.asarray(sizes) - 4, 1)
    solvable = np.abs(np.linalg.det(normal)) > 0
    inverse = np.full_like(normal, np.nan)
    inverse[solvable] = np.linalg.inv(normal[solvable])
    step = np.einsum("kij,kj->ki", inverse, rhs)
    done: list[bool | None] = []
    for fit, k_step, k_inverse, k_chi2, ok in zip(fits, step, inverse, chi2, solvable):
        fit.shift, fit.scale = fit.shift + k_step[:2], fit.scale + k_step[2]
        fit.level = fit.level + k_step[3]
        if not ok or np.hypot(*fit.shift) > leash or fit.scale <= 0:
            done.append(False)
            continue
        naive = np.sqrt(np.diag(k_inverse)[:2] * max(k_chi2, 1.0))
        limit = max(TOLERANCE_PX, STEP_SIGMAS * float(np.min(naive)))
        done.append(True if np.max(np.abs(k_step[:2])) < limit else None)
    return weighted, inverse, chi2, done


def _sandwiches(image: _Blurred, template: _Blurred, fits, rows) -> np.ndarray:
    """(k, c, c) Σ_p var_p u_p u_pᵀ over the pixels p before the blur of each fit's window, u
    its weighted design rows ``rows[k]`` (its pixels, c) spread back by the blur (the blurred
    pixels share their noise), var the pattern's and the template's (scale² ×) noise: the
    middle of each estimate's covariance N⁻¹ (Σ …) N⁻¹. All fits share one blur of a stack of
    equal boxes."""
    pad = int(np.ceil(4.0 * BLUR_PX)) + 1
    low = np.array([[f.rows.min(), f.cols.min()] for f in fits]) - pad
    high = np.array([[f.rows.max(), f.cols.max()] for f in fits]) + pad
    size = int((high - low).max()) + 1
    spread = np.zeros((len(fits), rows[0].shape[1], size, size))
    for k, (fit, row) in enumerate(zip(fits, rows)):
        spread[k, :, fit.rows - low[k, 0], fit.cols - low[k, 1]] = row
    spread = ndimage.gaussian_filter(spread, (0.0, 0.0, BLUR_PX, BLUR_PX), mode="constant")
    box = np.arange(size)
    pr = low[:, 0, None, None] + box[None, :, None] + np.zeros((1, 1, size), int)
    pc = low[:, 1, None, None] + box[None, None, :] + np.zeros((1, size, 1), int)
    shift = np.round([f.offset - f.shift for f in fits]).astype(int)
    scale = np.array([f.scale for f in fits])
    variance = _at(image.raw_variance, pr, pc) + scale[:, None, None] ** 2 * _at(
        template.raw_variance, pr + shift[:, 0, None, None], pc + shift[:, 1, None, None]
    )
    return np.einsum("kaij,kij,kbij->kab", spread, variance, spread)


def _at(image: np.ndarray, rows, cols) -> np.ndarray:
    """``image`` at whole-pixel (rows, cols), clipped into it."""
    r = np.clip(rows, 0, image.shape[0] - 1).astype(int)
    c = np.clip(cols, 0, image.shape[1] - 1).astype(int)
    return image[r, c]
