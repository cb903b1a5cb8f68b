"""The covariance of a drift made honest by the frame-to-frame registration.

Every shift ``d_i`` relative to frame 0 is measured on a template; its covariance is the
Cramér-Rao one for white noise, which assumes the template explains the frame. Where a moving
front or changing texture drags the registration, the shifts are wrong by more than that. An
iteration whose last round still moved a shift beyond noise has not converged, and a candidate
drift the data cannot tell from the kept one is as likely: the shift is uncertain by that
difference (:func:`with_alternatives`). The steps between consecutive frames are measured
independently, each frame registered on the one before it (they share nearly all of their content),
giving ``p_i`` with covariance ``P_i``. The discrepancies ``r_i = (d_i - d_{i-1}) - p_i`` have
the stated variance ``v_i = D_i + D_{i-1} + P_i`` (``D_i`` the frame's own covariance, without
frame 0's). Then

* the Birge ratio ``B² = median(r²/v) / 0.455`` (the median of χ² with one degree of freedom,
  at least 1) measures the scatter of the discrepancies beyond their stated variance — mostly
  that of the frame-to-frame steps, each registered on one noisy frame with the front moved a
  little, so it sets the scale of the test below and does not scale the drift's covariance
  (scaling it over-covered: on the fast movie subset the drift 1σ grew 2-3× where the errors
  were already within it);
* a step whose discrepancy exceeds ``CONSISTENCY_Z`` B √v on either axis is inconsistent — one
  of the two registrations followed something other than the specimen — and every later frame
  is uncertain by the sum ``c_i`` of the inconsistent discrepancies so far (either estimate may
  be the right one): ``c_i c_iᵀ`` is added to its covariance.

References
----------
Birge, "The calculation of errors by the method of least squares", Phys. Rev. 40, 207 (1932).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONSISTENCY_Z = 4.0
CHI2_MEDIAN = 0.4549


@dataclass(frozen=True)
class DriftConsistency:
    """Agreement of a drift with the frame-to-frame steps.

    Attributes
    ----------
    covariance_px2 : numpy.ndarray
        (t, 2, 2) covariance of every shift with the inconsistent steps, px².
    birge : float
        Scatter of the discrepancies over their stated 1σ (≥ 1), the scale of the test.
    inconsistent : numpy.ndarray
        (t,) bool, the steps into each frame that disagree with the frame-to-frame registration.
    offset_px : numpy.ndarray
        (t, 2) sum of the inconsistent discrepancies up to each frame, px.
    """

    covariance_px2: np.ndarray
    birge: float
    inconsistent: np.ndarray
    offset_px: np.ndarray


def with_alternatives(covariance_px2, deviations_px) -> np.ndarray:
    """The covariance plus ``δ δᵀ`` for every shift, ``δ`` the largest of its ``deviations_px``
    beyond ``CONSISTENCY_Z`` times its 1σ on either axis (a deviation within noise is already
    counted by the covariance).

    A deviation is another estimate of the same shift the data cannot reject: what the round
    after the kept one still moved (an iteration that has not converged), or a candidate drift
    that leaves as much of the corrected movie static (nothing in the movie tells which of the
    two follows the specimen).

    Parameters
    ----------
    covariance_px2 : array_like
        (t, 2, 2) covariance of the shifts, px².
    deviations_px : array_like
        (t, 2) or (k, t, 2) other estimates less the shifts, px.
    """
    covariance = np.asarray(covariance_px2, dtype=float)
    deviation = np.asarray(deviations_px, dtype=float).reshape(-1, *covariance.shape[:2])
    with np.errstate(invalid="ignore"):
        beyond = np.any(deviation**2 > CONSISTENCY_Z**2 * np.diagonal(covariance, 0, 1, 2), axis=2)
    moved = np.where(beyond[..., None], deviation, 0.0)
    largest = moved[
        np.argmax(np.hypot(moved[..., 0], moved[..., 1]), axis=0), np.arange(len(moved[0]))
    ]
    return covariance + largest[:, :, None] * largest[:, None, :]


def check_consistency(shifts_px, covariance_px2, steps_px, step_covariance_px2) -> DriftConsistency:
    """Compare a drift with the frame-to-frame steps and return its honest covariance.

    Parameters
    ----------
    shifts_px : array_like
        (t, 2) shifts relative to frame 0, px.
    covariance_px2 : array_like
        (t, 2, 2) their covariance, frame 0's own covariance added to every frame (frame 0's
        entry is twice its own), px².
    steps_px : array_like
        (t, 2) shift of every frame relative to the previous one (row 0 unused), px.
    step_covariance_px2 : array_like
        (t, 2, 2) covariance of the steps, px².
    """
    shifts = np.asarray(shifts_px, dtype=float)
    covariance = np.asarray(covariance_px2, dtype=float)
    own = covariance - covariance[0] / 2
    variance = np.diagonal(own[1:] + own[:-1] + np.asarray(step_covariance_px2)[1:], 0, 1, 2)
    discrepancy = np.diff(shifts, axis=0) - np.asarray(steps_px, dtype=float)[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = discrepancy**2 / variance
    finite = np.isfinite(variance) & (variance > 0) & np.isfinite(z2)
    birge2 = max(float(np.median(z2[finite])) / CHI2_MEDIAN, 1.0) if finite.any() else 1.0
    inconsistent = np.any(finite & (z2 > CONSISTENCY_Z**2 * birge2), axis=1)
    offset = np.vstack([np.zeros(2), np.cumsum(discrepancy * inconsistent[:, None], axis=0)])
    honest = covariance + offset[:, :, None] * offset[:, None, :]
    flags = np.concatenate([[False], inconsistent])
    return DriftConsistency(honest, float(np.sqrt(birge2)), flags, offset)
