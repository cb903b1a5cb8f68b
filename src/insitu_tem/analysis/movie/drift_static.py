"""Drift measured on what does not change: the moving front and changing texture excluded.

A reaction front is the strongest moving feature of an in situ movie, so a registration of
whole frames is pulled along with it. Here the drift is measured in rounds:

1. Changing pixels: the frames (corrected by the current drift; uncorrected and smoothed more
   in the first round) are averaged in blocks of consecutive frames, each frame normalised by
   its median (beam current). Where the log ratio of consecutive smoothed blocks, less a
   quadratic surface fitted robustly (the illumination fixed in the frame moves in corrected
   coordinates), exceeds ``CHANGE_Z`` times its noise (from frame-to-frame differences, i.e.
   from the data), the pixel is changing — the band the front sweeps, texture that evolves —
   and it is excluded with a margin (:mod:`~insitu_tem.analysis.movie.drift_change`, which
   keeps the block means of the last drifts so a drift's mask and static fraction share one
   pass over the movie).
2. Registration: every frame, high-passed (a Gaussian of ``HIGHPASS_PX`` subtracted, so the
   fixed illumination fall-off does not pin the shift at 0) and beam-normalised, is registered
   by weighted least squares (:mod:`~insitu_tem.analysis.movie.drift_matched`: matched-filter
   cross-correlation, regions that departed from the template left out, a covariance per
   shift). The first round registers on the first frame — searched within ``STEP_PX`` of the
   previous frame's shift, as drift is continuous — over the whole frame and over the pixels
   static in the uncorrected movie, and keeps whichever leaves more of the corrected movie
   static. Later rounds register each frame, near its current shift, on the mean of the other
   corrected frames (a template with √n less noise than one frame) over the static pixels.
3. The drift is also solved from frame pairs (:mod:`~insitu_tem.analysis.movie.drift_pairs`:
   every frame registered on the frames 1, 3, 9 and 27 before it without the band a front
   swept between them, a robust least-squares solution of all pairs). The template rounds
   (``ROUNDS - 1``) start from it when it leaves clearly (beyond 2σ) more of the corrected movie
   static between any two blocks of frames than the first round (a drift error between
   distant frames moves static texture), and the candidate kept is the latest within 2σ
   (binomial) of the largest static fraction: a later round that walked away from a good start
   is not kept. Every shift is relative to frame 0, so frame 0's covariance is added to every
   other frame's.
4. An iteration that has not converged is uncertain by what the round after the kept candidate
   (or, for the last, the kept round itself) moved; when the kept candidate leaves no pixel of
   the corrected movie static (the front sweeps the field and the texture behind it changes),
   nothing in the data ranks the candidates, and it is uncertain by its difference from each
   of the others too: the largest difference beyond noise is added to the covariance. Every
   frame is then registered on the previous one over the same static pixels, and the
   covariances are made consistent with these steps
   (:func:`~insitu_tem.analysis.movie.drift_consistency.check_consistency`): widened by the
   steps that disagree beyond the discrepancies' own scatter (their Birge ratio).
5. The Cramér-Rao covariance is the curvature of the correlation peak, a bound only when the
   peak is the template's and not one of the noise's (the threshold effect of maximum
   likelihood estimation; Van Trees 1968). When the kept registrations' median significance
   (the template's scale in the frame over its 1σ) is below ``Z_DETECT`` (Rose's criterion),
   they are not detections: the first round may have walked from frame 0 along noise peaks,
   the template rounds are made of frames aligned by it and look within ``STEP_PX`` of it, and
   the static fraction no longer ranks the candidates, so every candidate is an alternative;
   and when the movie left uncorrected is as static as the kept drift (within 2σ, and not
   empty), nothing in the data tells the drift from none: it is not determined (infinite
   covariance, ``ok`` False).

References
----------
Guizar-Sicairos, Thurman & Fienup, "Efficient subpixel image registration algorithms",
Opt. Lett. 33, 156 (2008).
Rose, "The sensitivity performance of the human eye on an absolute scale", J. Opt. Soc. Am.
38, 196 (1948).
Van Trees, *Detection, Estimation, and Modulation Theory*, Part I (Wiley, 1968).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift import (
    DriftResult,
    corrected_frame,
    iter_frames,
    measure_drift,
    weak_frames,
    weak_reason,
)
from insitu_tem.analysis.movie.drift_change import MARGIN_PX, ChangeTest, normalised
from insitu_tem.analysis.movie.drift_consistency import check_consistency, with_alternatives
from insitu_tem.analysis.movie.drift_matched import MatchedRegistration
from insitu_tem.analysis.movie.drift_pairs import pair_drift
from insitu_tem.analysis.movie.drift_registration import tukey

HIGHPASS_PX = 8.0
ROUNDS = 3
STEP_PX = 4.0
HELD_BYTES = 256 * 2**20
Z_DETECT = 5.0


def _highpass(frame: np.ndarray) -> np.ndarray:
    data = np.asarray(frame, dtype=np.float32)
    return data - ndimage.gaussian_filter(data, HIGHPASS_PX, mode="nearest")


def _held(movie) -> int:
    """How many frames' float32 images fit in ``HELD_BYTES``."""
    return HELD_BYTES // (4 * movie.shape[1] * movie.shape[2])


