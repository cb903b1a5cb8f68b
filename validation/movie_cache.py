"""A cache of the movie corpus for experiments on the front tracker (not part of the report).

``python -m validation.movie_cache DIR`` renders every corpus movie (tuned and the seven held-out
corpora), runs the shipped front analysis on it once and stores, per movie, the frames,
the truth, the shipped analysis and the drift-corrected band the tracker reads — frames × samples
along the line × offsets across its width, bilinear as :func:`kymograph` samples it (its mean
over the last axis is the kymograph) — so a tracker that reads the band can be re-run and scored
in seconds, as :mod:`validation.movie` scores frames (:func:`score`; the shipped analysis scored
from the cache reproduces the report's rows to the digit). ~500 MB for the 120 movies; ~25 s of CPU
per movie to build, on an unloaded core.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from scipy import ndimage

from validation.movie import (
    FIFTH_HELD_OUT_SEED,
    FIRST_SEED,
    FOURTH_HELD_OUT_SEED,
    FULL,
    HELD_OUT_SEED,
    SECOND_HELD_OUT_MOVIES,
    SECOND_HELD_OUT_SEED,
    SEVENTH_HELD_OUT_SEED,
    SIXTH_HELD_OUT_SEED,
    THIRD_HELD_OUT_SEED,
    _frame_scores,
    track,
)
from validation.movie_cases import make_movie

CORPORA = {
    "tuned": (FIRST_SEED, FULL[0]),
    "held-out": (HELD_OUT_SEED, FULL[0]),
    "second": (SECOND_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
    "third": (THIRD_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
    "fourth": (FOURTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
    "fifth": (FIFTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
    "sixth": (SIXTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
    "seventh": (SEVENTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES),
}


def band(movie: np.ndarray, sampling, shifts: np.ndarray) -> np.ndarray:
    """(frames, samples, offsets) intensities of the band (the kymograph before its mean)."""
    shape = (sampling.distance_px.size, sampling.offsets_px.size)
    return np.stack(
        [
            ndimage.map_coordinates(
                np.asarray(frame, np.float32), sampling.coordinates(shift), order=1, mode="nearest"
            ).reshape(shape)
            for frame, shift in zip(movie, shifts)
        ]
    )


def score(entry: dict, position, sigma) -> tuple[np.ndarray, np.ndarray, int]:
    """Errors (px) and 1σ of the frames :mod:`validation.movie` scores for per-frame
    ``position`` / ``sigma`` (NaN: not reported) of a cached movie, and how many frames with the
    front on the line are not measured."""
    track = SimpleNamespace(position=position, position_sigma=sigma)
    errors, sigmas, _, missed = _frame_scores(entry["movie"], SimpleNamespace(track=track))
    return errors, sigmas, missed


def load(directory: Path, seed: int) -> dict:
    """The cached entry of ``seed``: ``movie``, ``analysis`` and ``band``."""
    return pickle.loads((Path(directory) / f"{seed}.pkl").read_bytes())


def build(directory: Path, *, frames: int = FULL[1]) -> None:
    """Write ``<seed>.pkl`` for every corpus movie not already in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for first, count in CORPORA.values():
        for seed in range(first, first + count):
            path = directory / f"{seed}.pkl"
            if path.exists():
                continue
            movie = make_movie(seed, frames=frames)
            analysis = track(movie)
            shifts = analysis.drift.shifts_px
            entry = {
                "movie": movie,
                "analysis": analysis,
                "band": band(movie.movie, analysis.kymograph.sampling, shifts),
            }
            path.write_bytes(pickle.dumps(entry))
            print(seed, flush=True)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
