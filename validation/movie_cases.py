"""Random draws of in situ front movies over every property a real one varies in (see
:mod:`validation.movie_generator` for the image formation and the truth)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from validation.movie_generator import (
    FrontScene,
    SyntheticMovie,
    normal_position_for,
    record,
    render_frame,
    _texture,
    _unit,
)

SHAPE = (128, 128)
PAD = 24
PURE = 1e6


def _line(rng) -> tuple[np.ndarray, float]:
    length = rng.uniform(40, 64)
    direction = _unit(rng.uniform(0, 2 * np.pi))
    centre = np.array(SHAPE) / 2 + rng.uniform(-4, 4, 2)
    return np.array([centre - direction * length / 2, centre + direction * length / 2]), length


def _roughness(rng) -> tuple[tuple[np.ndarray, ...], float]:
    period = rng.uniform(8, 80)
    rms = 0.0 if rng.random() < 0.2 else rng.uniform(0.3, 5.0)
    rms = min(rms, 0.8 * period / (2 * np.pi) / np.sqrt(2))
    weights = np.array([1.0, 0.5, 0.25])
    amps = weights * rms / np.sqrt(np.sum(weights**2) / 2)
    wavenumbers = 2 * np.pi / period * np.array([1.0, 2.3, 4.1])
    return (amps, wavenumbers, rng.uniform(0, 2 * np.pi, 3)), rms


def draw_scene(rng) -> tuple[FrontScene, dict]:
    """A random film, front geometry, texture and illumination."""
    line, length = _line(rng)
    along = (line[1] - line[0]) / length
    angle = rng.uniform(-60, 60)
    normal = _unit(np.arctan2(along[0], along[1]) + np.radians(angle)) * rng.choice([-1, 1])
    roughness, rms = _roughness(rng)
    t_p = rng.uniform(0.5, 0.9)
    ratio = rng.uniform(0.55, 0.9) if rng.random() < 0.5 else rng.uniform(1.12, 1.6)
    contrast = abs(ratio - 1) * 2 / (1 + ratio)
    texture_amp = tuple(rng.uniform(0, 0.6) * contrast for _ in range(2))
    corr = rng.uniform(1, 5)
    padded = (SHAPE[0] + 2 * PAD, SHAPE[1] + 2 * PAD)
    textures = tuple(_texture(rng, padded, corr) for _ in range(3))
    rows, cols = np.indices(SHAPE)
    centre = np.array(SHAPE) / 2 + rng.uniform(-30, 30, 2)
    falloff = rng.uniform(0, 0.15)
    illumination = (
        1 - falloff * ((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2) / (SHAPE[0] / 2) ** 2
    )
    sigma_w = 0.0 if rng.random() < 0.25 else rng.uniform(0.3, 3.2)
    scene = FrontScene(
        SHAPE,
        line,
        rng.uniform(9, 25),
        normal,
        roughness,
        rng.choice([0.0, rng.uniform(0, 0.05)]),
        sigma_w,
        (t_p, t_p * ratio),
        texture_amp,
        bool(rng.random() < 0.5),
        textures,
        np.clip(illumination, 0.5, 1),
    )
    properties = {
        "length_px": length,
        "angle_deg": abs(angle),
        "roughness_px": rms,
        "period_px": 2 * np.pi / roughness[1][0],
        "diffuse_width_px": 2.563 * sigma_w,
        "polarity": float(np.sign(ratio - 1)),
        "texture_to_contrast": max(texture_amp) / contrast,
        "contrast": contrast,
    }
    return scene, properties


def power_law_positions(rng, times: np.ndarray, length: float) -> tuple[np.ndarray, float]:
    """Width-averaged positions following ``p0 + k (t - t0)^n`` (entering/leaving the line)."""
    duration = times[-1] - times[0]
    n = rng.uniform(0.3, 1.0)
    t0 = times[0] + rng.uniform(-0.05, 0.25) * duration
    p0 = rng.uniform(-0.2, 0.3) * length
    travel = rng.uniform(0.5, 1.1) * length
    k = travel / (times[-1] - t0) ** n
    return p0 + k * np.clip(times - t0, 0, None) ** n, n


def irregular_positions(rng, times: np.ndarray, length: float) -> np.ndarray:
    """Piecewise-constant velocity with stalls and reversals (n undefined)."""
    frames = times.size
    velocity = np.empty(frames)
    start = 0
    while start < frames:
        stop = start + int(rng.integers(4, 15))
        kind = rng.choice(["move", "stall", "reverse"], p=[0.6, 0.25, 0.15])
        speed = rng.uniform(0.4, 1.5) * length / frames * 1.5
        velocity[start:stop] = {"move": speed, "stall": 0.0, "reverse": -0.5 * speed}[kind]
        start = stop
    steps = np.concatenate([[0.0], np.cumsum(velocity[1:])])
    return rng.uniform(-0.2, 0.4) * length + steps


def _drift(rng, frames: int) -> tuple[np.ndarray, float, float]:
    total = rng.uniform(0, 12)
    jitter = rng.uniform(0, 0.6)
    linear = np.outer(np.linspace(0, 1, frames), _unit(rng.uniform(0, 2 * np.pi)) * total)
    walk = np.cumsum(rng.normal(0, 0.1, (frames, 2)), axis=0)
    shifts = linear + walk - walk[0] + rng.normal(0, jitter, (frames, 2))
    return shifts - shifts[0], total, jitter


@dataclass(frozen=True)
class MoviePlan:
    """Everything drawn for one movie before its frames are recorded: the scene, the truth and
    the acquisition (drift, beam, dose, PSF, the changing texture's turn)."""

    scene: FrontScene
    times: np.ndarray
    truth: np.ndarray
    n: float
    shifts: np.ndarray
    beam: np.ndarray
    dose: float
    psf: float
    turn: float
    properties: dict

    def intensity(self, i: int, s: float) -> np.ndarray:
        """Noise-free intensity of frame ``i`` (drift, beam, illumination) with the front at
        normal position ``s``, before the detector."""
        mix = self.turn * i / max(self.times.size - 1, 1)
        return render_frame(self.scene, s, self.times[i], mix, self.shifts[i]) * self.beam[i]

    def normal_position(self, i: int) -> float:
        """The front's normal position ``s`` in frame ``i`` (from the truth)."""
        return normal_position_for(self.scene, self.truth[i], self.times[i])

    def expected_counts(self, i: int, *, s: float | None = None, state: str | None = None):
        """Mean recorded counts of frame ``i`` (PSF-blurred, no Poisson noise): the front at
        normal position ``s`` (default: the truth's), or every pixel in ``state`` ("pristine"
        or "reacted")."""
        if state is not None:
            s = {"pristine": -PURE, "reacted": PURE}[state]
        elif s is None:
            s = self.normal_position(i)
        blurred = ndimage.gaussian_filter(self.intensity(i, s), self.psf, mode="nearest")
        return np.clip(blurred, 0, None) * self.dose


def plan_movie(seed: int, *, frames: int) -> tuple[MoviePlan, np.random.Generator]:
    """The draws of :func:`make_movie` for ``seed``, and the generator left for its noise."""
    rng = np.random.default_rng(seed)
    scene, properties = draw_scene(rng)
    times = np.arange(frames) * rng.uniform(0.2, 2.0)
    length = properties["length_px"]
    if rng.random() < 0.65:
        truth, n = power_law_positions(rng, times, length)
    else:
        truth, n = irregular_positions(rng, times, length), np.nan
    if (scene.line_rc[1] - scene.line_rc[0]) @ scene.normal < 0:
        truth = length - truth
    truth = np.clip(truth, -0.5 * length, 1.5 * length)
    shifts, drift, jitter = _drift(rng, frames)
    dose = float(np.exp(rng.uniform(np.log(50), np.log(1000))))
    beam = 1 - rng.uniform(-0.1, 0.3) * np.linspace(0, 1, frames) + rng.normal(0, 0.01, frames)
    psf = rng.uniform(0.5, 1.5)
    turn = rng.uniform(0.5, 2.0) * np.pi / 2
    properties.update(
        dose=dose,
        drift_px=drift,
        jitter_px=jitter,
        psf_px=psf,
        texture_changing=float(scene.texture_changing),
        irregular=float(np.isnan(n)),
    )
    plan = MoviePlan(scene, times, truth, n, shifts, beam, dose, psf, turn, properties)
    return plan, rng


def make_movie(seed: int, *, frames: int) -> SyntheticMovie:
    """One random movie with its truth positions (px along the line) and n (NaN if undefined)."""
    plan, rng = plan_movie(seed, frames=frames)
    movie = np.empty((frames, *SHAPE), np.float32)
    for i in range(frames):
        intensity = plan.intensity(i, plan.normal_position(i))
        movie[i] = record(intensity, dose=plan.dose, psf_sigma=plan.psf, rng=rng)
    return SyntheticMovie(
        movie,
        plan.times,
        plan.scene.line_rc,
        plan.scene.width,
        plan.truth,
        plan.n,
        plan.shifts,
        plan.properties,
    )
