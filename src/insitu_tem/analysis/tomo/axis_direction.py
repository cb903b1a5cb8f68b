"""Tilt-axis direction from how the projections move between neighbouring tilts, or from how the
axis offset drifts along the axis.

Tilting about an axis moves every feature across the axis only: a point at
(x, z) from the axis projects to ``u = x cos θ + z sin θ`` across it and to a
fixed position along it. After the neighbouring projections are registered
(removing the common translation), the remaining local motion (Lucas–Kanade, 15-px windows)
therefore points across the axis everywhere, whatever the object
(a cylinder along the axis, whose projection does not change, only through
its other features). The
direction that explains most of the change between tilts two steps apart
(each window's least-squares motion along a trial direction, summed over
windows and pairs) is the across-axis direction [1]_, [2]_.

Confidence: the contrast of that energy over directions and the scatter of
the per-pair directions (1σ of their mean). Series
with too little parallax (a flat object, few tilts) give no direction this way.

The second estimate (:mod:`.axis_slope`) starts from the first (or from 0° when it gave none)
and turns the direction until the axis offset is the same all along the axis; it needs no moving
texture (a wire along the axis, whose voids are the only features that move, fixes it by its
edges) but needs the object inside the field of view across the axis. The one with the smaller
stated 1σ (at most 3°) is used; when neither gives one, ``ok=False`` with both reasons.

References
----------
.. [1] B. D. Lucas and T. Kanade, Proc. IJCAI 81, 674 (1981) (local flow).
.. [2] D. N. Mastronarde and S. R. Held, J. Struct. Biol. 197, 102 (2017)
   (tilt-axis rotation from feature motion between tilts, IMOD).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.axis_slope import axis_direction_by_offset_slope
from insitu_tem.analysis.tomo.registration import displacement

_SIZE = 128
_STEP = 2
_MIN_ANISOTROPY = 0.3
_MAX_SIGMA_DEG = 3.0


@dataclass(frozen=True)
class AxisDirection:
    """Tilt-axis direction from inter-tilt motion.

    Attributes
    ----------
    angle_deg, sigma_deg : float
        Direction φ from the image rows towards the columns, degrees (−90…90], and its 1σ.
    anisotropy : float
        Contrast ``(E_max − E_min)/E_max`` of the explained motion energy over directions, 0–1.
    ok : bool
    reason : str
    method : str
        ``"motion"`` or ``"offset slope"`` (:mod:`.axis_slope`): the one whose answer is used.
    """

    angle_deg: float
    sigma_deg: float
    anisotropy: float
    ok: bool
    reason: str = ""
    method: str = ""


def _binned(stack: np.ndarray) -> np.ndarray:
    factor = max(1, int(np.ceil(min(stack.shape[1:]) / _SIZE)))
    n, rows, cols = stack.shape
    rows, cols = rows // factor * factor, cols // factor * factor
    view = stack[:, :rows, :cols].reshape(n, rows // factor, factor, cols // factor, factor)
    binned = view.mean(axis=(2, 4), dtype=np.float64)
    return ndimage.gaussian_filter(binned, (0, 1.5, 1.5))


_GRID = np.arange(0.0, 180.0, 1.0)


def _motion_energy(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Flow energy along each direction of ``_GRID`` (degrees from the rows) between two images.

    Lucas–Kanade flow in 15-px windows whose gradient tensor is well
    conditioned (smaller eigenvalue ≥ 10 % of the larger: corners and blobs,
    not edges, whose motion along the edge is unseen), less the common
    translation; the energy along d is ``Σ w (d·v)²`` with w the smaller eigenvalue.
    """
    step, _ = displacement(first, second)
    moved = ndimage.shift(second, -step, order=3, mode="nearest")
    gy, gx = np.gradient(0.5 * (first + moved))
    change = moved - first
    syy, sxx, syx, by, bx = (
        ndimage.uniform_filter(a, 15)[10:-10:3, 10:-10:3].ravel()
        for a in (gy * gy, gx * gx, gy * gx, gy * change, gx * change)
    )
    det = syy * sxx - syx**2
    half_trace = 0.5 * (syy + sxx)
    small = half_trace - np.sqrt(np.maximum(half_trace**2 - det, 0))
    good = small >= 0.1 * (2 * half_trace - small)
    if good.sum() < 3:
        return np.ones_like(_GRID)
    vy = -(sxx * by - syx * bx)[good] / det[good]
    vx = -(syy * bx - syx * by)[good] / det[good]
    weight = small[good]
    vy = vy - np.average(vy, weights=weight)
    vx = vx - np.average(vx, weights=weight)
    dy, dx = np.cos(np.radians(_GRID))[:, None], np.sin(np.radians(_GRID))[:, None]
    return ((dy * vy + dx * vx) ** 2 * weight).sum(axis=1)


