"""Automatic reaction-front tracking along a line, from its kymograph.

1. Edge strength: derivative-of-Gaussian along the line, signed by the
   front's polarity (the side that changes as the front passes), in units of
   its robust noise level (z-score). The first pass subtracts each sample's
   median over frames so that static edges do not attract the path.
2. Continuity: a Viterbi path through frames over every sample position plus
   an "absent" state (the front has not entered the line, has left it, or is
   lost). Moving costs ``step_cost`` per px, entering or leaving costs
   ``enter_cost``; being present at a position earns its z-score and being
   absent earns ``min_strength``. The L1 move cost is minimised over all
   positions in linear time (lower envelope by cumulative minima).
3. Static pattern removal: the specimen's own texture along the line does
   not move, so once the front is roughly known its multiplicative pattern
   is estimated as the per-sample median of intensity / (two-level model of
   the frame) and divided out; steps 1-2 are repeated on the flattened
   kymograph (``flatten=True``; best on drift-corrected kymographs).
4. Sub-pixel: an erf step ``a + b * Phi((s - s0) / w)`` is fitted to the
   profile around each chosen position; ``s0`` is the front position and the
   step's signal-to-noise ratio gives a 0-1 confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.optimize import curve_fit
from scipy.special import ndtr

ABSENT = -1


@dataclass(frozen=True)
class StepFit:
    """An erf step fitted to a profile.

    Attributes
    ----------
    ok : bool
        False when the fit failed (``position`` is then the starting guess).
    position : float
        Step centre, in samples along the profile.
    width : float
        Step width (Gaussian sigma), samples.
    amplitude : float
        Step height (after minus before), intensity units.
    snr : float
        |amplitude| / residual standard deviation.
    """

    ok: bool
    position: float
    width: float
    amplitude: float
    snr: float


@dataclass(frozen=True)
class FrontTrack:
    """Front position along a line in every frame.

    Attributes
    ----------
    position : numpy.ndarray
        (n_frames,) front position in samples along the line (px when the
        kymograph step is 1 px); NaN where the front is absent.
    confidence : numpy.ndarray
        (n_frames,) 0-1; 0 where absent.
    width : numpy.ndarray
        (n_frames,) fitted step width, samples.
    present : numpy.ndarray
        (n_frames,) bool.
    polarity : int
        +1 when intensity rises across the front along the line, -1 when it falls.
    ok : bool
        False when the front was never found.
    reason : str
        Why ``ok`` is False.
    """

    position: np.ndarray
    confidence: np.ndarray
    width: np.ndarray
    present: np.ndarray
    polarity: int
    ok: bool = True
    reason: str = ""


def _erf_step(s, a, b, s0, w):
    return a + b * ndtr((s - s0) / w)


def fit_step(profile, guess: float, *, half_window: int = 8) -> StepFit:
    """Fit an erf step to ``profile`` within ``half_window`` samples of ``guess``."""
    values = np.asarray(profile, dtype=float)
    lo, hi = max(0, int(round(guess)) - half_window), min(values.size, int(round(guess)) + half_window + 1)
    s, y = np.arange(lo, hi, dtype=float), values[lo:hi]
    good = np.isfinite(y)
    if good.sum() < 6:
        return StepFit(False, float(guess), np.nan, np.nan, 0.0)
    s, y = s[good], y[good]
    quarter = max(1, len(y) // 4)
    a0, b0 = float(np.mean(y[:quarter])), float(np.mean(y[-quarter:]) - np.mean(y[:quarter]))
    try:
        params, _ = curve_fit(_erf_step, s, y, p0=(a0, b0, float(guess), 1.5),
                              bounds=([-np.inf, -np.inf, lo, 0.3], [np.inf, np.inf, hi - 1, half_window]))
    except (RuntimeError, ValueError):
        return StepFit(False, float(guess), np.nan, np.nan, 0.0)
    residual = y - _erf_step(s, *params)
    noise = max(float(np.std(residual)), 1e-12)
    return StepFit(True, float(params[2]), float(params[3]), float(params[1]), abs(float(params[1])) / noise)


def auto_polarity(image: np.ndarray, *, smooth: float = 2.0) -> int:
    """+1 or -1: the sign of the spatial gradient where the kymograph changes in time."""
    data = np.nan_to_num(np.asarray(image, dtype=float), nan=float(np.nanmean(image)))
    smoothed = ndimage.gaussian_filter(data, smooth)
    along = np.gradient(smoothed, axis=1)
    in_time = np.abs(np.gradient(smoothed, axis=0))
    return 1 if float((along * in_time).sum()) >= 0 else -1


def edge_strength(image: np.ndarray, *, polarity: int, smooth: float = 2.0, moving_only: bool = False) -> np.ndarray:
    """Signed edge z-score per (frame, sample): polarity * d/ds of the smoothed kymograph / noise.

    With ``moving_only`` the per-sample median over frames is subtracted first,
    which removes edges that never move (film features, a static boundary).
    """
    data = np.nan_to_num(np.asarray(image, dtype=float), nan=float(np.nanmean(image)))
    gradient = polarity * ndimage.gaussian_filter1d(data, smooth, axis=1, order=1, mode="nearest")
    if moving_only:
        gradient = gradient - np.median(gradient, axis=0, keepdims=True)
    centre = np.median(gradient)
    noise = 1.4826 * np.median(np.abs(gradient - centre))
    return (gradient - centre) / max(float(noise), 1e-12)


def _l1_envelope(cost: np.ndarray, step_cost: float) -> tuple[np.ndarray, np.ndarray]:
    """min_j cost[j] + step_cost * |i - j| and its argmin, for every i."""
    index = np.arange(cost.size)
    forward = cost - step_cost * index
    f_min = np.minimum.accumulate(forward)
    f_arg = np.maximum.accumulate(np.where(forward == f_min, index, 0))
    backward = (cost + step_cost * index)[::-1]
    b_min = np.minimum.accumulate(backward)
    b_arg = np.maximum.accumulate(np.where(backward == b_min, index, 0))
    b_min, b_arg = b_min[::-1], cost.size - 1 - b_arg[::-1]
    use_forward = f_min + step_cost * index <= b_min - step_cost * index
    return (np.where(use_forward, f_min + step_cost * index, b_min - step_cost * index),
            np.where(use_forward, f_arg, b_arg))


def viterbi_path(strength: np.ndarray, *, step_cost: float, enter_cost: float, min_strength: float) -> np.ndarray:
    """Best position per frame (sample index, or ABSENT = -1) through an edge-strength map."""
    n_frames, n_samples = strength.shape
    present = -strength[0].copy()
    absent = -min_strength
    back_present = np.zeros((n_frames, n_samples), dtype=np.int64)
    back_absent = np.zeros(n_frames, dtype=np.int64)
    for t in range(1, n_frames):
        moved, arg = _l1_envelope(present, step_cost)
        enter = absent + enter_cost
        from_absent = enter < moved
        back_present[t] = np.where(from_absent, ABSENT, arg)
        best_present = int(np.argmin(present))
        stay_absent = absent <= present[best_present] + enter_cost
        back_absent[t] = ABSENT if stay_absent else best_present
        absent_next = (absent if stay_absent else present[best_present] + enter_cost) - min_strength
        present = np.minimum(moved, enter) - strength[t]
        absent = absent_next
    path = np.empty(n_frames, dtype=np.int64)
    state = ABSENT if absent <= present.min() else int(np.argmin(present))
    for t in range(n_frames - 1, -1, -1):
        path[t] = state
        if t > 0:
            state = int(back_absent[t]) if state == ABSENT else int(back_present[t, state])
    return path


def static_pattern(image: np.ndarray, path: np.ndarray, *, margin: int = 4) -> np.ndarray:
    """Multiplicative static pattern along the line (median 1), given a rough front path.

    Each frame is modelled as two constant levels split at the front (one level
    when absent); the pattern is the per-sample median of intensity / model over
    frames, ignoring samples within ``margin`` of the front.
    """
    data = np.asarray(image, dtype=float)
    samples = np.arange(data.shape[1])
    ratios = np.full(data.shape, np.nan)
    for t, row in enumerate(data):
        model = np.full(row.shape, np.nanmedian(row))
        if path[t] != ABSENT:
            before, after = samples < path[t] - margin, samples > path[t] + margin
            if before.sum() > 2 and after.sum() > 2:
                model = np.where(samples < path[t], np.nanmedian(row[before]), np.nanmedian(row[after]))
                model[np.abs(samples - path[t]) <= margin] = np.nan
        ratios[t] = row / model
    pattern = np.ones(data.shape[1])
    seen = np.isfinite(ratios).any(axis=0)
    pattern[seen] = np.nanmedian(ratios[:, seen], axis=0)
    pattern = np.where(pattern > 0, pattern, 1.0)
    return pattern / np.median(pattern)


def track_front(
    image,
    *,
    polarity: int | str = "auto",
    smooth: float = 2.0,
    step_cost: float = 0.3,
    enter_cost: float = 8.0,
    min_strength: float = 4.0,
    half_window: int = 8,
    flatten: bool = True,
) -> FrontTrack:
    """Track a step-like front through a kymograph.

    Parameters
    ----------
    image : array_like
        (n_frames, n_samples) kymograph (:attr:`Kymograph.image`).
    polarity : {"auto", 1, -1}
        Sign of the intensity change across the front along the line.
    smooth : float
        Gaussian smoothing of the edge detector, samples.
    step_cost : float
        Cost (z-score units) per sample the front moves between frames.
    enter_cost : float
        Cost of the front entering or leaving the line.
    min_strength : float
        Edge z-score below which the front counts as absent.
    half_window : int
        Half-width of the erf-fit window, samples.
    flatten : bool
        Divide out the static pattern along the line before the final pass.

    Returns
    -------
    FrontTrack
    """
    data = np.asarray(image, dtype=float)
    if data.ndim != 2 or data.shape[1] < 8:
        raise ValueError("track_front needs a (frames, samples) kymograph at least 8 samples long")
    sign = auto_polarity(data, smooth=smooth) if polarity == "auto" else int(polarity)
    if sign not in (1, -1):
        raise ValueError(f"polarity must be 'auto', 1 or -1, got {polarity!r}")
    costs = {"step_cost": step_cost, "enter_cost": enter_cost, "min_strength": min_strength}
    path = viterbi_path(edge_strength(data, polarity=sign, smooth=smooth, moving_only=data.shape[0] > 2), **costs)
    if flatten and data.shape[0] > 2:
        data = data / static_pattern(data, path)[None, :]
        path = viterbi_path(edge_strength(data, polarity=sign, smooth=smooth), **costs)
    return _subpixel(data, path, sign, half_window)


def _subpixel(data: np.ndarray, path: np.ndarray, sign: int, half_window: int) -> FrontTrack:
    n = data.shape[0]
    position, width, confidence = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n)
    for t in np.flatnonzero(path != ABSENT):
        fit = fit_step(data[t], float(path[t]), half_window=half_window)
        good = fit.ok and fit.amplitude * sign > 0
        position[t] = fit.position if good else float(path[t])
        width[t] = fit.width if good else np.nan
        confidence[t] = fit.snr**2 / (fit.snr**2 + 4.0) if good else 0.1
    present = path != ABSENT
    if not present.any():
        return FrontTrack(position, confidence, width, present, sign, False,
                          "no step-like front found along the line; widen the line or lower min_strength")
    return FrontTrack(position, confidence, width, present, sign)
