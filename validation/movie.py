"""**Reaction fronts in in situ movies.** Movies rendered by `validation/movie_generator.py`
(an image-formation model written without the tracker's code) and drawn at random by
`validation/movie_cases.py`: reacted side darker or brighter; front normal at up to ±60° to the
line, moving either way along it; roughness 0–5 px RMS with periods 8–80 px (static or
evolving); diffuse width from sharp to ~8 px (10–90 %); smooth texture on both sides (0–60 % of
the phase contrast, correlation 1–5 px), the reacted side's static or changing; power-law
kinetics with n = 0.3–1 (65 %) or stalls and reversals (35 %); fronts entering and leaving the
line; beam current falling by up to 30 % (or rising 10 %) with 1 % flicker; non-uniform
illumination; PSF 0.5–1.5 px; Poisson noise at 50–1000 counts/px; drift up to 12 px with a
random walk and jitter up to 0.6 px. Each movie runs through `analyse_front` as the `front`
command runs it with `--drift-correct`.

Truth is the width-averaged front position along the line: where a straight sharp front would
leave the same reacted area inside the line's band (length × width), in frame-0 specimen
coordinates. Frames whose front lies outside the line and for which the tracker still reports
a position count as errors; frames with the front on the line but reported absent count as not
measured. The kinetic exponent is scored on the power-law movies only. The corpus is seeds
1000–1023; the full run adds 24 movies held out from the first tuning of the tracker
(2000–2023) and 12 drawn only after the matched-filter drift and the change-point states
were added (3000–3011), 12 first drawn in session 25, after every tracker change so far
(4000–4011), 12 drawn in session 25b and first looked at in session 27 (5000–5011), and 12
drawn in session 28 and looked at once there (6000–6011, the fifth held-out corpus), and 12
drawn in session 29 and looked at once there (7000–7011, the sixth held-out corpus), and 12
drawn in session 30 and looked at once there (8000–8011, the seventh held-out corpus), on their
own rows. The full run also gives every movie's error budget
(:mod:`validation.movie_floor`, informative rows without targets): the tracker on the true
drift (ii); with the true drift and the true per-frame levels, by the shipped erf fit (iii) and
as an area-equivalent position (iv), (iv) on the noise-free frames (the width average's own
bias), and from the band's rows, each read as an area (v, :mod:`validation.movie_rows`); the
Cramér–Rao bound of the pixels the kymograph reads, everything but the position
known; and n fitted to the true positions plus independent draws of each stage's errors.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.front_line import analyse_front
from insitu_tem.core.model import Axis
from validation.movie_cases import SHAPE, make_movie, plan_movie
from validation.movie_floor import floor_measurements, movie_budget
from validation.stats import Measurement

FULL = (24, 60)
FAST = (8, 40)
EDGE_PX = 1.0
FIRST_SEED = 1000
HELD_OUT_SEED = 2000
SECOND_HELD_OUT_SEED = 3000
SECOND_HELD_OUT_MOVIES = 12
THIRD_HELD_OUT_SEED = 4000
FOURTH_HELD_OUT_SEED = 5000
FIFTH_HELD_OUT_SEED = FOURTH_HELD_OUT_SEED + 1000
SIXTH_HELD_OUT_SEED = FIFTH_HELD_OUT_SEED + 1000
SEVENTH_HELD_OUT_SEED = SIXTH_HELD_OUT_SEED + 1000
KEEP = ("dose", "diffuse_width_px", "roughness_px", "texture_to_contrast", "angle_deg", "drift_px")


def track(movie):
    """The public analysis as the ``front`` CLI runs it (drift-corrected, default options)."""
    axes = (Axis("y", SHAPE[0]), Axis("x", SHAPE[1]))
    return analyse_front(
        movie.movie,
        movie.line_rc,
        axes=axes,
        times=movie.times,
        width=movie.width,
        drift_reference="first",
    )


def _frame_scores(movie, analysis) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    length = movie.properties["length_px"]
    position = np.asarray(analysis.track.position, float)
    sigma = np.asarray(analysis.track.position_sigma, float)
    on_line = (movie.truth > EDGE_PX) & (movie.truth < length - EDGE_PX)
    reported = np.isfinite(position)
    scored = reported & (on_line | (movie.truth < -EDGE_PX) | (movie.truth > length + EDGE_PX))
    missed = int(np.sum(on_line & ~reported))
    return (position - movie.truth)[scored], sigma[scored], scored, missed


def run(*, fast: bool, first_seed: int | None = None) -> list[Measurement]:
    """Front positions per frame and kinetic exponents per movie over the random corpus; the full
    run adds the six held-out corpora on their own rows. ``first_seed`` runs only the corpus
    drawn from that seed (``FULL`` movies)."""
    if fast:
        return corpus(FIRST_SEED, *FAST, "", floor=False)
    if first_seed is not None:
        return corpus(first_seed, *FULL, "")
    return [
        *corpus(FIRST_SEED, *FULL, ""),
        *corpus(HELD_OUT_SEED, *FULL, " — held-out"),
        *corpus(SECOND_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — second held-out"),
        *corpus(THIRD_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — third held-out"),
        *corpus(FOURTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — fourth held-out"),
        *corpus(FIFTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — fifth held-out"),
        *corpus(SIXTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — sixth held-out"),
        *corpus(SEVENTH_HELD_OUT_SEED, SECOND_HELD_OUT_MOVIES, FULL[1], " — seventh held-out"),
    ]


def corpus(
    first_seed: int, movies: int, frames: int, label: str, *, floor: bool = True
) -> list[Measurement]:
    """The two measurements over ``movies`` movies drawn from seeds ``first_seed`` on, and
    with ``floor`` the error budget's informative rows (:mod:`validation.movie_floor`)."""
    budgets = []
    errors, sigmas, covariates, missed = [], [], {}, 0
    n_errors, n_sigmas, n_covariates, n_missed = [], [], {}, 0
    for seed in range(movies):
        movie = make_movie(first_seed + seed, frames=frames)
        analysis = track(movie)
        if floor:
            budgets.append(
                movie_budget(plan_movie(first_seed + seed, frames=frames)[0], movie, analysis)
            )
        error, sigma, scored, miss = _frame_scores(movie, analysis)
        errors.append(error)
        sigmas.append(sigma)
        missed += miss
        for name, value in movie.properties.items():
            covariates.setdefault(name, []).append(np.full(error.size, value))
        if np.isfinite(movie.n):
            if analysis.fit.ok:
                n_errors.append(analysis.fit.n - movie.n)
                n_sigmas.append(analysis.fit.n_stderr)
                for name, value in {"n": movie.n, **movie.properties}.items():
                    n_covariates.setdefault(name, []).append(value)
            else:
                n_missed += 1
    position = Measurement(
        "movie",
        "front position along a line" + label,
        np.concatenate(errors),
        np.concatenate(sigmas),
        "px",
        median_max=0.5,
        p95_max=1.5,
        n_not_measured=missed,
        covariates={k: np.concatenate(covariates[k]) for k in KEEP},
    )
    exponent = Measurement(
        "movie",
        "kinetic exponent n" + label,
        np.array(n_errors),
        np.array(n_sigmas),
        "",
        median_max=0.02,
        p95_max=0.05,
        n_not_measured=n_missed,
        covariates={
            k: np.array(n_covariates[k]) for k in ("n", "dose", "roughness_px") if k in n_covariates
        },
    )
    return [position, exponent, *(floor_measurements(budgets, label) if floor else [])]
