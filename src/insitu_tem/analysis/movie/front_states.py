"""Pristine and reacted states of every sample along a line, from when it changes in time.

A sample of a (drift-corrected) kymograph reads ``K(t, s) = b(t) L(s)`` with ``L`` its pristine
level ``P(s)`` before the front has passed and its reacted level ``R(s)`` after; ``b(t)`` is the
beam current. Because ``P`` and ``R`` are measured per sample, the specimen's own texture along
the line drops out of the reacted fraction ``φ = (K / b - P) / (R - P)`` (the texture-independent
"change" detection of pre- vs post-reaction state). The first guess of the states comes from
the best single change point of each sample's time series (two-segment least squares, as in
binary segmentation); refinement uses the front positions fitted per frame.

References
----------
Killick, Fearnhead & Eckley, "Optimal detection of changepoints with a linear computational
cost", J. Am. Stat. Assoc. 107, 1590 (2012) — the two-segment cost used here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.optimize import isotonic_regression
from scipy.special import ndtr, ndtri

CHANGE_Z = 3.0
NOISE_FLOOR = 1e-3
PURE = 0.98
ORDER_Z = 2.5
REVERSE_Z = float(-ndtri(ndtr(-ORDER_Z) / 2))
OWN_GAP = 3


@dataclass(frozen=True)
class StateModel:
    """Levels and beam of a kymograph and what they imply per (frame, sample).

    Attributes
    ----------
    pristine, reacted : numpy.ndarray
        (n_samples,) levels P and R, intensity units at beam 1.
    beam : numpy.ndarray
        (n_frames,) relative beam current b (median 1).
    noise : numpy.ndarray
        (n_samples,) 1σ of ``K / b`` about its level within one state, intensity units (at least
        ``NOISE_FLOOR`` of the median contrast, for noise-free data).
    level_sigma : numpy.ndarray
        (n_samples,) 1σ of ``R - P`` from the frames that measured them (a frozen, systematic
        error).
    direction : int
        +1 when the reacted side is at low sample index (the front moves towards higher index).
    end : numpy.ndarray or None
        (n_samples,) reacted fraction each sample has reached at the movie's end where a front
        stopped inside the line leaves it partly reacted, 1 elsewhere
        (:func:`~insitu_tem.analysis.movie.front_end.end_levels`); None when not read.
    """

    pristine: np.ndarray
    reacted: np.ndarray
    beam: np.ndarray
    noise: np.ndarray
    level_sigma: np.ndarray
    direction: int
    end: np.ndarray | None = None

    def fraction(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reacted fraction φ per (frame, sample) and its 1σ per sample (noise + level error)."""
        contrast = self.reacted - self.pristine
        safe = np.where(np.abs(contrast) > 0, contrast, np.nan)
        phi = (image / self.beam[:, None] - self.pristine) / safe
        sigma = np.hypot(self.noise, self.level_sigma) / np.abs(safe)
        return phi, sigma


