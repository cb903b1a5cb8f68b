"""Which pixels of a (drift-corrected) movie change beyond the noise: the band a front sweeps,
texture that evolves, or static texture moved by a drift error.

The frames, each normalised by its median (beam current), are averaged in ``BLOCKS`` blocks of
consecutive frames. Where the log ratio of two smoothed blocks, less a quadratic surface fitted
robustly (the illumination fixed in the frame moves in corrected coordinates), exceeds
``CHANGE_Z`` times its noise (from frame-to-frame differences, i.e. from the data), the pixel is
changing, and it is excluded with a margin. Consecutive blocks show what changes; any two
blocks also show a drift error between distant frames. :class:`ChangeTest` keeps the block
means and the departures of the last few drifts it was asked about, so the static mask and the
static fraction of one drift cost one pass over the movie.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift import corrected_frame, iter_frames
from insitu_tem.analysis.movie.drift_registration import dilated, one_blas_thread

CHANGE_Z = 4.0
BLOCKS = 8
MARGIN_PX = 3
MIN_STATIC = 0.02
KEPT_DRIFTS = 4


def normalised(frame) -> np.ndarray:
    """A frame divided by its median (the beam current), float32."""
    data = np.asarray(frame, dtype=np.float32)
    return data / max(float(np.median(data)), 1e-12)


def _block_means(movie, shifts, chunk: int, levels) -> tuple[np.ndarray, tuple]:
    """Median-normalised block means of the (corrected) frames, and the raw frames' medians with
    the per-pixel relative noise of one frame (robust, from consecutive frame differences):
    ``levels`` when already known, as neither depends on the drift."""
    n = movie.shape[0]
    edges = np.linspace(0, n, min(BLOCKS, n) + 1).astype(int)
    sums = np.zeros((len(edges) - 1, *movie.shape[1:]))
    medians = np.zeros(n) if levels is None else levels[0]
    previous, noises = None, []
    for i, raw in enumerate(iter_frames(movie, chunk=chunk)):
        data = np.asarray(raw, dtype=np.float32)
        if levels is None:
            medians[i] = np.median(data)
        raw = data / max(float(medians[i]), 1e-12)
        if levels is None and previous is not None:
            diff = raw - previous
            noises.append(1.4826 * np.median(np.abs(diff - np.median(diff))) / np.sqrt(2))
        previous = raw
        frame = raw if shifts is None else normalised(corrected_frame(raw, shifts[i]))
        sums[np.searchsorted(edges, i, side="right") - 1] += frame
    means = sums / np.diff(edges)[:, None, None]
    noise = float(np.median(noises or [0])) if levels is None else levels[1]
    return means / np.median(means, axis=(1, 2), keepdims=True), (medians, noise)


class ChangeTest:
    """The change test of one movie at one smoothing.

    Parameters
    ----------
    movie : array_like
        (t, y, x) movie.
    smooth_px : float
        Gaussian smoothing of the block means before the test, px.
    chunk : int
        Frames read at once.
    """

    def __init__(self, movie, *, smooth_px: float = 2.0, chunk: int = 16) -> None:
        self.movie, self.smooth_px, self.chunk = movie, float(smooth_px), int(chunk)
        self._drifts: dict[bytes, dict] = {}
        self._levels: tuple[np.ndarray, float] | None = None

    def static(self, shifts, *, every_pair: bool = False) -> np.ndarray | None:
        """Pixels (frame-0 coordinates) that do not change between consecutive blocks of the
        movie corrected by ``shifts`` ((t, 2) px; None: raw frames), or between any two blocks
        with ``every_pair``; None for fewer than 4 frames."""
        if self.movie.shape[0] < 4:
            return None
        entry = self._entry(shifts)
        departure = entry["consecutive"]
        if every_pair:
            if "every" not in entry:
                first, second = np.triu_indices(len(entry["logs"]), 2)
                entry["every"] = np.maximum(departure, self._departure(entry, first, second))
            departure = entry["every"]
        changing = departure > CHANGE_Z * entry["sigma"]
        return ~dilated(changing, MARGIN_PX + int(self.smooth_px))

    def mask(self, shifts) -> np.ndarray | None:
        """:meth:`static` between consecutive blocks, or None when less than ``MIN_STATIC`` of
        the pixels (or too few frames)."""
        static = self.static(shifts)
        return static if static is not None and static.mean() >= MIN_STATIC else None

    def fraction(self, shifts) -> float:
        """Fraction of the corrected movie static between any two blocks (a drift error between
        distant frames moves the static texture)."""
        static = self.static(shifts, every_pair=True)
        return 0.0 if static is None else float(static.mean())

    def _entry(self, shifts) -> dict:
        key = b"" if shifts is None else np.asarray(shifts, float).tobytes()
        if key not in self._drifts:
            means, self._levels = _block_means(self.movie, shifts, self.chunk, self._levels)
            noise = self._levels[1]
            smoothed = [ndimage.gaussian_filter(m, self.smooth_px, mode="nearest") for m in means]
            frames_per_block = self.movie.shape[0] / means.shape[0]
            sigma = noise * np.sqrt(2 / frames_per_block) / (2 * self.smooth_px * np.sqrt(np.pi))
            entry = {"logs": np.log(np.clip(smoothed, 1e-6, None)), "sigma": max(sigma, 1e-12)}
            index = np.arange(len(means) - 1)
            entry["consecutive"] = self._departure(entry, index, index + 1)
            while len(self._drifts) >= KEPT_DRIFTS:
                self._drifts.pop(next(iter(self._drifts)))
            self._drifts[key] = entry
        return self._drifts[key]

    @staticmethod
    def _departure(entry: dict, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        logs, threshold = entry["logs"], CHANGE_Z * entry["sigma"]
        departure = np.zeros(logs.shape[1:])
        with one_blas_thread():
            for i, j in zip(first, second):
                detrended = _detrended(logs[j] - logs[i], threshold)
                np.maximum(departure, np.abs(detrended), out=departure)
        return departure


def static_mask(movie, shifts, *, smooth_px: float = 2.0, chunk: int = 16) -> np.ndarray | None:
    """Pixels (frame-0 coordinates) that do not change beyond the noise over the movie.

    Parameters
    ----------
    movie : array_like
        (t, y, x) movie.
    shifts : array_like or None
        (t, 2) drift to correct first, px; None: the raw frames.
    smooth_px : float
        Gaussian smoothing of the block means before the test, px.

    Returns
    -------
    numpy.ndarray of bool or None
        None when fewer than ``MIN_STATIC`` of the pixels are static (or too few frames).
    """
    return ChangeTest(movie, smooth_px=smooth_px, chunk=chunk).mask(shifts)


@lru_cache(maxsize=4)
def _quadratic_basis(shape: tuple[int, int]) -> np.ndarray:
    rows, cols = np.indices(shape) / np.array(shape)[:, None, None]
    return np.stack([np.ones_like(rows), rows, cols, rows**2, rows * cols, cols**2]).reshape(6, -1)


def _detrended(image: np.ndarray, threshold: float, rounds: int = 4) -> np.ndarray:
    """``image`` minus a quadratic surface fitted to its pixels within ``threshold`` of it
    (the illumination fixed in the frame moves smoothly in drift-corrected coordinates)."""
    basis, values = _quadratic_basis(image.shape), image.ravel()
    residual = values - np.median(values)
    kept = np.empty_like(basis)
    for _ in range(rounds):
        deviation = np.abs(residual - np.median(residual))
        keep = deviation <= max(threshold, 2.5 * 1.4826 * np.median(deviation))
        if keep.sum() < 6:
            break
        np.multiply(basis, keep, out=kept)
        coefficients = np.linalg.lstsq(kept @ basis.T, kept @ values, rcond=None)[0]
        residual = values - coefficients @ basis
    return residual.reshape(image.shape)
