"""Peak-pixel dose validation: the 1σ of the most-exposed pixel's cumulative dose (``dose`` →
``peak_pixel_cumulative_sigma_e_per_A2``) on randomised movies of a known illumination.

The generator shares nothing with the estimate: an illumination profile drawn from a round or
elliptical Gaussian probe (σ 3–40 px), a top hat with a soft rim (radius 8–50 px, rim 1–5 px), or
an even field with a vignetting fall-off (0–30 % to the corners), centred anywhere in the inner
half of a 64–128 px frame, moving (a scanning or drifting beam, 0–0.6 px a frame) or not; a beam
current drifting by up to ±30 % over the movie with 0–10 % frame-to-frame flicker; 0.3–300
electrons per pixel per frame at the profile's top, 5–40 frames; each pixel records Poisson
electrons × a conversion factor of 0.5–50 counts per electron. Truth: the largest expected
cumulative electrons of any pixel at the end of every fifth frame and the last. Two rows: the
statistical 1σ (counting and the peak estimate, the conversion factor exact), and the total 1σ
when the stated conversion factor is off by a draw from its stated relative 1σ (2–10 %); a third,
without target, is what was reported before: the largest pixel of the cumulative counts.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from insitu_tem.analysis.timeline.dose import frame_counts
from validation.stats import Measurement

TUNED_SEED, HELD_OUT_SEED = 6400, 16400
FAST, FULL = 24, 300


def _profile(rng, size: int, centre: np.ndarray) -> tuple[np.ndarray, str]:
    rows, cols = np.mgrid[:size, :size].astype(float)
    dr, dc = rows - centre[0], cols - centre[1]
    kind = ("probe", "top hat", "even")[rng.integers(3)]
    if kind == "probe":
        sr, sc = rng.uniform(3, 40) * rng.uniform(0.6, 1.0, 2)
        return np.exp(-0.5 * ((dr / sr) ** 2 + (dc / sc) ** 2)), kind
    if kind == "top hat":
        radius, rim = rng.uniform(8, 50), rng.uniform(1, 5)
        return 1 / (1 + np.exp((np.hypot(dr, dc) - radius) / rim)), kind
    fall = rng.uniform(0, 0.3)
    return 1 - fall * (dr**2 + dc**2) / (2 * (size / 2) ** 2), kind


def make_case(seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """A movie (t, y, x) of counts, the true peak cumulative electrons per frame, and the case's
    properties (conversion factor included)."""
    rng = np.random.default_rng(seed)
    size, frames = int(rng.integers(64, 129)), int(rng.integers(5, 41))
    start = rng.uniform(0.25, 0.75, 2) * size
    speed = (
        rng.uniform(0, 0.6)
        * rng.choice([0, 1])
        * np.array([np.cos(a := rng.uniform(0, 6.3)), np.sin(a)])
    )
    current = 1 + rng.uniform(-0.3, 0.3) * np.linspace(0, 1, frames)
    current *= 1 + rng.uniform(0, 0.1) * rng.standard_normal(frames)
    top = 10 ** rng.uniform(np.log10(0.3), np.log10(300))
    factor = 10 ** rng.uniform(np.log10(0.5), np.log10(50))
    expected = np.zeros((size, size))
    truth = np.empty(frames)
    movie = np.empty((frames, size, size))
    kind = ""
    for t in range(frames):
        profile, kind = _profile(np.random.default_rng(seed + 1), size, start + speed * t)
        electrons = top * max(current[t], 0.05) * np.clip(profile, 0, None)
        expected += electrons
        truth[t] = expected.max()
        movie[t] = factor * rng.poisson(electrons)
    props = {
        "electrons_per_px_frame": top,
        "counts_per_electron": factor,
        "frames": float(frames),
        "size_px": float(size),
        "moving": float(np.hypot(*speed) > 0),
        "profile": float(("probe", "top hat", "even").index(kind)),
    }
    return movie, truth, props


def corpus(first_seed: int, movies: int) -> list[Measurement]:
    """Peak cumulative electrons' errors against the statistical and the total 1σ."""
    statistical, total, largest = ([], [], {}), ([], [], {}), ([], [], {})
    for seed in range(first_seed, first_seed + movies):
        movie, truth, props = make_case(seed)
        factor = props["counts_per_electron"]
        rng = np.random.default_rng(seed + 7)
        relative = rng.uniform(0.02, 0.10)
        stated = factor * (1 + relative * rng.standard_normal())
        _, peak, sigma = frame_counts(movie, counts_per_electron=factor)
        frames = np.unique(np.r_[np.arange(4, truth.size, 5), truth.size - 1])
        stat_error = (peak / factor - truth)[frames] / truth[frames]
        stat_sigma = (sigma / factor)[frames] / truth[frames]
        _add(statistical, 100 * stat_error, 100 * stat_sigma, props)
        brightest = np.cumsum(np.clip(movie, 0, None), axis=0).max(axis=(1, 2))[frames]
        _add(largest, 100 * (brightest / factor / truth[frames] - 1), stat_sigma, props)
        peak_stated = peak[frames] / stated
        total_sigma = np.hypot(sigma[frames] / stated, relative * peak_stated)
        _add(
            total, 100 * (peak_stated / truth[frames] - 1), 100 * total_sigma / truth[frames], props
        )
    return [
        _measurement("peak-pixel cumulative dose, counting + peak estimate (`dose`)", statistical),
        _measurement("peak-pixel cumulative dose, with the calibration's 1σ (`dose`)", total),
        _measurement("largest pixel's cumulative count (before session 14; no 1σ)", largest),
    ]


def _add(rows, errors, sigmas, props) -> None:
    rows[0].append(errors)
    rows[1].append(sigmas)
    for name, value in props.items():
        rows[2].setdefault(name, []).append(np.full(errors.size, value))


def _measurement(name: str, rows) -> Measurement:
    stated = "no 1σ" not in name
    return Measurement(
        "dose",
        name,
        np.concatenate(rows[0]),
        np.concatenate(rows[1]) if stated else None,
        "%",
        coverage_range=(0.60, 0.75) if stated else None,
        covariates={key: np.concatenate(value) for key, value in rows[2].items()},
    )


def run(*, fast: bool) -> list[Measurement]:
    """Both rows on ``FAST`` or ``FULL`` movies from the tuned seeds, and (full run) as many
    held-out ones."""
    if fast:
        return corpus(TUNED_SEED, FAST)
    held = [replace(m, name=f"{m.name}, held out") for m in corpus(HELD_OUT_SEED, FULL)]
    return corpus(TUNED_SEED, FULL) + held
