"""Sample (a): a bright-field movie of a WO3 film being lithiated, with known drift.

The film runs horizontally between ``EXPERIMENT.film_rows``; lithium enters
from the left and the reaction front (a vertical step in contrast) moves along
+x following ``EXPERIMENT.front``. Behind the front the film is darker and
thicker by ``EXPERIMENT.expansion`` (its top edge rises; the substrate
interface stays put). Vacuum, film and substrate carry static, band-limited
texture so that drift can be measured. The specimen drifts by a smooth random
walk of a few pixels; frame ``i`` shows the specimen displaced by
``drift_px[i] = (dy, dx)`` (frame 0 undisplaced). Counts are Poisson with a
mean near 100 per pixel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tifffile
from scipy import ndimage
from scipy.special import erfc

from insitu_tem.samples.experiment import EXPERIMENT, RECORDED_MOVIE_START, Experiment

FILE_NAME = "lithiation_movie.tif"
TRUTH_NAME = "lithiation_movie.truth.json"
SEED = 20240531
LEVELS = {"vacuum": 160.0, "pristine": 110.0, "reacted": 70.0, "substrate": 45.0}
TEXTURE = {"vacuum": 0.10, "film": 0.12, "substrate": 0.15}
EDGE_WIDTH_PX = 1.2
FRONT_WIDTH_PX = 1.5
DRIFT_MAX_PX = 3.0
_PAD = 16


@dataclass(frozen=True)
class MovieTruth:
    """Ground truth of the generated movie.

    Attributes
    ----------
    times_s : numpy.ndarray
        Frame times, s.
    front_specimen_px : numpy.ndarray
        Front column in frame-0 (specimen) coordinates, px.
    front_raw_px : numpy.ndarray
        Front column in each raw (drifting) frame, px.
    drift_px : numpy.ndarray
        (n_frames, 2) displacement (dy, dx) of frame content relative to frame 0, px.
    film_top_pristine_px, film_top_reacted_px, film_bottom_px : numpy.ndarray
        Film edge rows in each raw frame ahead of / behind the front, px.
    """

    times_s: np.ndarray
    front_specimen_px: np.ndarray
    front_raw_px: np.ndarray
    drift_px: np.ndarray
    film_top_pristine_px: np.ndarray
    film_top_reacted_px: np.ndarray
    film_bottom_px: np.ndarray


def drift_walk(
    n_frames: int, *, rng: np.random.Generator, max_px: float = DRIFT_MAX_PX
) -> np.ndarray:
    """A smooth random walk of (dy, dx) in px, zero at frame 0, at most ``max_px`` from it."""
    steps = ndimage.gaussian_filter1d(rng.normal(size=(n_frames, 2)), 3.0, axis=0)
    walk = np.cumsum(steps, axis=0)
    walk -= walk[0]
    peak = np.abs(walk).max()
    return walk * (max_px / peak) if peak > 0 else walk


def texture_field(shape: tuple[int, int], *, rng: np.random.Generator) -> np.ndarray:
    """Band-limited unit-variance texture on a padded grid (smoothed white noise)."""
    padded = (shape[0] + 2 * _PAD, shape[1] + 2 * _PAD)
    field = ndimage.gaussian_filter(rng.normal(size=padded), 1.4, mode="wrap")
    return (field - field.mean()) / field.std()


def shifted(field: np.ndarray, shift: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``field`` displaced by ``shift`` (dy, dx) px with a Fourier shift, cropped to ``shape``."""
    moved = np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(field), shift)).real
    return moved[_PAD : _PAD + shape[0], _PAD : _PAD + shape[1]]


def _step(coordinate: np.ndarray, edge: np.ndarray | float, width: float) -> np.ndarray:
    """0 before ``edge``, 1 after it, an erf ramp of ``width`` px between."""
    return 0.5 * erfc(-(coordinate - edge) / (np.sqrt(2.0) * width))


