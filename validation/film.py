"""Film strain validation: the 1σ of the film thickness and strain per frame (``film.thickness``)
on randomised movies of an expanding film with known edges.

The generator shares nothing with the edge fit: a horizontal film band (start thickness 30–70 px,
tilted up to ±8°) between two edges, each blurred by an erf of 0.5–4 px and rough along the edge
(two sinusoids, 0–2 px, period 6–40 px, static or evolving frame to frame); the film expands by
0–10 % over the movie (linear, √t or a sigmoid), split at random between its two edges. The film
and both sides have their own levels (each side 20–80 % above or below the film's at the start;
the film's may darken or brighten by up to 40 % as it
reacts, reversing an edge's contrast), a static texture (0–8 %, correlation 1–4 px) moves with
the specimen, the beam fades up to 20 %, and the specimen drifts (linear + random walk, up to
~6 px). Rendered 2× supersampled and binned, Poisson noise at 50–1000 counts/px, 20–60 frames of
128 × 96 px. The movie then goes the way of the workflow: drift measured
(:func:`~insitu_tem.analysis.movie.drift.measure_drift`), the kymograph along a vertical line
across the film (21 px wide) following it, :func:`film_thickness`. Truth: each edge's row
averaged over the line's width, in the first frame's coordinates; the true strain is the true
thickness over its mean in the first three frames, minus 1.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import ndimage
from scipy.special import ndtr

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.movie.film_thickness import film_thickness
from insitu_tem.analysis.movie.kymograph import kymograph
from validation.stats import Measurement

TUNED_SEED, HELD_OUT_SEED = 5200, 15200
FAST, FULL = 4, 50
ROWS, COLS, WIDTH, SUPERSAMPLE = 128, 96, 21, 2
LINE_RC = ((8.0, 48.0), (120.0, 48.0))


def _growth(rng, frames: int) -> np.ndarray:
    u = np.linspace(0, 1, frames)
    shape = rng.integers(3)
    if shape == 0:
        return u
    if shape == 1:
        return np.sqrt(u)
    centre, steep = rng.uniform(0.3, 0.7), rng.uniform(5, 20)
    curve = 1 / (1 + np.exp(-steep * (u - centre)))
    return (curve - curve[0]) / (curve[-1] - curve[0])


def _roughness(rng, frames: int, cols: np.ndarray) -> np.ndarray:
    """(frames, cols) edge displacement, px."""
    amplitude = rng.uniform(0, 2.0) * rng.dirichlet((1, 1))
    period = rng.uniform(6, 40, 2)
    phase = rng.uniform(0, 2 * np.pi, 2)
    evolving = rng.random() < 0.5
    rate = rng.normal(0, 0.3, 2) if evolving else np.zeros(2)
    t = np.arange(frames)[:, None]
    return sum(
        amplitude[k] * np.sin(2 * np.pi * cols[None, :] / period[k] + phase[k] + rate[k] * t)
        for k in range(2)
    )


def _drift(rng, frames: int) -> np.ndarray:
    velocity = rng.uniform(-0.1, 0.1, 2)
    walk = np.cumsum(rng.normal(0, rng.uniform(0, 0.25), (frames, 2)), axis=0)
    drift = np.arange(frames)[:, None] * velocity + walk
    return drift - drift[0]


def _edges(rng, frames: int, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """(frames, cols) rows of the top and bottom edge in specimen coordinates, and properties."""
    thickness = rng.uniform(30, 70)
    centre = ROWS / 2 + rng.uniform(-8, 8)
    slope = np.tan(np.radians(rng.uniform(-8, 8)))
    expansion = rng.uniform(0, 0.10)
    share = rng.uniform(0, 1)
    grow = expansion * thickness * _growth(rng, frames)[:, None]
    tilt = slope * (cols[None, :] - LINE_RC[0][1])
    top = centre - thickness / 2 - share * grow + tilt + _roughness(rng, frames, cols)
    bottom = centre + thickness / 2 + (1 - share) * grow + tilt + _roughness(rng, frames, cols)
    return top, bottom, {"expansion_percent": 100 * expansion, "thickness_px": thickness}


def make_case(seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """A movie (t, y, x) counts, the true edge positions along the line (t, 2) px and the case's
    properties."""
    rng = np.random.default_rng(seed)
    frames = int(rng.integers(20, 61))
    pad = 12
    fine_cols = (np.arange(SUPERSAMPLE * (COLS + 2 * pad)) + 0.5) / SUPERSAMPLE - 0.5 - pad
    top, bottom, props = _edges(rng, frames, fine_cols)
    blur = rng.uniform(0.5, 4.0)
    film0 = rng.uniform(0.3, 1.0)
    above, below = (film0 * (1 + rng.choice([-1, 1]) * rng.uniform(0.2, 0.8)) for _ in range(2))
    film1 = film0 * rng.uniform(0.6, 1.4)
    texture = ndimage.gaussian_filter(
        rng.standard_normal((SUPERSAMPLE * (ROWS + 2 * pad), fine_cols.size)),
        SUPERSAMPLE * rng.uniform(1, 4),
    )
    texture *= rng.uniform(0, 0.08) / max(texture.std(), 1e-12)
    dose = 10 ** rng.uniform(np.log10(50), 3)
    fade = 1 - rng.uniform(0, 0.2) * np.linspace(0, 1, frames)
    shifts = _drift(rng, frames)
    reacted = _growth(rng, frames)
    fine_rows = (np.arange(SUPERSAMPLE * ROWS) + 0.5) / SUPERSAMPLE - 0.5
    movie = np.empty((frames, ROWS, COLS))
    for t in range(frames):
        dy, dx = shifts[t]
        cols = np.arange(SUPERSAMPLE * COLS) + SUPERSAMPLE * (pad - dx)
        index = np.clip(np.round(cols).astype(int), 0, fine_cols.size - 1)
        rows = fine_rows[:, None] - dy
        film = film0 + (film1 - film0) * reacted[t]
        scene = (
            above
            + (film - above) * ndtr((rows - top[t, index]) / blur)
            + (below - film) * ndtr((rows - bottom[t, index]) / blur)
        )
        coords = np.meshgrid(SUPERSAMPLE * (rows[:, 0] + 0.5 + pad) - 0.5, cols, indexing="ij")
        scene *= 1 + ndimage.map_coordinates(texture, coords, order=1, mode="nearest")
        binned = scene.reshape(ROWS, SUPERSAMPLE, COLS, SUPERSAMPLE).mean(axis=(1, 3))
        movie[t] = rng.poisson(dose * fade[t] * np.clip(binned, 0.02, None))
    strip = np.abs(fine_cols - LINE_RC[0][1]) <= WIDTH / 2
    truth = np.stack([top[:, strip].mean(1), bottom[:, strip].mean(1)], axis=1) - LINE_RC[0][0]
    props.update(
        dose=dose,
        edge_width_px=blur,
        frames=float(frames),
        drift_px=float(np.abs(shifts).max()),
    )
    return movie, truth, props


def measure(movie: np.ndarray):
    """What the film-thickness workflow does: drift, kymograph across the film, both edges."""
    drift = measure_drift(movie)
    shifts = drift.shifts_px if drift.ok else None
    image = kymograph(movie, np.asarray(LINE_RC), width=WIDTH, shifts_px=shifts).image
    return film_thickness(image)


def corpus(first_seed: int, movies: int) -> list[Measurement]:
    """Per-frame thickness and strain errors against their 1σ over ``movies`` random movies."""
    rows = {"length": ([], [], {}), "strain": ([], [], {})}
    missed = {"length": 0, "strain": 0}
    for seed in range(first_seed, first_seed + movies):
        movie, truth, props = make_case(seed)
        result = measure(movie)
        if not result.ok:
            missed["length"] += movie.shape[0]
            missed["strain"] += movie.shape[0]
            continue
        length = truth[:, 1] - truth[:, 0]
        strain = length / length[:3].mean() - 1
        for key, error, sigma in (
            ("length", result.length_px - length, result.length_sigma_px),
            ("strain", 100 * (result.strain - strain), 100 * result.strain_sigma),
        ):
            use = np.isfinite(error) & np.isfinite(sigma)
            missed[key] += int(np.count_nonzero(~use))
            errors, sigmas, covariates = rows[key]
            errors.append(error[use])
            sigmas.append(sigma[use])
            for name, value in props.items():
                covariates.setdefault(name, []).append(np.full(int(use.sum()), value))
    names = {
        "length": ("film thickness per frame along the line (`film.thickness`)", "px"),
        "strain": ("film strain per frame (`film.thickness` → strain)", "%"),
    }
    return [
        Measurement(
            "film",
            names[key][0],
            np.concatenate(rows[key][0]),
            np.concatenate(rows[key][1]),
            names[key][1],
            n_not_measured=missed[key],
            covariates={n: np.concatenate(v) for n, v in rows[key][2].items()},
        )
        for key in ("strain", "length")
    ]


def run(*, fast: bool) -> list[Measurement]:
    """Strain and thickness on ``FAST`` or ``FULL`` movies from the tuned seeds, and (full run)
    as many held-out ones."""
    if fast:
        return corpus(TUNED_SEED, FAST)
    tuned = corpus(TUNED_SEED, FULL)
    held = [replace(m, name=f"{m.name}, held out") for m in corpus(HELD_OUT_SEED, FULL)]
    return tuned + held
