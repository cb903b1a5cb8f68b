"""Void volume fraction of a wire's shell from the mean reconstructed density, without a threshold
on the voids.

Voids a few voxels across are blurred by the reconstruction (iterations, missing wedge) to a
shallow dip that no intensity threshold separates from the shell, but blurring conserves the mean.
Within the shell, eroded by ``margin_px`` in every (z, x) slice so that the blurred core and
vacuum borders stay out, the mean density is ``(1 − f)·ρ_solid + f·ρ_void``, so

    f = (ρ_solid − ⟨ρ⟩) / (ρ_solid − ρ_void)

with ρ_solid the median of the shell voxels (most are solid) and ρ_void the median of the vacuum
well outside the wire.

The 1σ combines two terms measured on the volume itself:

* noise: single-axis tomography reconstructs every slice across the tilt axis (y) from its own
  sinogram rows, so the noise of the per-slice void deficits ``Σ (ρ_solid − ρ)`` is independent
  between slices a few voxels apart (the post-filter and the alignment interpolation correlate
  only neighbours). The second difference at a lag of :data:`NOISE_LAG_PX` slices,
  ``d_y − (d_{y−L} + d_{y+L})/2``, removes the voids' slow change along the wire and keeps
  1.5 × the slice noise variance; summed over the slices it is the variance of the total
  (:func:`slice_sum_variance`);
* boundary: the shell region is known to a voxel, and a void dip spilling over its border or the
  core and vacuum blur leaking in move ``f``; the change of ``f`` when the region is eroded by
  one more voxel measures this.

On 24 development phantoms (seeds 11–34, not the validation's held-out seeds) this 1σ covers 62 %
of the errors (median 1σ 0.19 percentage points, errors 0.205 RMS), on the 24 held-out ones 71 %.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

_PLANE = np.zeros((3, 1, 3), bool)
_PLANE[:, 0, :] = ndimage.generate_binary_structure(2, 1)
NOISE_LAG_PX = 3


def slice_sum_variance(series: np.ndarray, *, lag: int = NOISE_LAG_PX) -> float:
    """Noise variance of ``series.sum()`` for a per-slice series whose noise is independent
    between slices ``lag`` apart (module docstring); NaN when too short."""
    series = np.asarray(series, dtype=float)
    if series.size < 2 * lag + 3:
        return float("nan")
    residual = series[lag:-lag] - (series[: -2 * lag] + series[2 * lag :]) / 2
    return float(np.mean(residual**2) / 1.5 * series.size)


def _fraction(values: np.ndarray, reference: float, vacuum: float) -> float:
    return float(np.mean(reference - values) / (reference - vacuum))


def _inner(shell: np.ndarray, margin_px: int) -> np.ndarray:
    return ndimage.binary_erosion(shell, _PLANE, iterations=margin_px) if margin_px else shell


def void_fraction_from_density(
    volume: np.ndarray, shell: np.ndarray, wire: np.ndarray, *, margin_px: int = 1
) -> tuple[float, float]:
    """Void volume fraction of the shell and its 1σ (module docstring).

    Parameters
    ----------
    volume : ndarray
        (z, y, x) reconstruction, linear in density.
    shell : ndarray
        (z, y, x) bool, the filled shell region (shell and its voids, core excluded).
    wire : ndarray
        (z, y, x) bool, the filled wire (core, shell and voids).
    margin_px : int
        Erosion of the shell at its borders, px.

    Returns
    -------
    fraction, sigma : float
        NaN when the eroded shell is empty or the shell is not denser than the vacuum.
    """
    inner, deeper = _inner(shell, margin_px), _inner(shell, margin_px + 1)
    outside = ~ndimage.binary_dilation(wire, _PLANE, iterations=6)
    if not deeper.any() or not outside.any():
        return float("nan"), float("nan")
    vacuum = float(np.median(volume[outside]))
    values = volume[inner]
    solid = float(np.median(values))
    if not solid > vacuum:
        return float("nan"), float("nan")
    fraction = _fraction(values, solid, vacuum)
    deeper_values = volume[deeper]
    boundary = _fraction(deeper_values, float(np.median(deeper_values)), vacuum) - fraction
    y = np.nonzero(inner)[1]
    deficit = np.bincount(y, solid - values, minlength=volume.shape[1])
    noise = np.sqrt(slice_sum_variance(deficit)) / ((solid - vacuum) * values.size)
    return fraction, float(np.hypot(noise, boundary))
