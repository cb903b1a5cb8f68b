"""Which frames make the movie rows' median and 95th percentile, by cause (not part of the report).

``python -m validation.movie_causes DIR`` reads the corpus cache (:mod:`validation.movie_cache`,
built in ``DIR``), scores the shipped analysis of every movie as :mod:`validation.movie` does and
puts every scored frame in the first class of :data:`CAUSES` that applies to it, from the
generator's truth and draws: the front off the line (reported although it has left it or not
entered it), the measured drift erring along the line by more than 1 px at the tracked front,
the front still before it first moves, the front within 6 px of an end of the line, a reversal
or stall of an irregular movie, the reacted side's texture changing, a diffuse front (≥ 5 px),
a rough front (≥ 2.5 px RMS), anything else. Per corpus it prints, per class, the frames, their
median |error|, how many err by more than 1.5 px (the 95th percentile's target) and beyond the
corpus' 95th percentile, and their ±1σ coverage — the error budget of docs/movie.md, session 15.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from validation.movie import _frame_scores
from validation.movie_cache import CORPORA, load

CAUSES = (
    "front off the line",
    "drift error > 1 px",
    "front still before it moves",
    "within 6 px of an end",
    "reversal or stall",
    "reacted texture changing",
    "diffuse front >= 5 px",
    "rough front >= 2.5 px",
    "other",
)
DRIFT_PX = 1.0
END_PX = 6.0
DIFFUSE_PX = 5.0
ROUGH_PX = 2.5


def drift_error_along(entry: dict) -> np.ndarray:
    """(n_frames,) error of the measured drift along the line at the tracked front, px (the
    direction the front's 1σ takes the drift's covariance in: tangent less shear × normal)."""
    analysis = entry["analysis"]
    sampling = analysis.kymograph.sampling
    position = np.asarray(analysis.track.position, float)
    index = np.clip(np.nan_to_num(np.round(position)), 0, sampling.normals_rc.shape[0] - 1)
    normal = sampling.normals_rc[index.astype(int)]
    along = np.column_stack([-normal[:, 1], normal[:, 0]]) - sampling.shear * normal
    error = np.asarray(analysis.drift.shifts_px, float) - np.asarray(entry["movie"].shifts, float)
    return np.einsum("ni,ni->n", along, error)


def frame_causes(entry: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """|error| (px), 1σ, frame index and cause of every frame :mod:`validation.movie` scores in
    a cached movie's shipped analysis."""
    movie = entry["movie"]
    errors, sigmas, scored, _ = _frame_scores(movie, entry["analysis"])
    scored = np.flatnonzero(scored)
    truth, props = movie.truth, movie.properties
    drift = np.abs(drift_error_along(entry))
    velocity = np.gradient(truth)
    forward = np.sign(truth[-1] - truth[0]) or 1.0
    slow = 0.05 * np.median(np.abs(velocity))
    length = props["length_px"]
    causes = []
    for t in scored:
        tests = (
            truth[t] < 1 or truth[t] > length - 1,
            drift[t] > DRIFT_PX,
            bool(np.all(truth[: t + 2] == truth[0])),
            min(truth[t], length - truth[t]) < END_PX,
            bool(props["irregular"]) and velocity[t] * forward <= slow,
            bool(props["texture_changing"]),
            props["diffuse_width_px"] >= DIFFUSE_PX,
            props["roughness_px"] >= ROUGH_PX,
            True,
        )
        causes.append(CAUSES[tests.index(True)])
    return np.abs(errors), sigmas, scored, causes


def table(directory: Path, first: int, count: int) -> str:
    """The budget of one corpus (seeds ``first`` … ``first + count - 1``) as a Markdown table."""
    errors, sigmas, causes = [], [], []
    for seed in range(first, first + count):
        e, s, _, c = frame_causes(load(directory, seed))
        errors.append(e)
        sigmas.append(s)
        causes += c
    error, sigma, cause = np.concatenate(errors), np.concatenate(sigmas), np.array(causes)
    p95 = float(np.percentile(error, 95))
    lines = [
        f"{error.size} frames, median {np.median(error):.3f} px, 95th {p95:.2f} px",
        "| cause | frames | median px | > 1.5 px | > 95th | within 1σ |",
        "|---|---|---|---|---|---|",
    ]
    for name in CAUSES:
        m = cause == name
        if m.any():
            lines.append(
                f"| {name} | {m.sum()} | {np.median(error[m]):.2f} | {np.sum(error[m] > 1.5)} "
                f"| {np.sum(error[m] > p95)} | {100 * np.mean(error[m] <= sigma[m]):.0f} % |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    for label, (first, count) in CORPORA.items():
        print(f"\n{label}: {table(Path(sys.argv[1]), first, count)}")
