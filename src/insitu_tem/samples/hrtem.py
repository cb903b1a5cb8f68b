"""Sample (b): an HRTEM movie of WO3 while the reaction front crosses the field.

The 12.8 nm field (256 × 256 px, 0.05 nm/px, 300 kV) sits on the film at movie
pixel (128, 180) of :data:`EXPERIMENT`. Monoclinic γ-WO3 is seen down [001]:
(200) at 3.653 Å and (020) at 3.770 Å, 90° apart, with their second orders.
The intercalation front (the movie's front law) turns it into cubic LixWO3
(a = 3.72 Å, ReO3-type, [001]: (100), (010)); a conversion front trailing 6 nm
behind turns that into amorphous W + Li2O (a band-pass texture near 3 Å).
Both fronts are vertical lines moving along +x (columns). The specimen drifts
slowly; intensities are Poisson counts (mean 100 per px).

``write(folder)`` writes ``hrtem_movie.tif`` (ImageJ TYX, uint16, calibrated)
and ``hrtem_movie.truth.json`` with, per frame, the phases and their spacings,
the front columns, the crystalline fraction, the lattice rotation and the drift.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import tifffile

from insitu_tem.samples.experiment import EXPERIMENT

NAME = "hrtem_movie"
PIXEL_NM = 0.05
SHAPE = (256, 256)
N_FRAMES = 24
FRAME_INTERVAL_S = 0.15
START_S = 25.9
FIELD_CENTRE_RC = (128.0, 180.0)
CONVERSION_LAG_NM = 6.0
BOUNDARY_WIDTH_NM = 0.4
MEAN_COUNTS = 100.0
ROTATION_DEG = 12.0
ROTATION_RATE_DEG = 0.04
DRIFT_PX_PER_FRAME = (0.15, 0.3)
AMORPHOUS_D_NM = 0.30
SEED = 20240404

WO3_CELL = {"a": 7.306, "b": 7.540, "c": 7.692, "beta_deg": 90.88}
LIXWO3_A = 3.72


def wo3_spacings_A() -> dict[str, float]:
    """γ-WO3 [001]-zone spacings from the monoclinic cell (b unique), Å."""
    beta = math.radians(WO3_CELL["beta_deg"])
    return {"200": WO3_CELL["a"] * math.sin(beta) / 2, "020": WO3_CELL["b"] / 2}


PHASES = {
    "WO3": {"d_A": wo3_spacings_A(), "angle_deg": 90.0},
    "LixWO3": {"d_A": {"100": LIXWO3_A, "010": LIXWO3_A}, "angle_deg": 90.0},
}
ORDERS = {(1, 0): 1.0, (0, 1): 1.0, (1, 1): 0.45, (1, -1): 0.45, (2, 0): 0.25, (0, 2): 0.25}


def basis_vectors(
    d_nm: tuple[float, float], *, angle_deg: float, rotation_deg: float
) -> np.ndarray:
    """Two reciprocal basis vectors as rows (g_row, g_col), 1/nm.

    ``rotation_deg`` is the direction of the first, counter-clockwise from +x
    with y up; the second is ``angle_deg`` further round.
    """
    rows = []
    for d, theta in zip(d_nm, (rotation_deg, rotation_deg + angle_deg)):
        t = math.radians(theta)
        rows.append((-math.sin(t) / d, math.cos(t) / d))
    return np.array(rows)


def lattice_fringes(
    shape: tuple[int, int],
    basis: np.ndarray,
    *,
    pixel_nm: float,
    contrast: float,
    rng: np.random.Generator,
    shift_px: tuple[float, float] = (0.0, 0.0),
    orders: dict[tuple[int, int], float] = ORDERS,
) -> np.ndarray:
    """Relative intensity modulation of a 2-D lattice: Σ c·w_hk·cos(2π g_hk·r + φ_hk).

    Parameters
    ----------
    shape : tuple of int
        (rows, cols) px.
    basis : numpy.ndarray
        (2, 2) reciprocal basis, rows (g_row, g_col), 1/nm.
    pixel_nm : float
        Pixel size, nm.
    contrast : float
        Amplitude of the first-order fringes (relative to the mean).
    rng : numpy.random.Generator
        Draws the fringe phases.
    shift_px : tuple of float
        Specimen translation (row, col), px.
    orders : dict
        (h, k) -> relative amplitude.
    """
    rows = (np.arange(shape[0]) - shift_px[0])[:, None] * pixel_nm
    cols = (np.arange(shape[1]) - shift_px[1])[None, :] * pixel_nm
    phases = rng.uniform(0, 2 * np.pi, len(orders))
    out = np.zeros(shape)
    for ((h, k), weight), phase in zip(orders.items(), phases):
        g = h * basis[0] + k * basis[1]
        out += contrast * weight * np.cos(2 * np.pi * (g[0] * rows + g[1] * cols) + phase)
    return out


def lattice_image(
    shape: tuple[int, int],
    d_nm: tuple[float, float],
    *,
    pixel_nm: float,
    angle_deg: float = 90.0,
    rotation_deg: float = 0.0,
    counts: float = MEAN_COUNTS,
    contrast: float = 0.1,
    rng: np.random.Generator,
    orders: dict[tuple[int, int], float] = ORDERS,
) -> np.ndarray:
    """A noisy HRTEM image of one crystal: Poisson counts of ``counts·(1 + fringes)``, float64."""
    basis = basis_vectors(d_nm, angle_deg=angle_deg, rotation_deg=rotation_deg)
    fringes = lattice_fringes(
        shape, basis, pixel_nm=pixel_nm, contrast=contrast, rng=rng, orders=orders
    )
    return rng.poisson(counts * np.clip(1.0 + fringes, 0.0, None)).astype(np.float64)


def amorphous_texture(
    shape: tuple[int, int],
    *,
    pixel_nm: float,
    d_nm: float,
    contrast: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Band-pass noise with a broad ring at 1/d_nm (relative modulation, std ``contrast``)."""
    k_rows = np.fft.fftfreq(shape[0], pixel_nm)[:, None]
    k_cols = np.fft.fftfreq(shape[1], pixel_nm)[None, :]
    ring = np.exp(-0.5 * ((np.hypot(k_rows, k_cols) - 1.0 / d_nm) / (0.25 / d_nm)) ** 2)
    texture = np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal(shape)) * ring))
    return contrast * texture / texture.std()


