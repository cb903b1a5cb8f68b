"""Why a kymograph shows no step-like front, with the numbers of the test it failed.

A front is found when at least four samples change beyond their noise with the moving edge's
sign, in order along the line (:func:`~insitu_tem.analysis.movie.front_states.order_evidence`).
The reason says how many changed, with and against that sign, their order z-score, and the
strongest change against the threshold, and gives only the advice those numbers support.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_states import (
    ORDER_Z,
    change_points,
    change_threshold,
    initial_beam,
    order_evidence,
)

NO_STEP = "no step-like front found along the line"
MIN_CHANGED = 4
END_FRACTION = 0.25


def no_front_reason(image: np.ndarray, *, polarity: int | None) -> str:
    """The reason a (frames, samples) kymograph ``image`` has no front, starting with
    ``NO_STEP``: the samples that change with the front's sign and against it, their order
    z-score against ``ORDER_Z``, and advice. ``polarity`` fixes the sign as in
    :func:`~insitu_tem.analysis.movie.front_states.order_evidence` (None: the moving edge's)."""
    _, sign, _, changed, order = order_evidence(image, polarity=polarity)
    _, step, z = change_points(image / initial_beam(image)[:, None])
    threshold = change_threshold(image.shape[0])
    against = int(np.sum((z > threshold) & (np.sign(step) == -sign)))
    found = (
        f"{int(changed.sum())} of {changed.size} samples change beyond {threshold:.1f}σ of "
        f"their noise with the front's sign, {against} against it"
    )
    if np.isfinite(order):
        found += (
            f", in order at {order:.1f}σ: the other way from its moving edge"
            if order <= -ORDER_Z
            else f", in order at {order:.1f}σ < {ORDER_Z:g}σ"
        )
    return f"{NO_STEP} ({found}): {_advice(changed, against, z)}"


def _advice(changed: np.ndarray, against: int, z: np.ndarray) -> str:
    """What the user can do, from the counts and the change z-scores ``z`` per sample."""
    n_changed = int(changed.sum())
    if n_changed + against < MIN_CHANGED:
        return (
            f"fewer than {MIN_CHANGED} samples change beyond their noise (the strongest at "
            f"{np.max(z):.1f}σ): widen the band to lower the noise where the front lies square "
            "across the line, or check that the front crosses it"
        )
    if 2 * against >= n_changed:
        return (
            "many samples change against the front's sign, as texture that changes or drift "
            "left by the correction makes them; check the drift correction and that the front "
            "crosses the line"
        )
    samples = np.flatnonzero(changed)
    strong = samples[z[samples] >= np.median(z[samples])]
    span = END_FRACTION * changed.size
    if strong[-1] - strong[0] < span and (strong[0] == 0 or strong[-1] == changed.size - 1):
        return (
            f"its strongest changes lie at the line's end (samples {strong[0]}–{strong[-1]} of "
            f"{changed.size}); lengthen the line past that end if the front lies beyond it"
        )
    return "check that the front crosses the line"