def _best(energy: np.ndarray) -> tuple[float, float]:
    """Axis direction (degrees, −90…90) perpendicular to the motion, and the energy contrast."""
    k = int(np.argmax(energy))
    left, centre, right = energy[k - 1], energy[k], energy[(k + 1) % energy.size]
    curvature = left - 2 * centre + right
    delta = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    motion = _GRID[k] + delta * (_GRID[1] - _GRID[0])
    contrast = float((energy.max() - energy.min()) / max(energy.max(), 1e-30))
    return float((motion + 90.0 + 90.0) % 180.0 - 90.0), contrast


def _by_motion(small: np.ndarray, tilts: np.ndarray) -> AxisDirection:
    order = np.argsort(tilts)
    with ThreadPoolExecutor(2) as pool:
        energies = list(pool.map(_motion_energy, small[order[:-_STEP]], small[order[_STEP:]]))
    energies = [e / max(e.max(), 1e-30) for e in energies]
    angle, anisotropy = _best(np.sum(energies, axis=0))
    doubled = np.array([2 * np.radians(_best(e)[0] - angle) for e in energies])
    spread = np.degrees(np.arctan2(np.sin(doubled), np.cos(doubled))) / 2
    sigma = float(np.sqrt(np.mean(spread**2) / max(len(energies) - 1, 1)))
    if anisotropy < _MIN_ANISOTROPY or sigma > _MAX_SIGMA_DEG:
        reason = (
            f"no clear direction of motion between tilts (anisotropy {anisotropy:.2f}, "
            f"±{sigma:.1f}°)"
        )
        return AxisDirection(0.0, sigma, anisotropy, False, reason, "motion")
    return AxisDirection(angle, sigma, anisotropy, True, "", "motion")


def estimate_axis_direction(stack: np.ndarray, tilts_deg) -> AxisDirection:
    """Tilt-axis direction φ from the motion between tilts and from the offset slope (module
    docstring).

    Parameters
    ----------
    stack : ndarray
        (n_tilts, rows, cols) raw projections.
    tilts_deg : array_like
        Tilt of each projection, degrees.

    Returns
    -------
    AxisDirection
        ``ok=False`` (angle 0) with the reason when neither method finds a direction.
    """
    tilts = np.asarray(tilts_deg, dtype=float).ravel()
    if tilts.size < 4:
        return AxisDirection(0.0, float("nan"), 0.0, False, "fewer than 4 tilts", "")
    small = _binned(np.asarray(stack, dtype=np.float64))
    motion = _by_motion(small, tilts)
    angle, sigma, converged = axis_direction_by_offset_slope(
        small, tilts, start_deg=motion.angle_deg
    )
    usable = converged and sigma <= _MAX_SIGMA_DEG
    if usable and (not motion.ok or sigma < motion.sigma_deg):
        return AxisDirection(angle, sigma, motion.anisotropy, True, "", "offset slope")
    if motion.ok:
        return motion
    slope = f"the axis offset along the axis {'gives ±' if converged else 'did not settle, ±'}"
    return AxisDirection(
        0.0,
        sigma,
        motion.anisotropy,
        False,
        f"{motion.reason}; {slope}{sigma:.1f}°: give --tilt-axis-angle",
        "",
    )
