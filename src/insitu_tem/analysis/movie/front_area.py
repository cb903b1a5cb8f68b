"""2-D front tracking: per-frame segmentation of the reacted region.

Each frame (optionally drift-corrected by sampling, and restricted to a mask
such as the film) is smoothed and thresholded; the reacted side is the one
darker than the threshold (``polarity=-1``) or brighter (``+1``). Small specks
are removed and holes filled; the reacted area, the front contour (the
iso-line at the threshold bounding the reacted region, (row, col) px) and a
confidence (Fisher separation of the two classes, mapped to 0-1) are returned
per frame. The default threshold is Otsu's over the masked pixels of the
first and last frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import ndimage
from skimage import measure, morphology
from skimage.filters import threshold_otsu

from insitu_tem.analysis.movie.drift import corrected_frame, iter_frames


@dataclass(frozen=True)
class ReactedArea:
    """Reacted region per frame.

    Attributes
    ----------
    area_px : numpy.ndarray
        (n_frames,) reacted area, px² (multiply by row.scale * col.scale for nm²).
    contours_rc : tuple of numpy.ndarray
        Per frame, the longest boundary of the reacted region as (n, 2) (row, col)
        px (empty when nothing reacted).
    confidence : numpy.ndarray
        (n_frames,) 0-1 separation of reacted vs unreacted intensities.
    threshold : float
        Intensity threshold used (after smoothing).
    polarity : int
        -1: reacted is darker; +1: brighter.
    ok : bool
        False when stopped early.
    reason : str
        Why ``ok`` is False (naming the frame by its 0-based index).
    stopped_at : int or None
        Index (0-based) of the first frame not segmented when stopped early (None otherwise).
    """

    area_px: np.ndarray
    contours_rc: tuple
    confidence: np.ndarray
    threshold: float
    polarity: int
    ok: bool = True
    reason: str = ""
    stopped_at: int | None = None


def _smooth(frame, sigma: float, shift) -> np.ndarray:
    data = np.asarray(frame, dtype=np.float32) if shift is None else corrected_frame(frame, shift)
    return ndimage.gaussian_filter(data, sigma)


def default_threshold(movie, *, mask: np.ndarray, sigma: float) -> float:
    """Otsu threshold of the smoothed masked pixels of the first and last frames."""
    first, last = _smooth(movie[0], sigma, None), _smooth(movie[movie.shape[0] - 1], sigma, None)
    return float(threshold_otsu(np.concatenate([first[mask], last[mask]])))


def segment_frame(
    smoothed: np.ndarray, *, threshold: float, polarity: int, mask: np.ndarray, min_size: int = 64
) -> np.ndarray:
    """Boolean reacted region of one smoothed frame inside ``mask``."""
    reacted = ((smoothed - threshold) * polarity > 0) & mask
    reacted = morphology.remove_small_objects(reacted, max_size=min_size)
    return ndimage.binary_fill_holes(reacted) & mask


def reacted_area(
    movie,
    *,
    mask=None,
    polarity: int | str = "auto",
    threshold: float | None = None,
    sigma: float = 2.0,
    shifts_px=None,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ReactedArea:
    """Segment the reacted region in every frame.

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array.
    mask : array_like of bool, optional
        Where the reaction can happen (e.g. the film), frame shape; default all.
    polarity : {"auto", -1, 1}
        -1 when the reacted region is darker, +1 when brighter; "auto" compares
        the last frame with the first inside the mask.
    threshold : float, optional
        Intensity threshold (counts, after smoothing); default Otsu.
    sigma : float
        Gaussian smoothing before thresholding, px.
    shifts_px : array_like, optional
        (t, 2) drift; frames are corrected before segmentation.
    progress, should_stop : callable, optional
        Progress report and early stop.
    """
    if getattr(movie, "ndim", 0) != 3:
        raise ValueError("reacted_area needs a (t, y, x) movie")
    if polarity not in (1, -1, "auto"):
        raise ValueError(f"polarity must be 'auto', 1 or -1, got {polarity!r}")
    region = np.ones(movie.shape[1:], bool) if mask is None else np.asarray(mask, dtype=bool)
    if region.shape != tuple(movie.shape[1:]) or not region.any():
        raise ValueError("mask must have the frame shape and select some pixels")
    polarity = _auto_polarity(movie, region) if polarity == "auto" else polarity
    level = (
        default_threshold(movie, mask=region, sigma=sigma)
        if threshold is None
        else float(threshold)
    )
    n = movie.shape[0]
    area, confidence, contours = np.full(n, np.nan), np.zeros(n), []
    for i, frame in enumerate(iter_frames(movie)):
        if should_stop is not None and should_stop():
            why = f"stopped at frame {i}"
            return ReactedArea(area, tuple(contours), confidence, level, polarity, False, why, i)
        smoothed = _smooth(frame, sigma, None if shifts_px is None else shifts_px[i])
        reacted = segment_frame(smoothed, threshold=level, polarity=polarity, mask=region)
        area[i] = float(reacted.sum())
        confidence[i] = _separation(smoothed, reacted, region)
        contours.append(_longest_contour(reacted))
        if progress is not None:
            progress((i + 1) / n, f"segmenting frame {i + 1}/{n}")
    return ReactedArea(area, tuple(contours), confidence, level, polarity)


def _auto_polarity(movie, region: np.ndarray) -> int:
    """+1 when the masked region brightens from the first to the last frame, else -1."""
    first = np.asarray(movie[0], dtype=float)[region].mean()
    last = np.asarray(movie[movie.shape[0] - 1], dtype=float)[region].mean()
    return 1 if last > first else -1


def _separation(smoothed: np.ndarray, reacted: np.ndarray, region: np.ndarray) -> float:
    inside, outside = smoothed[reacted], smoothed[region & ~reacted]
    if inside.size < 2 or outside.size < 2:
        return 0.0
    fisher = abs(inside.mean() - outside.mean()) / np.sqrt(
        0.5 * (inside.var() + outside.var()) + 1e-12
    )
    return float(fisher**2 / (fisher**2 + 4.0))


def _longest_contour(reacted: np.ndarray) -> np.ndarray:
    if not reacted.any():
        return np.empty((0, 2))
    found = measure.find_contours(reacted.astype(np.float32), 0.5)
    return max(found, key=len) if found else np.empty((0, 2))
