"""EELS window-map validation: the per-pixel 1σ of the background-subtracted edge-window map of a
spectrum image (`eels --edge` → `maps_sigma`, the EELS panel's map readout) on generated images
with a known edge integral in every pixel.

Each image is 8 × 8 pixels drawn here: a power-law background A·E^-r whose level (10²–10⁴
counts per channel at the onset, a gradient times a smooth bump, 4× range across the image) and
exponent (2.5–4.5, ±0.3 across the image) vary over the pixels, plus a saw-tooth edge at 60–400
eV (jump 0–50 % of the background, a round particle in a thinner matrix) decaying over 30 % of
the onset, 0.05–0.5 eV per channel, Poisson counts. Half the images also record the zero-loss
peak (Gaussian of 0.5–1.5 eV FWHM, 10³ times the onset level, each pixel shifted by up to ±0.5
eV with its whole spectrum) and are integrated, as the panel does, after alignment on the ZLP.
The window and the power-law fit window are those of :mod:`validation.eels_window`. Truth: the
edge's expected counts in the window. The background term of the 1σ (the fit's parameter
covariance extrapolated under the window, one error common to the window's channels) is also
shown left out, for comparison (no target).
"""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.eels.pipeline import analyse_low_loss
from insitu_tem.analysis.eels.windows import channel_weights, integrate_window
from insitu_tem.core.model import Axis
from validation.stats import Measurement

FIRST_SEED = 13700
FAST = 4
FULL = 40
SIDE = 8


def _maps(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Background level (relative), exponent offset and edge fraction per pixel, (SIDE, SIDE)."""
    row, col = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = 0.5 + 1.5 * (0.5 + 0.5 * (np.cos(angle) * (row - 0.5) + np.sin(angle) * (col - 0.5)))
    bump = np.exp(-((row - rng.uniform()) ** 2 + (col - rng.uniform()) ** 2) / 0.2)
    level = gradient * (1 + bump)
    exponent = rng.uniform(-0.3, 0.3) * (row - 0.5) + rng.uniform(-0.3, 0.3) * (col - 0.5)
    centre, radius = rng.uniform(0.2, 0.8, 2), rng.uniform(0.2, 0.45)
    inside = (row - centre[0]) ** 2 + (col - centre[1]) ** 2 <= radius**2
    fraction = np.where(inside, rng.uniform(0.1, 0.5), rng.uniform(0.0, 0.1))
    return level, exponent, fraction


def make_image(seed: int) -> dict:
    """Axis, counts (SIDE, SIDE, channels), windows, the true edge integral per pixel, whether it
    has a ZLP, and properties."""
    rng = np.random.default_rng(seed)
    dispersion, onset = rng.uniform(0.05, 0.5), rng.uniform(60.0, 400.0)
    with_zlp = bool(seed % 2)
    start = -5.0 if with_zlp else 0.6 * onset
    stop = onset + min(0.2 * onset, 50.0) + 5.0
    axis = Axis("E", int((stop - start) / dispersion), dispersion, start, "eV")
    level_map, exponent_map, fraction = _maps(rng)
    level, exponent = 10 ** rng.uniform(2.0, 4.0), rng.uniform(2.5, 4.5)
    shifts = rng.uniform(-0.5, 0.5, (SIDE, SIDE)) if with_zlp else np.zeros((SIDE, SIDE))
    e = axis.coordinates()[None, None, :] - shifts[..., None]
    scale = (level * level_map / level_map.max())[..., None]
    background = scale * (np.maximum(e, 0.5 * onset) / onset) ** -(
        exponent + exponent_map[..., None]
    )
    edge = np.where(e >= onset, fraction[..., None] * scale, 0.0) * np.exp(
        -(e - onset) / (0.3 * onset)
    )
    expected = background + edge
    if with_zlp:
        sigma = rng.uniform(0.5, 1.5) / np.sqrt(8 * np.log(2))
        expected = expected + 1e3 * level * np.exp(-0.5 * (e / sigma) ** 2)
    high = onset - max(2.5, 0.02 * onset)
    window = (onset, onset + min(0.2 * onset, 50.0))
    e0 = axis.coordinates()
    true_edge = np.where(e0 >= onset, 1.0, 0.0) * np.exp(-(e0 - onset) / (0.3 * onset))
    weights = channel_weights(axis, window)
    return {
        "axis": axis,
        "counts": rng.poisson(expected).astype(float),
        "window": window,
        "fit_window": (high - float(np.clip(0.15 * onset, 3.0, 40.0)), high),
        "truth": (fraction * scale[..., 0]) * float(true_edge @ weights),
        "with_zlp": with_zlp,
        "props": {
            "counts_at_onset": scale[..., 0],
            "dispersion_eV": np.full((SIDE, SIDE), dispersion),
            "with_zlp": np.full((SIDE, SIDE), float(with_zlp)),
        },
    }


def _integrate(case: dict):
    """The window map as the EELS workflow makes it: on ZLP-aligned counts when there is a ZLP."""
    counts = case["counts"]
    if case["with_zlp"]:
        low_loss = analyse_low_loss(counts, case["axis"])
        counts = low_loss.aligned.array
    result = integrate_window(
        counts, case["axis"], case["window"], background_window=case["fit_window"]
    )
    weights = channel_weights(case["axis"], case["window"])
    chi2 = np.asarray(result.background.chi2_reduced).reshape(result.counts.shape)
    inflation = np.maximum(np.nan_to_num(chi2, nan=1.0), 1.0)
    poisson = np.sqrt(np.clip(counts, 0.0, None) @ weights**2 * inflation)
    return result, poisson


def corpus(first_seed: int, images: int) -> list[Measurement]:
    """Per-pixel window-map errors against their 1σ, and against the Poisson term alone."""
    errors, sigmas, poisson, covariates = [], [], [], {}
    for seed in range(first_seed, first_seed + images):
        case = make_image(seed)
        result, noise_only = _integrate(case)
        errors.append((result.counts - case["truth"]).ravel())
        sigmas.append(result.counts_sigma.ravel())
        poisson.append(noise_only.ravel())
        for name, value in case["props"].items():
            covariates.setdefault(name, []).append(value.ravel())
    errors, covariates = (
        np.concatenate(errors),
        {k: np.concatenate(v) for k, v in covariates.items()},
    )
    name = "EELS window map, per pixel of 8×8 spectrum images (power-law background)"
    return [
        Measurement(
            "eels_window_map", name, errors, np.concatenate(sigmas), "counts", covariates=covariates
        ),
        Measurement(
            "eels_window_map",
            f"{name}, 1σ without the background-fit term (comparison)",
            errors,
            np.concatenate(poisson),
            "counts",
            coverage_range=None,
            covariates=covariates,
        ),
    ]


def run(*, fast: bool) -> list[Measurement]:
    """The window map on ``FAST`` or ``FULL`` random spectrum images."""
    return corpus(FIRST_SEED, FAST if fast else FULL)
