"""Drift validation: the 1σ of every shift ``insitu-tem drift`` reports, on randomised movies of a
static specimen with known drift.

The generator shares nothing with the registration: a specimen is a sum of smooth random fields
of two correlation lengths (1–6 px and 4× that) with contrast 3–30 %, sampled 2× supersampled
at specimen coordinates moved by the true drift (linear + random walk + jitter, up to 8 px) with
cubic splines, binned, blurred by a PSF (0.5–1.2 px), lit by a beam that fades up to 20 % and
recorded with Poisson noise at 50–1000 counts/px. Frames are 64–160 px square; the reference
mode is drawn from the three the command offers. Every frame but the first (error 0 by
definition) gives two errors, dy and dx, scored against their stated 1σ. Errors of one movie are
correlated (through the reference frame), so coverage is read over many movies.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift import REFERENCES, measure_drift
from validation.stats import Measurement

FIRST_SEED = 7100
FAST = (12, 6)
FULL = (80, 10)
SUPERSAMPLE = 2


def _specimen(rng, size: int, corr: float) -> np.ndarray:
    fine = ndimage.gaussian_filter(rng.standard_normal((size, size)), corr, mode="wrap")
    coarse = ndimage.gaussian_filter(rng.standard_normal((size, size)), 4 * corr, mode="wrap")
    field = fine / fine.std() + 0.7 * coarse / coarse.std()
    return field / field.std()


def _true_drift(rng, frames: int) -> np.ndarray:
    velocity = rng.uniform(-0.8, 0.8, 2)
    walk = np.cumsum(rng.normal(0, rng.uniform(0, 0.4), (frames, 2)), axis=0)
    jitter = rng.normal(0, rng.uniform(0, 0.4), (frames, 2))
    drift = np.arange(frames)[:, None] * velocity + walk + jitter
    return drift - drift[0]


def make_case(seed: int, *, frames: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """A movie (t, y, x) counts, its true shifts (t, 2) px and its properties."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(64, 161))
    corr = rng.uniform(1.0, 6.0)
    props = {
        "dose": 10 ** rng.uniform(np.log10(50), 3),
        "contrast": rng.uniform(0.03, 0.3),
        "corr_px": corr,
        "psf_px": rng.uniform(0.5, 1.2),
        "size_px": float(size),
    }
    pad = 24
    specimen = _specimen(rng, SUPERSAMPLE * (size + 2 * pad), SUPERSAMPLE * corr)
    truth = _true_drift(rng, frames)
    fade = 1 - rng.uniform(0, 0.2) * np.linspace(0, 1, frames)
    grid = np.mgrid[0 : SUPERSAMPLE * size, 0 : SUPERSAMPLE * size] + 0.5
    movie = np.empty((frames, size, size))
    for i, shift in enumerate(truth):
        coords = [grid[k] + SUPERSAMPLE * (pad - shift[k]) - 0.5 for k in range(2)]
        fine = ndimage.map_coordinates(specimen, coords, order=3, mode="wrap")
        image = fine.reshape(size, SUPERSAMPLE, size, SUPERSAMPLE).mean(axis=(1, 3))
        image = ndimage.gaussian_filter(image, props["psf_px"])
        expected = props["dose"] * fade[i] * np.clip(1 + props["contrast"] * image, 0.05, None)
        movie[i] = rng.poisson(expected)
    return movie, truth, props


def corpus(first_seed: int, movies: int, frames: int) -> Measurement:
    """Errors of every measured shift component against its 1σ over ``movies`` movies."""
    errors, sigmas, covariates, missed = [], [], {}, 0
    for k in range(movies):
        movie, truth, props = make_case(first_seed + k, frames=frames)
        reference = REFERENCES[k % len(REFERENCES)]
        result = measure_drift(movie, reference=reference)
        if not result.ok:
            missed += frames - 1
            continue
        error = (result.shifts_px - truth)[1:].ravel()
        errors.append(error)
        sigmas.append(result.sigma_px[1:].ravel())
        props = {**props, "reference": float(REFERENCES.index(reference))}
        for name, value in props.items():
            covariates.setdefault(name, []).append(np.full(error.size, value))
    return Measurement(
        "drift",
        "drift shift per frame and axis (`drift`)",
        np.concatenate(errors),
        np.concatenate(sigmas),
        "px",
        n_not_measured=missed,
        covariates={name: np.concatenate(values) for name, values in covariates.items()},
    )


def run(*, fast: bool) -> list[Measurement]:
    """The drift shifts' coverage on ``FAST`` or ``FULL`` (movies, frames) random movies."""
    movies, frames = FAST if fast else FULL
    return [corpus(FIRST_SEED, movies, frames)]
