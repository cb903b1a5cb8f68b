"""Front velocity validation: the 1σ of the fitted and the measured velocity on randomised front
tracks with known kinetics.

A track is drawn here, not by the tracker: ``x(t) = k (t - t0)^n`` (n 0.3–1, t0 up to a quarter
of the run after the start, 30–80 frames 0.2–2 s apart, travel 20–220 units) read with a stated
1σ per frame (0.1–1.5, varying ±30 % from frame to frame) and errors that are either white or
serially correlated (AR(1), ρ 0.3–0.9: a frozen level, a drift error), some scattering 1.5× beyond
the stated σ. Truth is the law's derivative. Two measurements:

* measured velocity (Savitzky–Golay derivative of the positions), every frame at least three
  frames after t0 (the derivative of a kink is not a velocity);
* fitted velocity ``k n (t - t0)^(n-1)`` from :func:`fit_kinetics` with independent errors
  (white-error tracks), every fifth frame with a stated 1σ — this checks the propagation of the
  fit's covariance; the covariance itself is checked through n on the movie corpus.

The movies themselves (tracker + kinetics) are not run here: tracking is ~20 s per movie.
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.movie.kinetics import fit_kinetics, measured_velocity
from insitu_tem.analysis.movie.velocity import fitted_velocity_sigma, measured_velocity_sigma
from validation.stats import Measurement

FIRST_SEED = 9300
FAST = 12
FULL = 600


def make_track(seed: int) -> dict:
    """Times, true positions and velocities, stated σ, measured positions and properties."""
    rng = np.random.default_rng(seed)
    frames = int(rng.integers(30, 81))
    t = np.arange(frames) * rng.uniform(0.2, 2.0)
    n = rng.uniform(0.3, 1.0)
    t0 = rng.uniform(-0.05, 0.25) * t[-1]
    k = rng.uniform(20, 220) / (t[-1] - t0) ** n
    elapsed = np.clip(t - t0, 1e-12, None)
    truth = k * np.where(t > t0, elapsed, 0.0) ** n
    velocity = np.where(t > t0, k * n * elapsed ** (n - 1), 0.0)
    sigma = rng.uniform(0.1, 1.5) * np.exp(rng.normal(0, 0.3, frames))
    rho = rng.choice([0.0, 0.0, 0.3, 0.6, 0.9])
    excess = rng.choice([1.0, 1.0, 1.5])
    noise = rng.standard_normal(frames)
    errors = np.empty(frames)
    errors[0] = noise[0]
    for i in range(1, frames):
        errors[i] = rho * errors[i - 1] + np.sqrt(1 - rho**2) * noise[i]
    return {
        "t": t,
        "t0": t0,
        "velocity": velocity,
        "sigma": sigma,
        "x": truth + errors * sigma * excess,
        "props": {"rho": rho, "excess": excess, "n": n, "frames": float(frames)},
    }


def _collect(rows: list, covariates: dict, errors, sigmas, props) -> None:
    rows.append((errors, sigmas))
    for name, value in props.items():
        covariates.setdefault(name, []).append(np.full(errors.size, value))


def corpus(first_seed: int, tracks: int) -> list[Measurement]:
    """The measured- and fitted-velocity errors against their 1σ over ``tracks`` tracks."""
    measured, fitted, measured_cov, fitted_cov, not_fitted = [], [], {}, {}, 0
    for seed in range(first_seed, first_seed + tracks):
        track = make_track(seed)
        t, x, sigma, truth = track["t"], track["x"], track["sigma"], track["velocity"]
        v = measured_velocity(t, x)
        s = measured_velocity_sigma(t, x, sigma)
        use = np.isfinite(s) & (t > track["t0"] + 3 * (t[1] - t[0]))
        _collect(measured, measured_cov, (v - truth)[use], s[use], track["props"])
        if track["props"]["rho"] > 0:
            continue
        fit = fit_kinetics(t, x, sigma=sigma)
        if not fit.ok:
            not_fitted += 1
            continue
        s = fitted_velocity_sigma(fit, t)
        use = np.flatnonzero(np.isfinite(s) & (s > 0))[::5]
        _collect(fitted, fitted_cov, (fit.velocity(t) - truth)[use], s[use], track["props"])
    return [
        _measurement("measured front velocity (Savitzky–Golay)", measured, measured_cov, 0),
        _measurement("fitted front velocity (power law)", fitted, fitted_cov, not_fitted),
    ]


def _measurement(name: str, rows: list, covariates: dict, missed: int) -> Measurement:
    return Measurement(
        "velocity",
        name,
        np.concatenate([r[0] for r in rows]),
        np.concatenate([r[1] for r in rows]),
        "units/s",
        n_not_measured=missed,
        covariates={key: np.concatenate(value) for key, value in covariates.items()},
    )


def run(*, fast: bool) -> list[Measurement]:
    """Both velocity measurements on ``FAST`` or ``FULL`` random tracks."""
    return corpus(FIRST_SEED, FAST if fast else FULL)
