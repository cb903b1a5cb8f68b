"""Whether the per-frame fits read a stopped front's partly reacted samples to their end level.

A front that stops inside its own diffuse zone leaves the samples there partly reacted to the
movie's end; their reacted level is then measured in that partial state, so the reacted
fraction reads 1 there and the erf fits place the front too far along. The end state
(:func:`~insitu_tem.analysis.movie.front_end.end_levels`) holds each sample's end fraction; the
per-frame fits read ``φ × end`` (:func:`stall_end`) only when three tests on the data hold:

1. The end state agrees with the last fits: no sample it reads unreacted (end below
   ``1 - PURE``) lies on the reacted side of the last ``END_STATE_FRAMES`` fits' median
   position by more than the moving front's width (an end state read from texture behind the
   front, :func:`contradicts_last_fits`).
2. The front is shown stopped (:func:`stall_start`): the mean reacted fraction of the partly
   reacted samples (weighted by their 1/σ²) is fitted by two lines joined at a break ``t_k``
   over frames ``[2 t_k - T, T]``, for each ``t_k`` in ``[T/2, T - end_frames]``; some break
   must have its slope after ``t_k`` within ``CHANGE_Z`` σ and the drop in slope at it beyond
   ``CHANGE_Z + √(2 ln n)`` σ (``n`` breaks tried: the look-elsewhere term the change points
   use), σ from the mean's own noise with its AR(1) inflation
   (:func:`~insitu_tem.analysis.movie.front_end.correlated_noise`). A front still moving
   slowly at the end has no such drop: the last tenth of the movie alone cannot tell it from a
   stall (a front at 0.3 px per frame), its whole approach can.
3. No partly reacted sample changes after that break (a strong change point, as
   :func:`~insitu_tem.analysis.movie.front_end.end_fraction` counts them, later than ``t_k``):
   samples a front was still reaching are not partly reacted by a stall — a low-contrast
   texture behind a front still moving reads as partial (:func:`changed_after`).

References
----------
Bartlett, "Some aspects of the time-correlation problem in regard to tests of significance",
J. R. Stat. Soc. 98, 536 (1935) — the variance inflation of a slope under AR(1) errors.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_end import (
    END_STATE_FRAMES,
    correlated_noise,
    end_frames,
    moving_width,
)
from insitu_tem.analysis.movie.front_states import CHANGE_Z, PURE, StateModel, change_points


def stall_end(image: np.ndarray, model: StateModel, fits: list) -> np.ndarray | None:
    """(n_samples,) end fraction the per-frame fits read (``model.end``) when the front is
    shown stopped inside its diffuse zone and the end state holds (the module's three tests),
    None otherwise.

    Parameters
    ----------
    image : numpy.ndarray
        (n_frames, n_samples) kymograph, intensity units.
    model : StateModel
        Levels with their end state (:attr:`StateModel.end`).
    fits : list
        The per-frame fits the end state was read with (``None`` where absent).
    """
    end = model.end
    if end is None or contradicts_last_fits(end, fits, model.direction):
        return None
    start = stall_start(image, model)
    if start is None or changed_after(image, model, start).size:
        return None
    return end


def contradicts_last_fits(end: np.ndarray, fits: list, direction: int) -> bool:
    """Whether a sample ``end`` reads unreacted (below ``1 - PURE``) lies on the reacted side of
    the last ``END_STATE_FRAMES`` fits' median position by more than the moving width
    (samples)."""
    last = [f.position for f in fits if f is not None][-END_STATE_FRAMES:]
    if not last:
        return False
    depth = direction * (float(np.median(last)) - np.arange(end.size))
    return bool(np.any((depth > moving_width(fits)) & (end < 1 - PURE)))


def stall_start(image: np.ndarray, model: StateModel) -> int | None:
    """First frame of the front's stall (the break of test 2 in the module's docstring with the
    largest drop in slope), None when the front is not shown stopped."""
    mean = _partial_mean(image, model)
    n_frames = image.shape[0]
    tail = end_frames(n_frames)
    breaks = range(max(tail, n_frames // 2), n_frames - tail + 1)
    if mean is None or len(breaks) == 0:
        return None
    sigma, inflation = correlated_noise(mean, 2 * (tail // 2) + 1)
    best, best_drop = None, CHANGE_Z + np.sqrt(2 * np.log(len(breaks)))
    for start in breaks:
        after_z, drop_z = _hinge(mean, start, sigma * inflation)
        if abs(after_z) <= CHANGE_Z and drop_z > best_drop:
            best, best_drop = start, drop_z
    return best


def _partial_mean(image: np.ndarray, model: StateModel) -> np.ndarray | None:
    """(n_frames,) 1/σ²-weighted mean reacted fraction of the partly reacted samples."""
    phi, sigma = model.fraction(image)
    partial = (model.end > 1 - PURE) & (model.end < PURE) & np.isfinite(sigma) & (sigma > 0)
    if not partial.any():
        return None
    weight = 1 / sigma[partial] ** 2
    mean = phi[:, partial] @ weight / weight.sum()
    return mean if np.all(np.isfinite(mean)) else None


def _hinge(mean: np.ndarray, start: int, sigma: float) -> tuple[float, float]:
    """z of the slope after ``start`` and of the drop in slope at it, for two lines joined at
    ``start`` fitted over frames ``[2 start - T, T]`` with white noise ``sigma``."""
    frames = np.arange(max(0, 2 * start - mean.size), mean.size)
    design = np.column_stack(
        [np.ones(frames.size), np.minimum(frames - start, 0), np.maximum(frames - start, 0)]
    )
    coef, *_ = np.linalg.lstsq(design, mean[frames], rcond=None)
    cov = np.linalg.inv(design.T @ design) * sigma**2
    drop_sigma = np.sqrt(cov[1, 1] + cov[2, 2] - 2 * cov[1, 2])
    return float(coef[2] / np.sqrt(cov[2, 2])), float((coef[1] - coef[2]) / drop_sigma)


def changed_after(image: np.ndarray, model: StateModel, start: int) -> np.ndarray:
    """Indices of the partly reacted samples whose strong change point (z beyond
    ``CHANGE_Z + √(2 ln N)``, N the kymograph's size) lies after frame ``start``."""
    frame, _, z = change_points(image / model.beam[:, None])
    strong = z > CHANGE_Z + np.sqrt(2 * np.log(image.size))
    partial = (model.end > 1 - PURE) & (model.end < PURE)
    return np.flatnonzero(strong & partial & (frame > start))
