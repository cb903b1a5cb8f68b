"""Drift from many frame pairs: a global least-squares solution with outlier rejection.

A registration on one reference frame walks away when the reference stops resembling the
frames (texture that changes, a front that sweeps the field); chaining consecutive frames adds
their errors as a random walk. Here every frame ``j`` is registered on the frames ``j - L`` for
the lags ``L`` in ``LAGS`` (1 to 27 frames), each measurement ``p_ij ≈ d_j - d_i`` with its
covariance, over the pixels that do not change in the uncorrected movie; the drift ``d`` (``d_0
= 0``) is the weighted least-squares solution of all pair equations, reweighted by Tukey's
biweight of the residuals in units of their robust scale (iteratively reweighted least squares),
so pairs that followed a moving front or changed texture rather than the specimen lose their
weight. Only the last ``max(LAGS) + 1`` frames are held in memory, and the normal equations are
sparse.

References
----------
Holland & Welsch, "Robust regression using iteratively reweighted least-squares", Commun.
Stat. Theory Methods 6, 813 (1977).
Zheng et al., "MotionCor2: anisotropic correction of beam-induced motion", Nat. Methods 14, 331
(2017) (shifts solved from all frame pairs).
"""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse.linalg import spsolve

from insitu_tem.analysis.movie.drift import iter_frames
from insitu_tem.analysis.movie.drift_matched import MatchedRegistration
from insitu_tem.analysis.movie.drift_registration import dilated

LAGS = (1, 3, 9, 27)
TUKEY_C = 4.685
IRLS_ROUNDS = 8
STEP_PX = 4.0
LEVEL_PX = 4.0
CHANGE_Z = 4.0


def pair_drift(movie, weight, prepare, *, upsample: int, chunk: int, should_stop=None):
    """Drift of every frame relative to frame 0 from registrations of frame pairs.

    Parameters
    ----------
    movie : array_like
        (t, y, x) movie.
    weight : numpy.ndarray
        Registration weight (frame shape, 0-1) in frame coordinates.
    prepare : callable
        (frame index, frame) -> image registered (high-passed, beam-normalised).
    upsample, chunk :
        Sub-pixel grid 1/upsample px; frames read at once.
    should_stop : callable, optional
        Ends the run early (returns None).

    Returns
    -------
    numpy.ndarray or None
        (t, 2) shifts (dy, dx), px; None when stopped.
    """
    pairs = _pairs(movie, weight, prepare, upsample, chunk, should_stop)
    if pairs is None:
        return None
    first, second, shift, variance = pairs
    return solve_pairs(movie.shape[0], first, second, shift, variance)


def _pairs(movie, weight, prepare, upsample, chunk, should_stop):
    registration = MatchedRegistration(movie.shape[1:], upsample=upsample)
    held: deque = deque(maxlen=max(LAGS) + 1)
    chained = [np.zeros(2)]
    rows: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    for j, frame in enumerate(iter_frames(movie, chunk=chunk)):
        if should_stop is not None and should_stop():
            return None
        image, level = prepare(j, frame), _level(frame)
        for lag in LAGS:
            if lag > len(held):
                break
            i = j - lag
            near = chained[j - 1] - chained[i] if lag > 1 else np.zeros(2)
            unchanged = weight * ~changed(level, held[-lag][2])
            found = registration.measure_robust(
                image, held[-lag][1], unchanged, near=near, radius=STEP_PX
            )
            rows.append((i, j, found.shift_px, np.diagonal(found.covariance_px2)))
            if lag == 1:
                chained.append(chained[i] + found.shift_px)
        held.append((image, registration.template_spectrum(image), level))
    if not rows:
        return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 2)), np.ones((0, 2))
    first, second, shift, variance = (np.array(column) for column in zip(*rows))
    return first, second, shift, variance


def _level(frame) -> np.ndarray:
    data = np.asarray(frame, dtype=np.float32)
    data = data / max(float(np.median(data)), 1e-12)
    return ndimage.gaussian_filter(data, LEVEL_PX, mode="nearest")


def changed(level: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Where the local mean level (Gaussian of ``LEVEL_PX``) of two beam-normalised frames
    differs beyond ``CHANGE_Z`` robust σ of its difference over the frame, dilated by
    ``LEVEL_PX``: a front that swept between them (texture moved by the drift averages out at
    this scale)."""
    difference = level - earlier
    centre = np.median(difference)
    scale = 1.4826 * np.median(np.abs(difference - centre))
    far = np.abs(difference - centre) > CHANGE_Z * max(scale, 1e-12)
    return dilated(far, int(LEVEL_PX))


def solve_pairs(n, first, second, shift, variance) -> np.ndarray:
    """Shifts ``d`` (``d_0 = 0``) solving ``d_j - d_i = p_ij`` by iteratively reweighted least
    squares (Tukey's biweight), each axis on its own.

    Parameters
    ----------
    n : int
        Number of frames.
    first, second : numpy.ndarray
        (m,) frame indices ``i`` and ``j`` of every pair.
    shift, variance : numpy.ndarray
        (m, 2) measured ``p_ij`` and its variance per axis, px and px².
    """
    shifts = np.zeros((n, 2))
    if n < 2 or first.size == 0:
        return shifts
    rows = np.arange(first.size)
    design = sparse.csr_matrix(
        (np.r_[np.ones(rows.size), -np.ones(rows.size)], (np.r_[rows, rows], np.r_[second, first])),
        shape=(rows.size, n),
    )[:, 1:]
    variance = np.where(np.isfinite(variance) & (variance > 0), variance, np.inf)
    for axis in range(2):
        shifts[1:, axis] = _irls(design, shift[:, axis], variance[:, axis])
    return shifts


def _irls(design, values, variance) -> np.ndarray:
    weight = 1.0 / variance
    solution = np.zeros(design.shape[1])
    for _ in range(IRLS_ROUNDS):
        normal = (design.T @ sparse.diags(weight) @ design).tocsc()
        normal = normal + sparse.identity(normal.shape[0]) * 1e-9 * normal.diagonal().max()
        solution = np.atleast_1d(spsolve(normal, design.T @ (weight * values)))
        z = (values - design @ solution) / np.sqrt(variance)
        finite = np.isfinite(z)
        if not finite.any():
            break
        scale = max(1.4826 * float(np.median(np.abs(z[finite]))), 1.0)
        u = np.where(finite, z / (TUKEY_C * scale), np.inf)
        weight = np.where(np.abs(u) < 1, (1 - u**2) ** 2, 0.0) / variance
    return solution
