"""Which step of the front tracker makes the movie rows' median (not part of the report).

``python -m validation.movie_split DIR [CORPUS]`` reads the corpus cache
(:mod:`validation.movie_cache`, built in ``DIR``; ``CORPUS`` one of its corpora, default
``tuned``), tracks every cached kymograph again with the tracker as it is (drift, tilt and
kymograph as cached) and splits the error ``e`` of every frame :mod:`validation.movie` scores
into four parts, from the generator's truth:

* **trajectory** — the position read from the trajectory less the frame's own erf fit (step 6
  of the tracker);
* **levels** — the frame's own fit less the same erf fit (started from it) to the reacted
  fraction made with the true levels: the kymographs of the generator's noise-free pristine and
  reacted frames (:meth:`MoviePlan.expected_counts`: beam, illumination, changing texture, PSF)
  sampled at the measured drift, so everything but the levels is as the tracker saw it;
* **drift** — minus the measured drift's error along the line at the front
  (:func:`validation.movie_causes.drift_error_along`);
* **rest** — the true-level fit's error less the drift part: the erf model, the noise and the
  width average's contrast weighting.

The parts add up to ``e``. Over the frames whose ``|e|`` lies between its quartiles (the central
half, which sets the median) it prints each part's median ``|·|``, how many frames it is the
largest part of, and the corpus median with each part removed. Frames whose true-level fit
fails (no fit, or ``|error| > FAILED_PX``) are left out of the split.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from insitu_tem.analysis.movie.front import track_front
from insitu_tem.analysis.movie.front_line import with_drift_error
from insitu_tem.analysis.movie.front_profile import fit_profile
from insitu_tem.analysis.movie.front_trajectory import along_trajectory
from validation.movie import _frame_scores
from validation.movie_cache import CORPORA, band, load
from validation.movie_cases import plan_movie
from validation.movie_causes import drift_error_along
from validation.movie_floor import _direction

PARTS = ("trajectory", "levels", "drift", "rest")
FAILED_PX = 20.0


def true_level_positions(entry: dict, seed: int, own, width) -> np.ndarray:
    """(n_frames,) the erf fit, started from ``own`` / ``width``, to the reacted fraction of the
    cached kymograph with the true per-frame levels at the measured drift; NaN without a fit."""
    movie, analysis = entry["movie"], entry["analysis"]
    plan = plan_movie(seed, frames=movie.movie.shape[0])[0]
    sampling, shifts = analysis.kymograph.sampling, np.asarray(analysis.drift.shifts_px, float)
    frames = range(movie.movie.shape[0])
    pristine, reacted, clean = (
        band(np.stack([plan.expected_counts(i, state=state) for i in frames]), sampling, shifts)
        .mean(-1)
        .astype(float)
        for state in ("pristine", "reacted", None)
    )
    recorded = np.asarray(analysis.kymograph.image, float)
    contrast = np.where(np.abs(reacted - pristine) > 0, reacted - pristine, np.nan)
    variance = np.sum((recorded - clean) ** 2) / np.sum(clean) * clean
    phi, sigma = (recorded - pristine) / contrast, np.sqrt(variance) / np.abs(contrast)
    direction = _direction(clean, pristine, reacted)
    position = np.full(len(frames), np.nan)
    for t in np.flatnonzero(np.isfinite(own) & np.isfinite(width)):
        fit = fit_profile(
            phi[t], sigma[t], direction=direction, start=(own[t], width[t]), interval=False
        )
        position[t] = np.nan if fit is None else fit.position
    return position


def movie_parts(entry: dict, seed: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Errors (px) of the frames :mod:`validation.movie` scores in one cached movie, tracked
    again, and their four parts (:data:`PARTS`, NaN where the true-level fit failed)."""
    analysis, movie = entry["analysis"], entry["movie"]
    kymo = analysis.kymograph
    frames = with_drift_error(
        track_front(kymo.image, polarity="auto", follows_specimen=True),
        kymo.sampling,
        analysis.drift,
    )
    track = along_trajectory(frames)
    tracked = SimpleNamespace(track=track, kymograph=kymo, drift=analysis.drift)
    errors, _, scored, _ = _frame_scores(movie, tracked)
    fitted = np.asarray(frames.position, float)
    own = fitted[scored]
    true_level = true_level_positions(entry, seed, fitted, np.asarray(frames.width, float))
    true_level = true_level[scored]
    drift = drift_error_along({**entry, "analysis": tracked})[scored]
    failed = ~(np.abs(true_level - movie.truth[scored]) <= FAILED_PX)
    true_level[failed] = np.nan
    parts = {
        "trajectory": np.asarray(track.position, float)[scored] - own,
        "levels": own - true_level,
        "drift": -drift,
        "rest": true_level - movie.truth[scored] + drift,
    }
    return errors, parts


def central_split(errors: np.ndarray, parts: dict[str, np.ndarray]) -> str:
    """The split of the frames in the central half of ``|errors|`` as a Markdown table."""
    known = np.all([np.isfinite(v) for v in parts.values()], axis=0)
    size = np.abs(errors[known])
    values = {k: v[known] for k, v in parts.items()}
    low, high = np.percentile(size, [25, 75])
    central = (size >= low) & (size <= high)
    largest = np.argmax([np.abs(v[central]) for v in values.values()], axis=0)
    lines = [
        f"{known.sum()} of {errors.size} frames split, median |e| {np.median(size):.3f} px; "
        f"central half {central.sum()} frames, |e| {low:.2f}-{high:.2f} px",
        "| part | median abs, central half | largest part in | corpus median without it |",
        "|---|---|---|---|",
    ]
    for i, (name, value) in enumerate(values.items()):
        lines.append(
            f"| {name} | {np.median(np.abs(value[central])):.3f} px | {np.sum(largest == i)} "
            f"| {np.median(np.abs(errors[known] - value)):.3f} px |"
        )
    return "\n".join(lines)


def split(directory: Path, label: str) -> str:
    """:func:`central_split` over every movie of corpus ``label`` in the cache ``directory``."""
    first, count = CORPORA[label]
    errors, parts = [], {k: [] for k in PARTS}
    for seed in range(first, first + count):
        if not (Path(directory) / f"{seed}.pkl").exists():
            continue
        e, p = movie_parts(load(directory, seed), seed)
        errors.append(e)
        for k in PARTS:
            parts[k].append(p[k])
    return central_split(np.concatenate(errors), {k: np.concatenate(v) for k, v in parts.items()})


if __name__ == "__main__":
    print(split(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "tuned"))
