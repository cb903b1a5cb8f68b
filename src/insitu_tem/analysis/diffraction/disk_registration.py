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
Poisson weights ``1/(var_I + a²·var_T)`` (:mod:`.disk_gauss_newton`).
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

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.centre import as_pattern
from insitu_tem.analysis.diffraction.disk_fit import robust_sigma
from insitu_tem.analysis.diffraction.disk_gauss_newton import BLUR_PX, Blurred, registered
from insitu_tem.analysis.diffraction.spot_candidates import remove_radial_background

EDGE_PX = 3.0 * BLUR_PX
"""Pixels nearer the pattern's edge than this are not compared, px (the blur's reach)."""


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
    image : Blurred
        The background-free reference pattern, blurred, with its variances.
    position_rc : numpy.ndarray
        (m, 2) the reference's disk centres (row, col), px.
    reach_px : float
        Radius of the window fitted about each disk, px.
    pivot_rc : numpy.ndarray
        (m, 2) each disk's registration centre (row, col), px (:func:`registration_pivots`).
    """

    image: Blurred
    position_rc: np.ndarray
    reach_px: float
    pivot_rc: np.ndarray


def _blurred(
    pattern, centre_rc, disks_rc: np.ndarray, reach: float, *, gradients: bool = True
) -> Blurred:
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
    return Blurred(coefficients, blurred_variance, raw)


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


def registration_pivots(image: Blurred, positions: np.ndarray, centre_rc, reach: float):
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
    image : Blurred
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
    shifts = registered(templates.image, image, windows, offsets, 0.5 * templates.reach_px + 1)
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
