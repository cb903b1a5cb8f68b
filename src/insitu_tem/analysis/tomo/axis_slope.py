"""Tilt-axis direction from how the axis offset drifts along the axis.

When the assumed axis direction is off by a small δ, a slab of rows at distance y along the
assumed axis sees the true axis at ``y tan δ`` across it: the tilt-axis offset found in slabs along
the axis grows linearly with y. The projections are aligned at the trial direction
(:func:`.neighbour_chain.xcorr_shifts`), the offset of each of ``_SLABS`` slabs is found from the
centre-of-mass trajectory across the axis (:func:`.axis.estimate_axis_offset`), and the trial
direction turns by ``atan`` of the fitted slope (weighted by the slabs' 1σ) until it changes by
less than ``_TOLERANCE_DEG`` (given up when a step's 1σ exceeds ``_HOPELESS_SIGMA_DEG``). Only
the square inscribed in the image at every direction is used, so no slab holds samples from
outside the image. The idea is the tilt-axis rotation search of
IMOD's tiltalign, which fits the axis angle with the projection model [1]_, here from the
offsets alone.

Unlike the motion between tilts (:mod:`.axis_direction`), this needs no texture that moves: a
wire along the axis, whose projection hardly changes with tilt, fixes it through its edges. It
needs what the centre of mass needs: the object inside the field of view across the axis; where
it is not (a slab leaving the field), the slab offsets disagree with a straight line and the
stated 1σ says so.

References
----------
.. [1] D. N. Mastronarde, *IMOD* tiltalign documentation (the tilt-axis rotation as a parameter
   of the projection model).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from insitu_tem.analysis.tomo.axis import estimate_axis_offset
from insitu_tem.analysis.tomo.geometry import to_axis_frame, to_image_frame_shifts
from insitu_tem.analysis.tomo.neighbour_chain import xcorr_shifts

_SLABS = 6
_ITERATIONS = 6
_TOLERANCE_DEG = 0.05
_HOPELESS_SIGMA_DEG = 10.0


def _slab_slope(stack: np.ndarray, tilts: np.ndarray, angle: float) -> tuple[float, float]:
    """Slope d(offset)/dy of the slab offsets at the trial ``angle`` (degrees), and its 1σ.

    The slabs' own 1σ weight the fit; its scale comes from the scatter about the line (they
    overstate it: their centre-of-mass residuals hold the shifts' errors, which do not move the
    offset), so the 1σ is the Student-t half-width for ``_SLABS − 2`` degrees of freedom that
    covers 68 %."""
    shifts, _ = xcorr_shifts(to_axis_frame(stack, axis_angle_deg=angle), tilts)
    aligned = to_axis_frame(
        stack, axis_angle_deg=angle, shifts_px=to_image_frame_shifts(shifts, angle)
    )
    _, rows, cols = aligned.shape
    half = int(min(rows, cols) / np.sqrt(2) / 2) - 1
    inner = aligned[:, rows // 2 - half : rows // 2 + half, cols // 2 - half : cols // 2 + half]
    edges = np.linspace(0, 2 * half, _SLABS + 1).astype(int)
    found = [estimate_axis_offset(inner[:, a:b], tilts) for a, b in zip(edges[:-1], edges[1:])]
    offsets, sigmas = np.array(found).T
    y = (edges[:-1] + edges[1:] - 1) / 2 - half + 0.5
    weight = 1.0 / np.maximum(sigmas, 1e-3) ** 2
    design = np.stack([np.ones_like(y), y], axis=1)
    covariance = np.linalg.inv(design.T @ (design * weight[:, None]))
    coefficients = covariance @ design.T @ (weight * offsets)
    residual = offsets - design @ coefficients
    chi2 = float(np.sum(weight * residual**2)) / (_SLABS - 2)
    coverage = special.stdtrit(_SLABS - 2, special.ndtr(1.0))
    return float(coefficients[1]), float(coverage * np.sqrt(covariance[1, 1] * chi2))


def axis_direction_by_offset_slope(
    stack: np.ndarray, tilts_deg, *, start_deg: float = 0.0
) -> tuple[float, float, bool]:
    """Tilt-axis direction φ (degrees from the rows towards the columns) by the offset slope.

    Parameters
    ----------
    stack : ndarray
        (n_tilts, rows, cols) projections (binned to ≲ 128 px is enough: the angle does not depend
        on the scale).
    tilts_deg : array_like
        Tilt of each projection, degrees.
    start_deg : float
        First trial direction, degrees.

    Returns
    -------
    angle_deg : float
        φ, degrees, in [−90, 90).
    sigma_deg : float
        1σ from the weighted straight-line fit of the last step, degrees.
    converged : bool
        False when the last step moved the direction by more than its 1σ and the tolerance, or
        the search was given up.
    """
    tilts = np.asarray(tilts_deg, dtype=float).ravel()
    angle, sigma, step = float(start_deg), float("nan"), np.inf
    for _ in range(_ITERATIONS):
        slope, slope_sigma = _slab_slope(stack, tilts, angle)
        step = float(np.degrees(np.arctan(slope)))
        angle = (angle + step + 90.0) % 180.0 - 90.0
        sigma = float(np.degrees(slope_sigma))
        if abs(step) < _TOLERANCE_DEG or sigma > _HOPELESS_SIGMA_DEG:
            break
    return angle, sigma, abs(step) < max(_TOLERANCE_DEG, sigma) and sigma <= _HOPELESS_SIGMA_DEG
