"""How costs grow: drift per frame vs frame size, drift vs frame count, radial profiles vs pattern
size.

Ratios here are against our own smallest case (the scaling factor), not a peer.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.movie.drift import measure_drift
from insitu_tem.analysis.diffraction.radial import radial_integrator

from ._timing import best_time


def textured_movie(n_frames: int, size: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    texture = ndimage.gaussian_filter(rng.random((size, size)), 2.0) * 1000
    shifts = np.cumsum(rng.normal(0, 0.4, size=(n_frames, 2)), axis=0)
    frames = [ndimage.shift(texture, s, order=1, mode="wrap") for s in shifts]
    return rng.poisson(np.clip(np.stack(frames), 0, None)).astype(np.uint16)


def drift_vs_size() -> list[dict]:
    rows, base = [], None
    for size in (256, 512, 1024, 2048):
        movie = textured_movie(6, size)
        per_frame = best_time(lambda: measure_drift(movie), repeats=1)[0] / len(movie)
        base = base or per_frame
        rows.append(
            {
                "name": f"drift per frame, {size}²",
                "ours_s": per_frame,
                "peer": None,
                "peer_s": None,
                "notes": (
                    f"x{per_frame / base:.1f} the 256² cost for x{(size / 256) ** 2:.0f} the pixels"
                ),
            }
        )
    return rows


def drift_vs_count() -> list[dict]:
    rows, base = [], None
    for count in (8, 32, 128):
        movie = textured_movie(count, 256)
        total = best_time(lambda: measure_drift(movie), repeats=1)[0]
        base = base or total / 8
        rows.append(
            {
                "name": f"drift, {count} frames of 256²",
                "ours_s": total,
                "peer": None,
                "peer_s": None,
                "notes": (
                    f"{total / count * 1e3:.1f} ms/frame ({total / count / base:.2f}x the 8-frame "
                    "rate)"
                ),
            }
        )
    return rows


def radial_vs_size() -> list[dict]:
    rows = []
    rng = np.random.default_rng(1)
    for size in (64, 128, 256, 512):
        patterns = rng.random((46, size, size))
        integrator = radial_integrator((size, size), centre_rc=(size / 2, size / 2))
        elapsed = best_time(lambda: integrator.profiles(patterns), repeats=3)[0]
        rows.append(
            {
                "name": f"radial profiles, 46 patterns {size}²",
                "ours_s": elapsed,
                "peer": None,
                "peer_s": None,
                "notes": f"{elapsed / (46 * size * size) * 1e9:.2f} ns per pixel",
            }
        )
    return rows


def run() -> list[dict]:
    return drift_vs_size() + drift_vs_count() + radial_vs_size()
