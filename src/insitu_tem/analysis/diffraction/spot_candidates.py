"""The first half of spot detection (:func:`~.disks.detect_spots`): the pattern's azimuthal
median removed (rings, diffuse background) and the peaks of its correlation with a disk the size
of the direct beam (or of a Laplacian of Gaussian) above the noise, to be located."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.diffraction.centre import as_pattern
from insitu_tem.analysis.diffraction.disk_fit import robust_sigma
from insitu_tem.analysis.diffraction.fft_convolve import fft_convolve
from insitu_tem.analysis.diffraction.stack_peaks import stack_peaks
from insitu_tem.analysis.diffraction.radial import radial_median

DETECTORS = ("template", "log")
BLOCK = 64
"""Patterns whose peaks are searched at once (their responses stacked: 8 MiB at 128² px)."""


def remove_radial_background(
    pattern, *, centre_rc, whole_counts: bool = False, mask=None
) -> np.ndarray:
    """Pattern minus its azimuthal median (rings, diffuse background), float64.

    The median of each 1 px annulus ignores the few pixels covered by spots,
    where a mean would carry strong spots into the background of weak ones;
    ``whole_counts``: interpolated within the median's count, ``mask``: pixels left out
    (see :func:`~.radial.radial_median`); linear in radius between the annuli's centres.
    """
    data = as_pattern(pattern)
    median = radial_median(data, centre_rc=centre_rc, whole_counts=whole_counts, mask=mask)
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
    (found,) = scan_candidates(
        [pattern],
        [centre_rc],
        disk_radius_px=disk_radius_px,
        method=method,
        threshold_sigma=threshold_sigma,
        exclude_radius_px=exclude_radius_px,
    )
    return found


def scan_candidates(
    patterns,
    centres_rc,
    *,
    disk_radius_px: float,
    method: str,
    threshold_sigma: float = 6.0,
    exclude_radius_px: float | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[SpotCandidates]:
    """:func:`spot_candidates` of every pattern, each about its centre (same parameters), the
    peaks of :data:`BLOCK` patterns' responses searched at once (the same peaks:
    :func:`~.stack_peaks.stack_peaks`). ``should_stop`` is polled between patterns: the
    candidates of the patterns before it returned True."""
    if method not in DETECTORS:
        raise ValueError(f"unknown spot detector {method!r}; use one of {DETECTORS}")
    if not disk_radius_px > 0:
        raise ValueError(f"disk_radius_px must be positive, got {disk_radius_px}")
    exclude = 2.0 * disk_radius_px + 2.0 if exclude_radius_px is None else exclude_radius_px
    found: list[SpotCandidates] = []
    block: list[tuple] = []
    for pattern, centre in zip(patterns, centres_rc):
        if should_stop is not None and should_stop():
            break
        counts = as_pattern(pattern)
        residual = remove_radial_background(counts, centre_rc=centre)
        response = _response(residual, disk_radius_px, method)
        noise = max(robust_sigma(response), _poisson_floor(counts, disk_radius_px, method))
        block.append((counts, residual, response, threshold_sigma * noise, centre))
        if len(block) == BLOCK:
            found += _located(block, disk_radius_px, exclude)
            block = []
    return found + (_located(block, disk_radius_px, exclude) if block else [])


def _located(block: list[tuple], disk_radius_px: float, exclude: float) -> list[SpotCandidates]:
    peaks = stack_peaks(
        np.stack([response for _, _, response, _, _ in block]),
        [threshold for _, _, _, threshold, _ in block],
        min_distance=max(1, int(disk_radius_px)),
        border=int(disk_radius_px) + 1,
    )
    out = []
    for (counts, residual, _, _, centre), found in zip(block, peaks):
        found = found[np.hypot(*(found - np.asarray(centre)).T) >= exclude - disk_radius_px]
        out.append(
            SpotCandidates(counts, residual, found, robust_sigma(residual) ** 2, centre, exclude)
        )
    return out