def front_columns_px(time_s: float, drift_col_px: float) -> tuple[float, float]:
    """(intercalation, conversion) front columns in HRTEM px at ``time_s``."""
    scale = EXPERIMENT.pixel_nm / PIXEL_NM
    left_movie_col = FIELD_CENTRE_RC[1] - SHAPE[1] / 2 / scale
    intercalation = (
        float(EXPERIMENT.front.position_px(time_s)) - left_movie_col
    ) * scale + drift_col_px
    return intercalation, intercalation - CONVERSION_LAG_NM / PIXEL_NM


def _masks(fronts: tuple[float, float]) -> dict[str, np.ndarray]:
    cols = np.arange(SHAPE[1], dtype=float)
    width = BOUNDARY_WIDTH_NM / PIXEL_NM / 4
    behind_i = 1 / (1 + np.exp((cols - fronts[0]) / width))
    behind_c = 1 / (1 + np.exp((cols - fronts[1]) / width))
    return {"WO3": 1 - behind_i, "LixWO3": behind_i - behind_c, "amorphous": behind_c}


def _frame(index: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    time_s = START_S + index * FRAME_INTERVAL_S
    drift = (DRIFT_PX_PER_FRAME[0] * index, DRIFT_PX_PER_FRAME[1] * index)
    rotation = ROTATION_DEG + ROTATION_RATE_DEG * index
    fronts = front_columns_px(time_s, drift[1])
    masks = _masks(fronts)
    modulation = np.zeros(SHAPE)
    for name, phase in PHASES.items():
        d_nm = tuple(v / 10 for v in phase["d_A"].values())
        basis = basis_vectors(d_nm, angle_deg=phase["angle_deg"], rotation_deg=rotation)
        fringes = lattice_fringes(
            SHAPE, basis, pixel_nm=PIXEL_NM, contrast=0.08, rng=rng, shift_px=drift
        )
        modulation += masks[name][None, :] * fringes
    texture = amorphous_texture(
        SHAPE, pixel_nm=PIXEL_NM, d_nm=AMORPHOUS_D_NM, contrast=0.08, rng=rng
    )
    modulation += masks["amorphous"][None, :] * texture
    frame = rng.poisson(MEAN_COUNTS * np.clip(1 + modulation, 0, None)).astype(np.uint16)
    fractions = {name: float(mask.mean()) for name, mask in masks.items()}
    truth = {
        "index": index,
        "time_s": time_s,
        "rotation_deg": rotation,
        "drift_px": list(drift),
        "intercalation_front_col_px": fronts[0],
        "conversion_front_col_px": fronts[1],
        "fractions": fractions,
        "crystalline_fraction": 1.0 - fractions["amorphous"],
        "phases": [name for name, f in fractions.items() if f > 0.01],
        "d_A": {name: PHASES[name]["d_A"] for name in PHASES if fractions[name] > 0.01},
    }
    return frame, truth


def generate() -> tuple[np.ndarray, dict]:
    """The movie (frames, rows, cols) uint16 and its ground truth (plain JSON)."""
    rng = np.random.default_rng(SEED)
    frames, per_frame = zip(*(_frame(i, rng) for i in range(N_FRAMES)))
    truth = {
        "pixel_nm": PIXEL_NM,
        "frame_interval_s": FRAME_INTERVAL_S,
        "start_time_s": START_S,
        "beam_energy_kV": EXPERIMENT.beam_energy_kV,
        "field_centre_movie_rc": list(FIELD_CENTRE_RC),
        "zone_axes": {"WO3": "[001] monoclinic", "LixWO3": "[001] cubic"},
        "phases": {
            name: {"d_A": p["d_A"], "angle_deg": p["angle_deg"]} for name, p in PHASES.items()
        },
        "amorphous_ring_d_A": AMORPHOUS_D_NM * 10,
        "conversion_lag_nm": CONVERSION_LAG_NM,
        "mean_counts_per_px": MEAN_COUNTS,
        "frames": list(per_frame),
    }
    return np.stack(frames), truth


def write(folder: str | Path) -> list[Path]:
    """Write ``hrtem_movie.tif`` and ``hrtem_movie.truth.json`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    movie, truth = generate()
    path = folder / f"{NAME}.tif"
    tifffile.imwrite(
        path,
        movie,
        imagej=True,
        resolution=(1 / PIXEL_NM, 1 / PIXEL_NM),
        metadata={"axes": "TYX", "unit": "nm", "finterval": FRAME_INTERVAL_S, "spacing": PIXEL_NM},
    )
    truth_path = folder / f"{NAME}.truth.json"
    truth_path.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return [path, truth_path]
