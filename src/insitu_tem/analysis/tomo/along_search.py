"""Wide search along the tilt axis: a projection whose along-axis shift locked onto the wrong
stretch of the object (a neighbouring void, seen through the common-line start of
:mod:`.registration`) lies far outside the few-pixel reach of the matched registration.

Each candidate whole-pixel jump ``k`` is compared with staying, on the rows both hypotheses
cover: the cost of :func:`.registration.matched_fit` (weighted least squares with a gain and a
background fitted for each) with the reference moved by ``k`` rows against the reference where
the registration left it. A jump is taken only where its cost drop exceeds ``level`` times the
registration's noise variance, the profile-likelihood scale of
:func:`.registration.along_axis_interval`.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.tomo.registration import translate_axis


def _fitted_cost(sums: np.ndarray) -> float:
    """``min Σ w (t − g·m − b)²`` over the gain g and the background b, from the sums
    ``(Σ w m², Σ w m, Σ w, Σ w m t, Σ w t, Σ w t²)`` (the background alone where the model is
    flat)."""
    mm, m, w, mt, t, tt = sums
    det = mm * w - m * m
    if det <= 1e-12 * mm * w:
        return float(tt - t * t / w)
    return float(tt - (w * mt * mt - 2 * m * mt * t + mm * t * t) / det)


def along_axis_jump(
    reference: np.ndarray,
    moving: np.ndarray,
    shift: np.ndarray,
    noise_variance: float,
    *,
    margin: int,
    level: float,
    smooth_px: float = 1.0,
) -> int:
    """Whole-pixel jump along the rows (the tilt axis in the axis frame) to add to ``shift[0]``,
    px, or 0.

    Parameters
    ----------
    reference, moving, shift, noise_variance, margin, smooth_px
        As for :func:`.registration.along_axis_interval`.
    level : float
        Cost drop, in units of ``noise_variance``, a jump must exceed.

    Returns
    -------
    int
        The jump of the largest cost drop within a third of the rows, when that drop exceeds
        ``level × noise_variance``; else 0.
    """
    ref = ndimage.gaussian_filter(np.asarray(reference, np.float64), smooth_px, mode="nearest")
    mov = ndimage.gaussian_filter(np.asarray(moving, np.float64), smooth_px, mode="nearest")
    rows = ref.shape[0]
    margin = int(min(max(margin, 1), min(ref.shape) // 4))
    across = translate_axis(ndimage.spline_filter(ref, order=3, mode="nearest"), shift[1], 1)
    model = translate_axis(across, shift[0], 0)[:, margin:-margin]
    target = mov[:, margin:-margin]
    weight = 1.0 / np.maximum(target, max(float(target.mean()), 1e-6) * 0.1)
    factors = ((weight, model**2), (weight, model), (weight * target, model))
    rows_sums = [w * m for w, m in factors] + [weight, weight * target, weight * target**2]
    running = np.cumsum(np.stack([r.sum(1) for r in rows_sums]), axis=1)
    running = np.concatenate([np.zeros((6, 1)), running], axis=1)

    def sums(low: int, high: int, k: int) -> np.ndarray:
        """The six sums over rows ``low:high`` with the model moved by ``k`` rows (``Σ w m²,
        Σ w m, Σ w t m`` paired across rows, the rest row by row)."""
        here = running[:, high] - running[:, low]
        if k:
            here[:3] = [
                np.einsum("rc,rc->", w[low:high], m[low - k : high - k]) for w, m in factors
            ]
        return here[[0, 1, 3, 2, 4, 5]]

    best, drop = 0, level * noise_variance
    for k in range(-(rows // 3), rows // 3 + 1):
        low, high = max(margin, margin + k), min(rows - margin, rows - margin + k)
        if k == 0 or high - low < rows // 8:
            continue
        gain = _fitted_cost(sums(low, high, 0)) - _fitted_cost(sums(low, high, k))
        if gain > drop:
            best, drop = k, gain
    return best