def nanmedian(values: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """``numpy.nanmedian`` that returns NaN for all-NaN slices without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis, keepdims=keepdims)


def robust_sigma(values: np.ndarray, axis=None) -> np.ndarray:
    """1.4826 × median absolute deviation (NaN ignored)."""
    centre = nanmedian(values, axis=axis, keepdims=True)
    return 1.4826 * nanmedian(np.abs(values - centre), axis=axis)


def initial_beam(image: np.ndarray) -> np.ndarray:
    """Beam from the median frame-to-frame ratio (few samples change state between two frames)."""
    if not np.all(image > 0):
        return np.ones(image.shape[0])
    ratios = nanmedian(image[1:] / image[:-1], axis=1)
    beam = np.concatenate([[1.0], np.cumprod(ratios)])
    return beam / np.median(beam)


def change_points(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best single change point of each column of ``series`` (frames, samples).

    Returns the first frame after the change, the step (after − before) and its z-score
    (step over its standard error from the frame-to-frame noise).
    """
    n = series.shape[0]
    filled = np.where(np.isfinite(series), series, nanmedian(series, axis=0))
    total = filled.sum(axis=0)
    before = np.cumsum(filled, axis=0)[:-1]
    count = np.arange(1, n)[:, None]
    mean_before, mean_after = before / count, (total - before) / (n - count)
    gain = count * (n - count) / n * (mean_after - mean_before) ** 2
    best = np.argmax(gain, axis=0)
    columns = np.arange(series.shape[1])
    step = (mean_after - mean_before)[best, columns]
    noise = np.maximum(robust_sigma(np.diff(filled, axis=0), axis=0) / np.sqrt(2), 1e-12)
    z = np.sqrt(gain[best, columns]) / noise
    return best + 1, step, z


def moving_edge(image: np.ndarray) -> tuple[int, int]:
    """Direction (+1: the front moves towards higher index, reacted side at low index) and sign
    of R − P, from the moving edge: where the front moves, ``∂K/∂t = −v ∂K/∂s``, so
    ``Σ ∂K/∂t · ∂K/∂s`` has the sign of −v, and the polarity (sign of ∂K/∂s at the front) is that
    of ``Σ ∂K/∂s · |∂K/∂t|``. Static texture has no time derivative; changing texture and noise
    average out."""
    data = image / initial_beam(image)[:, None]
    filled = np.where(np.isfinite(data), data, nanmedian(data))
    smoothed = ndimage.gaussian_filter(filled, (1.0, 1.5))
    d_t, d_s = np.gradient(smoothed)
    direction = 1 if np.sum(d_t * d_s) <= 0 else -1
    polarity = 1 if np.sum(d_s * np.abs(d_t)) >= 0 else -1
    return direction, -polarity * direction


def direction_and_sign(
    image: np.ndarray, *, polarity: int | None
) -> tuple[int, int, np.ndarray, np.ndarray] | None:
    """Which side reacts (+1: low index), the sign of R − P, and the samples that change with
    that sign (their change frames). ``polarity`` (+1 intensity rises along the line across the
    front, −1 falls), when given, fixes the sign. None when fewer than four samples change or
    they do not change in order (:func:`order_evidence`)."""
    direction, sign, frame, changed, order = order_evidence(image, polarity=polarity)
    if not order >= ORDER_Z:
        return None
    return direction, sign, frame, changed


def change_threshold(n_frames: int) -> float:
    """z-score a sample's best change point must pass to count as a change: ``CHANGE_Z`` plus
    the largest of ``n_frames`` noise z-scores, √(2 ln n)."""
    return CHANGE_Z + np.sqrt(2 * np.log(max(n_frames, 3)))


def order_evidence(
    image: np.ndarray, *, polarity: int | None
) -> tuple[int, int, np.ndarray, np.ndarray, float]:
    """The test :func:`direction_and_sign` applies: direction, sign, change frames, the samples
    that change significantly with that sign, and their order z-score (NaN when fewer than four
    change; a front is found when it reaches ``ORDER_Z``).

    The polarity (``polarity``, else the moving edge's) is kept; the direction is the moving
    edge's unless that fails the test and the other direction (with the same polarity, so the
    other sign) passes it at ``REVERSE_Z``, the order test's level shared by its two looks: the
    moving edge's direction is ``Σ ∂K/∂t · ∂K/∂s``, to which static texture the drift
    correction left moving adds, while its polarity weights ``∂K/∂s`` by ``|∂K/∂t|``, in which
    texture edges of either sign cancel."""
    direction, edge_sign = moving_edge(image)
    polarity = -direction * edge_sign if polarity is None else polarity
    frame, step, z = change_points(image / initial_beam(image)[:, None])
    threshold = change_threshold(image.shape[0])
    changed, order = _order_test(frame, step, z, threshold, direction, -polarity * direction)
    if not order >= ORDER_Z:
        reverse = _order_test(frame, step, z, threshold, -direction, polarity * direction)
        if reverse[1] >= REVERSE_Z:
            direction, (changed, order) = -direction, reverse
    return direction, -polarity * direction, frame, changed, order


def _order_test(
    frame: np.ndarray, step: np.ndarray, z: np.ndarray, threshold: float, direction: int, sign: int
) -> tuple[np.ndarray, float]:
    """The samples that change beyond ``threshold`` with ``sign`` and their order z-score along
    ``direction`` (NaN when fewer than four)."""
    changed = (z > threshold) & (np.sign(step) == sign)
    if changed.sum() < 4:
        return changed, np.nan
    return changed, _in_order(np.flatnonzero(changed), frame, z, direction)


def _in_order(samples: np.ndarray, frame: np.ndarray, z: np.ndarray, direction: int) -> float:
    """The order z-score (along ``direction``) of the changed ``samples``, or of their more
    significant half when that is in better order (a few samples near where the front starts,
    or under texture that changes, step late and out of order; noise has no order in either
    half)."""
    strong = samples[z[samples] >= np.median(z[samples])]
    half = _order_z(strong, frame[strong]) if strong.size >= 4 else 0.0
    return direction * max(_order_z(samples, frame[samples]), half, key=lambda o: direction * o)


def _order_z(samples: np.ndarray, frames: np.ndarray) -> float:
    """Spearman rank correlation of change frame with position, in standard errors (√(n − 1) ρ):
    a passing front changes samples in order, noise does not."""
    ranks = [np.argsort(np.argsort(v, kind="stable")).astype(float) for v in (samples, frames)]
    if np.ptp(ranks[1]) == 0:
        return 0.0
    return float(np.corrcoef(*ranks)[0, 1] * np.sqrt(samples.size - 1))


def initial_fraction(frame: np.ndarray, changed: np.ndarray, n_frames: int) -> np.ndarray:
    """Reacted fraction of the samples that changed: 0 well before their change frame, 1 well
    after (a tenth of the movie, at least 2 frames, either side left unknown as a diffuse or
    rough front takes time to pass); NaN (unknown) for every other sample."""
    t = np.arange(n_frames)[:, None]
    gap = max(2, n_frames // 10)
    fraction = np.where(
        t < frame[None, :] - gap, 0.0, np.where(t >= frame[None, :] + gap, 1.0, np.nan)
    )
    return np.where(changed[None, :], fraction, np.nan)


def _normal_sums(y: np.ndarray, fraction: np.ndarray) -> tuple[np.ndarray, ...]:
    known = np.isfinite(fraction) & np.isfinite(y)
    m, yy = np.where(known, fraction, 0.0), np.where(known, y, 0.0)
    a = np.where(known, 1.0 - m, 0.0)
    return (a * a).sum(0), (a * m).sum(0), (m * m).sum(0), (a * yy).sum(0), (m * yy).sum(0)


def _levels(y: np.ndarray, fraction: np.ndarray, multiplicative: bool):
    """Per-sample least squares of ``y = P (1 - m) + R m`` over frames; samples seen in one state
    only get the other level from the median relation (ratio or difference) of the rest."""
    saa, sab, smm, say, smy = _normal_sums(y, fraction)
    det = saa * smm - sab**2
    both = (saa >= 3) & (smm >= 3) & (det > 0.25 * (saa + smm))
    if both.sum() < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        pristine = np.where(both, (smm * say - sab * smy) / det, say / saa)
        reacted = np.where(both, (saa * smy - sab * say) / det, smy / smm)
        leverage = np.where(
            both, np.sqrt(np.maximum(saa, smm) / det), 1 / np.sqrt(np.maximum(saa, smm))
        )
    relation = reacted[both] / pristine[both] if multiplicative else reacted[both] - pristine[both]
    typical, spread = float(np.median(relation)), float(robust_sigma(relation))
    mostly_pristine = ~both & (saa >= smm)
    mostly_reacted = ~both & (saa < smm)
    if multiplicative:
        reacted = np.where(mostly_pristine, pristine * typical, reacted)
        pristine = np.where(mostly_reacted, reacted / typical, pristine)
        fill_sigma = np.where(both, 0.0, np.abs(pristine) * spread)
    else:
        reacted = np.where(mostly_pristine, pristine + typical, reacted)
        pristine = np.where(mostly_reacted, reacted - typical, pristine)
        fill_sigma = np.where(both, 0.0, spread)
    seen = (saa + smm) >= 1
    return np.where(seen, pristine, np.nan), np.where(seen, reacted, np.nan), leverage, fill_sigma


def estimate_model(
    image: np.ndarray, fraction: np.ndarray, beam: np.ndarray, direction: int
) -> StateModel | None:
    """Levels, beam and noise given the modelled reacted fraction per (frame, sample) (NaN:
    unknown); None unless at least two samples were seen in both states."""
    multiplicative = bool(np.all(image > 0))
    for _ in range(3):
        levels = _levels(image / beam[:, None], fraction, multiplicative)
        if levels is None:
            return None
        pristine, reacted, leverage, fill_sigma = levels
        level = pristine + (reacted - pristine) * fraction
        if not multiplicative:
            break
        pure = np.where((fraction < 1 - PURE) | (fraction > PURE), level, np.nan)
        ratio = _beam(image, pure)
        beam = ratio / np.median(ratio)
    residual = image / beam[:, None] - level
    noise = robust_sigma(residual, axis=0)
    noise = np.where(np.isfinite(noise) & (noise > 0), noise, nanmedian(noise))
    noise = np.maximum(np.nan_to_num(noise), NOISE_FLOOR * nanmedian(np.abs(reacted - pristine)))
    with np.errstate(invalid="ignore"):
        level_sigma = np.hypot(noise * leverage, fill_sigma)
    return StateModel(pristine, reacted, beam, noise, level_sigma, direction)


def _beam(image: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Median of intensity / level per frame, interpolated over frames with no known sample."""
    ratio = nanmedian(image / level, axis=1)
    good = np.isfinite(ratio)
    frames = np.arange(ratio.size)
    return np.interp(frames, frames[good], ratio[good]) if good.any() else np.ones(ratio.size)


def own_changes(image: np.ndarray, beam: np.ndarray, direction: int) -> np.ndarray:
    """Reacted fraction per (frame, sample) from each sample's own change, whatever its sign
    (texture can make the reacted side locally brighter than the pristine one): 0 before the
    change frame, 1 after, unknown within ``OWN_GAP`` frames of it and for samples whose change
    is not significant (z above ``CHANGE_Z`` plus the largest z expected from noise over every
    frame and sample) or out of the order in which a front passes the samples (more than
    ``max(2, n_frames / 20)`` frames from the weighted isotonic fit of change frame on position
    along the front's motion)."""
    n_frames = image.shape[0]
    frame, _, z = change_points(image / beam[:, None])
    strong = np.flatnonzero(z > CHANGE_Z + np.sqrt(2 * np.log(image.size)))
    fraction = np.full(image.shape, np.nan)
    if strong.size < 3:
        return fraction
    ordered = strong[::direction]
    monotone = isotonic_regression(frame[ordered].astype(float), weights=z[ordered]).x
    accepted = ordered[np.abs(frame[ordered] - monotone) <= max(2, n_frames / 20)]
    t = np.arange(n_frames)[:, None]
    change = frame[None, accepted]
    fraction[:, accepted] = np.where(
        t < change - OWN_GAP, 0.0, np.where(t >= change + OWN_GAP, 1.0, np.nan)
    )
    return fraction


def fill_one_sided(fraction: np.ndarray, own: np.ndarray, *, min_frames: int = 3) -> np.ndarray:
    """``fraction`` with the samples it sees in one state only (fewer than ``min_frames`` frames
    in the other) taken from their own change (:func:`own_changes`) where that sees both: reacted
    after the change, pristine before it only where ``fraction`` says so too (a sample inside a
    front that stalls before it moves is partly reacted before its own change)."""

    def both(f):
        return (np.sum(f == 0, axis=0) >= min_frames) & (np.sum(f == 1, axis=0) >= min_frames)

    merged = np.where(own == 1, 1.0, np.where((own == 0) & (fraction == 0), 0.0, np.nan))
    replace = ~both(fraction) & both(merged)
    return np.where(replace[None, :], merged, fraction)
