"""The first half of spot detection (:func:`~.disks.detect_spots`): the pattern's azimuthal
median removed (rings, diffuse background) and the peaks of its correlation with a disk the size
of the direct beam (or of a Laplacian of Gaussian) above the noise, to be located."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max

from insitu_tem.analysis.diffraction.centre import as_pattern
from insitu_tem.analysis.diffraction.disk_fit import robust_sigma
from insitu_tem.analysis.diffraction.fft_convolve import fft_convolve
from insitu_tem.analysis.diffraction.radial import radial_median

DETECTORS = ("template", "log")


def remove_radial_background(pattern, *, centre_rc) -> np.ndarray:
    """Pattern minus its azimuthal median (rings, diffuse background), float64.

    The median of each 1 px annulus ignores the few pixels covered by spots,
    where a mean would carry strong spots into the background of weak ones.
    """
    data = as_pattern(pattern)
    median = radial_median(data, centre_rc=centre_rc)
    rows, cols = np.indices(data.shape)
    radius = np.hypot(rows - centre_rc[0], cols - centre_rc[1])
    return data - np.interp(radius, median.r_px, median.intensity)


def _poisson_floor(counts: np.ndarray, disk_radius_px: float, method: str) -> float:
    """1σ of the detector response to Poisson noise of at least one count per pixel (sparse
    patterns, where most pixels hold zero counts and the MAD of the response vanishes)."""
    power = _response_power(float(disk_radius_px), method)
    return float(np.sqrt(power * max(float(np.median(counts)), 1.0)))


@functools.lru_cache(maxsize=16)
def _response_power(disk_radius_px: float, method: str) -> float:
    """Sum of the squared response to a unit impulse (the same for every pattern of a scan)."""
    impulse = np.zeros((4 * int(np.ceil(disk_radius_px)) + 9,) * 2)
    impulse[impulse.shape[0] // 2, impulse.shape[1] // 2] = 1.0
    return float(np.sum(_response(impulse, disk_radius_px, method) ** 2))


def _response(residual: np.ndarray, disk_radius_px: float, method: str) -> np.ndarray:
    if method == "template":
        half = int(np.ceil(disk_radius_px)) + 1
        rows, cols = np.indices((2 * half + 1,) * 2) - half
        disk = np.clip(disk_radius_px + 0.5 - np.hypot(rows, cols), 0.0, 1.0)
        return fft_convolve(residual, disk - disk.mean(), mode="same")
    return -ndimage.gaussian_laplace(residual, disk_radius_px / np.sqrt(2.0))


@dataclass(frozen=True)
class SpotCandidates:
    """The peaks of one pattern's disk response that :func:`detect_spots` locates: the pattern
    (counts) and its background-free ``residual``, ``peaks`` (k, 2) px, the background's
    per-pixel variance (counts²), the centre (row, col) px and the exclusion radius px."""

    counts: np.ndarray
    residual: np.ndarray
    peaks: np.ndarray
    background_var: float
    centre_rc: tuple
    exclude_px: float


def spot_candidates(
    pattern,
    *,
    centre_rc,
    disk_radius_px: float,
    method: str,
    threshold_sigma: float = 6.0,
    exclude_radius_px: float | None = None,
) -> SpotCandidates:
    """The first half of :func:`detect_spots` (same parameters): the peaks to locate."""
    if method not in DETECTORS:
        raise ValueError(f"unknown spot detector {method!r}; use one of {DETECTORS}")
    if not disk_radius_px > 0:
        raise ValueError(f"disk_radius_px must be positive, got {disk_radius_px}")
    counts = as_pattern(pattern)
    residual = remove_radial_background(counts, centre_rc=centre_rc)
    response = _response(residual, disk_radius_px, method)
    noise = max(robust_sigma(response), _poisson_floor(counts, disk_radius_px, method))
    exclude = 2.0 * disk_radius_px + 2.0 if exclude_radius_px is None else exclude_radius_px
    peaks = peak_local_max(
        response,
        min_distance=max(1, int(disk_radius_px)),
        threshold_abs=threshold_sigma * noise,
        exclude_border=int(disk_radius_px) + 1,
    )
    peaks = peaks[np.hypot(*(peaks - np.asarray(centre_rc)).T) >= exclude - disk_radius_px]
    return SpotCandidates(counts, residual, peaks, robust_sigma(residual) ** 2, centre_rc, exclude)