class _Images:
    """The registered image of every raw frame (beam-normalised, high-passed, float32),
    computed on first use and kept for the first frames that fit in ``HELD_BYTES`` (the others
    are computed again on every pass)."""

    def __init__(self, movie) -> None:
        self._kept: list[np.ndarray] = []
        self._held = _held(movie)

    def __call__(self, index: int, frame) -> np.ndarray:
        if index < len(self._kept):
            return self._kept[index]
        image = _highpass(normalised(frame))
        if index == len(self._kept) < self._held:
            self._kept.append(image)
        return image


def _template_total(movie, shifts, chunk: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sum of the corrected frames' images and those of the first frames that fit in
    ``HELD_BYTES``."""
    total, kept = np.zeros(movie.shape[1:]), []
    for i, frame in enumerate(iter_frames(movie, chunk=chunk)):
        image = _highpass(normalised(corrected_frame(frame, shifts[i])))
        total += image
        if i < _held(movie):
            kept.append(image)
    return total, kept


def _soft_weight(shape, mask) -> np.ndarray:
    window = np.outer(tukey(shape[0], 0.3), tukey(shape[1], 0.3))
    if mask is None:
        return window
    return window * np.clip(ndimage.gaussian_filter(mask.astype(float), 4.0), 0.0, 1.0)


def _register(movie, images, shifts, mask, upsample: int, chunk: int, should_stop):
    """Shift and covariance of every frame (its image from ``images``) against the template: the
    first frame when ``shifts`` is None (searched near the previous frame's shift), else the mean
    of the other corrected frames (searched near the current shift); on ``mask`` (all pixels
    when None), which is in frame-0 coordinates and follows each frame's shift."""
    n = movie.shape[0]
    registration = MatchedRegistration(movie.shape[1:], upsample=upsample)
    weight = _soft_weight(movie.shape[1:], mask)
    if shifts is None:
        first = registration.template_spectrum(images(0, movie[0]))
    else:
        total, corrected = _template_total(movie, shifts, chunk)
        total = registration.template_spectrum(total)
    refined, covariance = np.zeros((n, 2)), np.zeros((n, 2, 2))
    peaks, significance, near = np.ones(n), np.zeros(n), np.zeros(2)
    for i, frame in enumerate(iter_frames(movie, chunk=chunk)):
        if should_stop is not None and should_stop():
            return None
        if shifts is None:
            template = first
        else:
            near = shifts[i]
            own = (
                corrected[i]
                if i < len(corrected)
                else _highpass(normalised(corrected_frame(frame, near)))
            )
            template = (total - registration.template_spectrum(own)) / (n - 1)
        moved = ndimage.shift(weight, near, order=1, mode="constant")
        found = registration.measure_robust(
            images(i, frame), template, moved, near=near, radius=STEP_PX
        )
        refined[i], covariance[i], peaks[i] = found.shift_px, found.covariance_px2, found.peak
        significance[i] = found.significance
        near = found.shift_px if shifts is None else near
    return refined - refined[0], covariance + covariance[0], peaks, significance


def _frame_steps(movie, images, shifts, mask, upsample: int, chunk: int, should_stop):
    """Shift of every frame (its image from ``images``) relative to the previous one and its
    covariance, registered over ``mask`` (frame-0 coordinates, moved by ``shifts``) within
    ``STEP_PX`` of no step."""
    n = movie.shape[0]
    registration = MatchedRegistration(movie.shape[1:], upsample=upsample)
    weight = _soft_weight(movie.shape[1:], mask)
    steps, covariance = np.zeros((n, 2)), np.zeros((n, 2, 2))
    previous = None
    for i, frame in enumerate(iter_frames(movie, chunk=chunk)):
        if should_stop is not None and should_stop():
            return None
        current = images(i, frame)
        if previous is not None:
            moved = ndimage.shift(weight, shifts[i], order=1, mode="constant")
            found = registration.measure_robust(
                current,
                registration.template_spectrum(previous),
                moved,
                near=np.zeros(2),
                radius=STEP_PX,
            )
            steps[i], covariance[i] = found.shift_px, found.covariance_px2
        previous = current
    return steps, covariance


def _first_round(movie, images, change, uncorrected, upsample: int, chunk: int, should_stop):
    """Registration on the first frame, over the whole frame or on the pixels static in the
    uncorrected movie (``uncorrected``, None: none), whichever leaves more of the corrected
    movie static between consecutive blocks (a strong moving front drags the first; drift
    larger than the texture empties the second), and its static fraction between any two
    blocks (``change``: :class:`ChangeTest`)."""
    best, most = None, -1.0
    for mask in [None] if uncorrected is None else [None, uncorrected]:
        found = _register(movie, images, None, mask, upsample, chunk, should_stop)
        if found is None:
            return None
        static = change.static(found[0])
        fraction = 0.0 if static is None else float(static.mean())
        if fraction > most:
            best, most = found, fraction
    return best, change.fraction(best[0])


def measure_static_drift(
    movie,
    *,
    reference: str = "first",
    roi: tuple[int, int, int, int] | None = None,
    upsample: int = 20,
    min_peak: float = 0.02,
    chunk: int = 16,
    progress: Callable[[float, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DriftResult:
    """Rigid drift of every frame relative to frame 0 from the pixels that do not change.

    Parameters
    ----------
    movie : array_like
        (t, y, x) numpy or dask array.
    reference : {"first", "previous", "running"}
        Reference of :func:`measure_drift` inside ``roi``, or when no pixel is static.
    roi : tuple of int, optional
        (row0, row1, col0, col1) static region chosen by the user: the drift is then measured
        by :func:`measure_drift` on it.
    upsample, min_peak, chunk, progress, should_stop :
        As :func:`measure_drift`.

    Returns
    -------
    DriftResult
        ``reference`` reads ``"static"``; ``covariance_px2`` the 1σ of every shift (without a
        ROI), infinite when the data do not determine the drift; ``ok=False`` then, when a
        correlation coefficient is below ``min_peak`` or when the run was stopped.
    """
    report = progress or (lambda fraction, message: None)
    if roi is not None:
        return measure_drift(
            movie,
            reference=reference,
            roi=roi,
            upsample=upsample,
            min_peak=min_peak,
            chunk=chunk,
            progress=progress,
            should_stop=should_stop,
        )
    images = _Images(movie)
    found = _rounds(movie, images, upsample, chunk, should_stop, report)
    steps = None
    if found is not None:
        shifts, covariance, peaks, _, mask, deviations, determined = found
        steps = _frame_steps(movie, images, shifts, mask, upsample, chunk, should_stop)
    if steps is None:
        nan = np.full((movie.shape[0], 2), np.nan)
        return DriftResult(nan, np.full(movie.shape[0], np.nan), "static", False, "stopped")
    if not determined:
        reason = "registrations below detection and no more static than without drift"
        return DriftResult(shifts, peaks, "static", False, reason, np.full_like(covariance, np.inf))
    consistency = check_consistency(shifts, with_alternatives(covariance, deviations), *steps)
    weak = weak_frames(peaks, min_peak)
    reason = weak_reason(weak) if weak else ""
    return DriftResult(shifts, peaks, "static", not weak, reason, consistency.covariance_px2, weak)


def _tied(fractions: np.ndarray, pixels: int) -> np.ndarray:
    """The candidates whose static fraction is within ``2σ`` of the largest, σ binomial with one
    independent pixel per disc the change test dilates by (a smaller difference is the test's
    own scatter: the data cannot tell these candidates apart)."""
    best = float(fractions.max())
    independent = pixels / (np.pi * (MARGIN_PX + 2) ** 2)
    return fractions >= best - 2 * np.sqrt(best * (1 - best) / independent)


def _rounds(movie, images, upsample: int, chunk: int, should_stop, report):
    """Shifts, covariances, peaks, significances and the static mask (None: all pixels) of the
    candidate that leaves most of the corrected movie static, (k, t, 2) deviations from its
    shifts — how far the round after it moved them (an unconverged iteration is uncertain by that
    much) and the other candidates when it leaves no pixel static or its registrations are below
    detection (the static fraction cannot rank them) — and whether the data determine the drift
    (step 5 of the module's description); None when stopped."""
    uncorrected = ChangeTest(movie, smooth_px=4.0, chunk=chunk).mask(None)
    change = ChangeTest(movie, chunk=chunk)
    first = _first_round(movie, images, change, uncorrected, upsample, chunk, should_stop)
    report(1 / (ROUNDS + 1), "drift: registration on the first frame")
    paired = None
    if first is not None:
        paired = pair_drift(
            movie,
            _soft_weight(movie.shape[1:], None),
            images,
            upsample=upsample,
            chunk=chunk,
            should_stop=should_stop,
        )
    if paired is None:
        return None
    report(2 / (ROUNDS + 1), "drift: registration of frame pairs")
    found, fraction = first
    results, inputs = [(fraction, found, None)], [found[0]]
    paired_fraction = change.fraction(paired)
    pixels = movie.shape[1] * movie.shape[2]
    clearly = not _tied(np.array([paired_fraction, fraction]), pixels)[1]
    previous = paired if clearly else found[0]
    for k in range(1, ROUNDS):
        mask = change.mask(previous)
        found = _register(movie, images, previous, mask, upsample, chunk, should_stop)
        if found is None:
            return None
        if previous is paired:
            results.append((paired_fraction, (paired, *found[1:]), mask))
            inputs.append(paired)
        results.append((change.fraction(found[0]), found, mask))
        inputs.append(previous)
        previous = found[0]
        report((k + 2) / (ROUNDS + 1), f"drift: registration on static pixels {k}/{ROUNDS - 1}")
    fractions = np.array([r[0] for r in results])
    tied = _tied(fractions, pixels)
    kept = int(np.flatnonzero(tied)[-1])
    shifts = results[kept][1][0]
    after = results[kept + 1][1][0] if kept + 1 < len(results) else inputs[kept]
    blind = fractions[kept] == 0
    others = [after, *(r[1][0] for r, same in zip(results, tied) if same and blind)]
    determined = True
    if np.median(results[kept][1][3]) < Z_DETECT:
        others = [after, paired, *(r[1][0] for r in results)]
        still = change.fraction(np.zeros_like(shifts))
        determined = not (still > 0 and _tied(np.array([fractions[kept], still]), pixels)[1])
    return (*results[kept][1], results[kept][2], np.array(others) - shifts, determined)