def render_frame(
    experiment: Experiment, time_s: float, drift: np.ndarray, texture: np.ndarray
) -> np.ndarray:
    """Expected counts per pixel of one frame (before shot noise)."""
    rows, cols = experiment.frame_shape
    r = np.arange(rows, dtype=float)[:, None] - drift[0]
    c = np.arange(cols, dtype=float)[None, :] - drift[1]
    top, bottom = experiment.film_rows
    reacted = 1.0 - _step(c, float(experiment.front.position_px(time_s)), FRONT_WIDTH_PX)
    top_edge = bottom - (bottom - top) * (1.0 + experiment.expansion * reacted)
    in_film = _step(r, top_edge, EDGE_WIDTH_PX) * (1.0 - _step(r, bottom, EDGE_WIDTH_PX))
    in_substrate = _step(r, bottom, EDGE_WIDTH_PX)
    in_vacuum = 1.0 - in_film - in_substrate
    film_level = LEVELS["pristine"] * (1.0 - reacted) + LEVELS["reacted"] * reacted
    base = in_vacuum * LEVELS["vacuum"] + in_film * film_level + in_substrate * LEVELS["substrate"]
    amplitude = (
        in_vacuum * TEXTURE["vacuum"]
        + in_film * TEXTURE["film"]
        + in_substrate * TEXTURE["substrate"]
    )
    return base * (1.0 + amplitude * shifted(texture, drift, experiment.frame_shape))


def generate(
    experiment: Experiment = EXPERIMENT, *, seed: int = SEED
) -> tuple[np.ndarray, MovieTruth]:
    """Render the whole movie (uint16 counts, (t, y, x)) and its ground truth."""
    rng = np.random.default_rng(seed)
    times = experiment.times_s()
    drift = drift_walk(experiment.n_frames, rng=rng)
    texture = texture_field(experiment.frame_shape, rng=rng)
    movie = np.empty((experiment.n_frames,) + tuple(experiment.frame_shape), dtype=np.uint16)
    for i, time in enumerate(times):
        expected = render_frame(experiment, float(time), drift[i], texture)
        movie[i] = np.clip(rng.poisson(np.clip(expected, 0.0, None)), 0, 65535)
    front = experiment.front.position_px(times)
    top, bottom = experiment.film_rows
    truth = MovieTruth(
        times_s=times,
        front_specimen_px=front,
        front_raw_px=front + drift[:, 1],
        drift_px=drift,
        film_top_pristine_px=top + drift[:, 0],
        film_top_reacted_px=bottom - (bottom - top) * (1.0 + experiment.expansion) + drift[:, 0],
        film_bottom_px=bottom + drift[:, 0],
    )
    return movie, truth


def truth_document(truth: MovieTruth, experiment: Experiment = EXPERIMENT) -> dict:
    """Plain-JSON ground truth (px, s, nm) written beside the movie."""
    law = experiment.front
    return {
        "file": FILE_NAME,
        "pixel_nm": experiment.pixel_nm,
        "frame_interval_s": experiment.frame_interval_s,
        "scan_row_px": experiment.scan.start_rc[0],
        "front_law": {
            "x0_px": law.x0_px,
            "k_px": law.k_px,
            "n": law.n,
            "t0_s": law.t0_s,
            "equation": "x(t) = x0 + k (t - t0)^n, px and s, frame-0 columns",
        },
        "expansion": experiment.expansion,
        "levels_counts": LEVELS,
        "times_s": truth.times_s.tolist(),
        "front_px": truth.front_raw_px.tolist(),
        "front_specimen_px": truth.front_specimen_px.tolist(),
        "drift_px": truth.drift_px.tolist(),
        "film_edges_px": {
            "top_pristine": truth.film_top_pristine_px.tolist(),
            "top_reacted": truth.film_top_reacted_px.tolist(),
            "bottom": truth.film_bottom_px.tolist(),
        },
        "notes": "front_px is the raw-frame column of the front on the scan row; "
        "drift_px[i] = (dy, dx) displacement of frame i content relative to frame 0; "
        "film edges are raw-frame rows.",
    }


def write(folder: str | Path) -> list[Path]:
    """Write ``lithiation_movie.tif`` (ImageJ hyperstack, uint16) and its truth JSON."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    movie, truth = generate()
    px_nm, dt_s = EXPERIMENT.pixel_nm, EXPERIMENT.frame_interval_s
    path = folder / FILE_NAME
    tifffile.imwrite(
        path,
        movie,
        imagej=True,
        resolution=(1 / px_nm, 1 / px_nm),
        metadata={
            "axes": "TYX",
            "unit": "nm",
            "finterval": dt_s,
            "spacing": px_nm,
            "start": RECORDED_MOVIE_START.isoformat(timespec="milliseconds"),
        },
    )
    truth_path = folder / TRUTH_NAME
    truth_path.write_text(json.dumps(truth_document(truth), indent=1))
    return [path, truth_path]
