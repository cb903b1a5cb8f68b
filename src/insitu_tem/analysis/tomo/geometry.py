"""Frames of a tilt series: raw images ↔ the axis frame, and the shift gauge.

The tilt axis makes an angle φ with the image rows, turning towards the
columns: its direction in (row, col) is ``(cos φ, sin φ)``. In the axis frame
``y`` runs along the axis and ``u`` across it, both from the image centre:

    y =  r' cos φ + c' sin φ,    u = −r' sin φ + c' cos φ,

with ``(r', c') = (r, c) − centre − shift``. ``shifts_px[i] = (dy, dx)`` is
the displacement of projection i's content in the raw image, px.

Gauge: a common along-axis shift, and across-axis shifts of the form
``a + b cos θ + c sin θ``, are a move of the tilt axis or of the object and
cannot be measured; :func:`gauge_shifts` removes them (zero-mean along the
axis, no component on those three modes across it).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def axis_vectors(axis_angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (row, col) along and across the tilt axis."""
    phi = np.deg2rad(axis_angle_deg)
    return np.array([np.cos(phi), np.sin(phi)]), np.array([-np.sin(phi), np.cos(phi)])


def to_axis_frame_shifts(shifts_px: np.ndarray, axis_angle_deg: float) -> np.ndarray:
    """(n, 2) image-frame shifts -> (n, 2) (along, across) axis-frame shifts, px."""
    along, across = axis_vectors(axis_angle_deg)
    return np.stack([shifts_px @ along, shifts_px @ across], axis=1)


def to_image_frame_shifts(axis_shifts: np.ndarray, axis_angle_deg: float) -> np.ndarray:
    """(n, 2) (along, across) axis-frame shifts -> (n, 2) image-frame (dy, dx), px."""
    along, across = axis_vectors(axis_angle_deg)
    return np.outer(axis_shifts[:, 0], along) + np.outer(axis_shifts[:, 1], across)


def gauge_shifts(shifts_px: np.ndarray, tilts_deg, axis_angle_deg: float) -> np.ndarray:
    """Remove the unmeasurable modes (module docstring) from (n, 2) image-frame shifts, px."""
    theta = np.deg2rad(np.asarray(tilts_deg, dtype=float))
    axis_shifts = to_axis_frame_shifts(np.asarray(shifts_px, dtype=float), axis_angle_deg)
    modes = np.stack([np.ones_like(theta), np.cos(theta), np.sin(theta)], axis=1)
    if theta.size > 3:
        across = axis_shifts[:, 1]
        axis_shifts[:, 1] = across - modes @ np.linalg.lstsq(modes, across, rcond=None)[0]
    else:
        axis_shifts[:, 1] -= axis_shifts[:, 1].mean()
    axis_shifts[:, 0] -= axis_shifts[:, 0].mean()
    return to_image_frame_shifts(axis_shifts, axis_angle_deg)


def beyond_half_field(shifts_px: np.ndarray, image_shape: tuple[int, int]) -> np.ndarray:
    """Indices of the projections whose (dy, dx) shift, px, moves their content by more than half
    the image's rows or columns (or is not finite): such a projection shares less than half its
    field with the series, and the registration's region, the field less the shifts' margin,
    is empty — a shift found there is not a measurement."""
    half = np.asarray(image_shape, dtype=float) / 2
    return np.flatnonzero(np.any(~(np.abs(np.asarray(shifts_px, dtype=float)) <= half), axis=1))


def within_half_field(
    shifts: np.ndarray, sigma: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], str]:
    """(n, 2) ``shifts`` and their ``sigma``, px, with those beyond half the image of ``shape``
    (:func:`beyond_half_field`) set to 0 with a NaN 1σ, their indices, and the reason, naming
    them and the largest; ``()`` and ``""`` when every shift is within."""
    beyond = beyond_half_field(shifts, shape)
    if not beyond.size:
        return shifts, sigma, (), ""
    largest = float(np.nanmax(np.abs(np.nan_to_num(shifts[beyond], nan=np.inf))))
    shifts, sigma = shifts.copy(), sigma.copy()
    shifts[beyond], sigma[beyond] = 0.0, np.nan
    return (
        shifts,
        sigma,
        tuple(beyond.tolist()),
        f"the shifts of projections {beyond.tolist()} reach {largest:.3g} px, beyond half the "
        f"{shape[0]} × {shape[1]} px image: not measurable, those projections are left unshifted "
        "— check them, or align with --align com or none",
    )


def to_axis_frame(
    stack: np.ndarray,
    *,
    axis_angle_deg: float = 0.0,
    shifts_px: np.ndarray | None = None,
    order: int = 1,
) -> np.ndarray:
    """Resample raw projections into the axis frame (tilt axis along the rows), float32.

    Parameters
    ----------
    stack : ndarray
        (n, rows, cols) raw projections.
    axis_angle_deg : float
        Tilt-axis direction φ, degrees (module docstring).
    shifts_px : ndarray, optional
        (n, 2) content displacements (dy, dx), px, removed by the resampling.
    order : int
        Spline order of the interpolation (1: linear).

    Returns
    -------
    ndarray
        (n, rows, cols) float32; samples outside the image take the nearest edge value.
    """
    stack = np.asarray(stack, dtype=np.float32)
    n, rows, cols = stack.shape
    shifts = np.zeros((n, 2)) if shifts_px is None else np.asarray(shifts_px, dtype=float)
    along, across = axis_vectors(axis_angle_deg)
    y = (np.arange(rows) - (rows - 1) / 2)[:, None]
    u = (np.arange(cols) - (cols - 1) / 2)[None, :]
    base_r = (rows - 1) / 2 + y * along[0] + u * across[0]
    base_c = (cols - 1) / 2 + y * along[1] + u * across[1]
    out = np.empty_like(stack)
    for i in range(n):
        if axis_angle_deg == 0.0:
            ndimage.shift(stack[i], -shifts[i], output=out[i], order=order, mode="nearest")
            continue
        coords = np.stack([base_r + shifts[i, 0], base_c + shifts[i, 1]])
        ndimage.map_coordinates(stack[i], coords, output=out[i], order=order, mode="nearest")
    return out


def stretch_across(image: np.ndarray, factor: float, *, centre: float | None = None) -> np.ndarray:
    """Sample ``image`` at columns ``centre + (c − centre) · factor`` (axis along rows), float32."""
    rows, cols = image.shape
    centre = (cols - 1) / 2 if centre is None else centre
    c = centre + (np.arange(cols) - centre) * factor
    r = np.arange(rows, dtype=float)
    coords = np.stack(np.broadcast_arrays(r[:, None], c[None, :]))
    return ndimage.map_coordinates(np.asarray(image, np.float32), coords, order=1, mode="nearest")
