"""Elliptical distortion of a diffraction pattern, fitted on one ring.

Ring maxima are located to sub-pixel along rays from the centre (parabola on
a smoothed pattern), an ellipse is fitted to them by linear least squares on
the conic, and the rays are re-centred on the fitted centre a few times. The
fitted ellipse gives the matrix that maps detector offsets back onto a circle,
which :func:`insitu_tem.analysis.diffraction.radial.radial_integrator` accepts as
``correction``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.centre import as_pattern, parabolic_offset


@dataclass(frozen=True)
class EllipseFit:
    """An ellipse fitted to the maxima of one ring.

    Attributes
    ----------
    ok : bool
        False when too few ring points were found (``reason`` says why).
    centre_rc : tuple of float
        Ellipse centre (row, col), px.
    semi_axes_px : tuple of float
        Major and minor semi-axis, px.
    angle_deg : float
        Angle of the major axis from the +row axis towards +col, degrees.
    rms_px : float
        RMS radial distance of the ring points from the ellipse, px.
    n_points : int
        Ring points used.
    reason : str
        Why the fit failed ("" when ok).
    """

    ok: bool
    centre_rc: tuple[float, float]
    semi_axes_px: tuple[float, float]
    angle_deg: float
    rms_px: float
    n_points: int
    reason: str = ""

    @property
    def ellipticity(self) -> float:
        """(major − minor) / mean semi-axis, dimensionless."""
        a, b = self.semi_axes_px
        return float(2.0 * (a - b) / (a + b))

    def correction(self) -> np.ndarray:
        """(2, 2) matrix taking (row, col) offsets from the centre onto a circle of radius √(ab)."""
        a, b = self.semi_axes_px
        turn = np.radians(self.angle_deg)
        rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        mean = np.sqrt(a * b)
        return rot @ np.diag([mean / a, mean / b]) @ rot.T


def ring_points(
    pattern, *, centre_rc, radius_px: float, width_px: float, n_angles: int = 180, mask=None
) -> np.ndarray:
    """Sub-pixel maxima of a ring along rays from ``centre_rc``.

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    centre_rc : tuple of float
        Ray origin (row, col), px.
    radius_px, width_px : float
        The ring is searched between ``radius_px ± width_px``, px.
    n_angles : int
        Number of rays.
    mask : array_like of bool, optional
        True for pixels to ignore; rays touching them are dropped.

    Returns
    -------
    numpy.ndarray
        (m, 2) ring points (row, col), px.
    """
    data = ndimage.gaussian_filter(as_pattern(pattern), 1.0)
    radii = np.arange(max(radius_px - width_px, 1.0), radius_px + width_px + 0.25, 0.25)
    angles = np.linspace(0.0, 2 * np.pi, n_angles, endpoint=False)
    rows = centre_rc[0] + np.outer(np.cos(angles), radii)
    cols = centre_rc[1] + np.outer(np.sin(angles), radii)
    inside = (rows >= 0) & (rows <= data.shape[0] - 1) & (cols >= 0) & (cols <= data.shape[1] - 1)
    keep = inside.all(axis=1)
    if mask is not None:
        bad = (
            ndimage.map_coordinates(
                np.asarray(mask, dtype=float), [rows, cols], order=0, mode="nearest"
            )
            > 0
        )
        keep &= ~bad.any(axis=1)
    values = ndimage.map_coordinates(data, [rows, cols], order=1, mode="nearest")
    points = []
    for i in np.flatnonzero(keep):
        k = int(np.argmax(values[i]))
        if 0 < k < len(radii) - 1:
            r = radii[k] + 0.25 * parabolic_offset(*values[i, k - 1 : k + 2])
            points.append(
                (centre_rc[0] + r * np.cos(angles[i]), centre_rc[1] + r * np.sin(angles[i]))
            )
    return np.asarray(points, dtype=float).reshape(-1, 2)


def fit_ellipse(points) -> EllipseFit:
    """Least-squares ellipse through (row, col) points (algebraic fit, then geometry).

    Parameters
    ----------
    points : array_like
        (m, 2) points, px; at least 6.
    """
    pts = np.asarray(points, dtype=float)
    if len(pts) < 6:
        return EllipseFit(
            False,
            (np.nan, np.nan),
            (np.nan, np.nan),
            np.nan,
            np.nan,
            len(pts),
            "fewer than 6 ring points",
        )
    mean = pts.mean(axis=0)
    y, x = (pts - mean).T
    design = np.stack([y * y, y * x, x * x, y, x], axis=1)
    (a, b, c, d, e), *_ = np.linalg.lstsq(design, np.ones(len(pts)), rcond=None)
    quad = np.array([[a, b / 2], [b / 2, c]])
    if np.linalg.det(quad) <= 0:
        return EllipseFit(
            False,
            tuple(mean),
            (np.nan, np.nan),
            np.nan,
            np.nan,
            len(pts),
            "ring points do not lie on an ellipse",
        )
    centre = np.linalg.solve(2 * quad, -np.array([d, e]))
    scale = 1.0 + centre @ quad @ centre
    values, vectors = np.linalg.eigh(quad / scale)
    semi = 1.0 / np.sqrt(values)
    major = vectors[:, 0]
    angle = float(np.degrees(np.arctan2(major[1], major[0])) % 180.0)
    offsets = (pts - mean - centre) @ vectors
    radial = np.sqrt((offsets[:, 0] / semi[0]) ** 2 + (offsets[:, 1] / semi[1]) ** 2)
    rms = float(np.sqrt(np.mean(((radial - 1.0) * np.hypot(*offsets.T) / radial) ** 2)))
    rc = (float(centre[0] + mean[0]), float(centre[1] + mean[1]))
    return EllipseFit(True, rc, (float(semi[0]), float(semi[1])), angle, rms, len(pts))


def fit_ring_ellipse(
    pattern, *, centre_rc, radius_px: float, width_px: float = 5.0, mask=None, iterations: int = 3
) -> EllipseFit:
    """Fit an ellipse to one ring, re-centring the rays on each new fit.

    Parameters
    ----------
    pattern : array_like
        2-D pattern.
    centre_rc : tuple of float
        Starting centre (row, col), px.
    radius_px, width_px : float
        Approximate ring radius and half-width of the search band, px.
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop).
    iterations : int
        Number of re-centring passes.
    """
    if not (np.isfinite(radius_px) and radius_px > width_px > 0):
        raise ValueError(
            f"need radius_px > width_px > 0, got radius {radius_px} and width {width_px}"
        )
    fit = EllipseFit(False, tuple(centre_rc), (radius_px, radius_px), 0.0, np.nan, 0, "not fitted")
    centre = tuple(float(v) for v in centre_rc)
    for _ in range(max(1, iterations)):
        fit = fit_ellipse(
            ring_points(
                pattern, centre_rc=centre, radius_px=radius_px, width_px=width_px, mask=mask
            )
        )
        if not fit.ok:
            return fit
        centre, radius_px = fit.centre_rc, float(np.sqrt(np.prod(fit.semi_axes_px)))
    return fit


def ellipse_on_strongest_ring(
    pattern, *, centre_rc, width_px: float = 5.0, mask=None
) -> EllipseFit:
    """Fit the detector ellipse on the strongest ring of a pattern.

    Parameters
    ----------
    pattern : array_like
        2-D ring pattern.
    centre_rc : tuple of float
        Centre (row, col), px.
    width_px : float
        Half-width of the band searched around the ring, px.
    mask : array_like of bool, optional
        True for pixels to ignore (beam stop).
    """
    from insitu_tem.analysis.diffraction.calibration import strongest_ring_radius
    from insitu_tem.analysis.diffraction.radial import radial_profile

    data = as_pattern(pattern)
    profile = radial_profile(data, centre_rc=centre_rc, mask=mask)
    radius = strongest_ring_radius(profile.r_px, profile.intensity, r_min_px=2.0 * width_px)
    if radius is None:
        return EllipseFit(
            False, tuple(centre_rc), (np.nan, np.nan), np.nan, np.nan, 0, "no ring in this pattern"
        )
    return fit_ring_ellipse(
        data, centre_rc=centre_rc, radius_px=radius, width_px=width_px, mask=mask
    )
