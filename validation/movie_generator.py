"""In situ movies of a reaction front, rendered from an image-formation model, with truth.

Written without the tracker's code or assumptions. A film of pristine material (transmission
``T_p``) is converted behind a front into reacted material (``T_r``, darker or brighter). The
front is the curve ``n = s(t) + r(u, t)`` in front coordinates (``n`` along its normal ``ν``,
``u`` along its tangent) with roughness ``r``; its profile across the normal is an erf of width
``σ_w`` (diffusion, thickness wedge). Both phases carry mass-thickness/diffraction texture
(smooth random fields, static or changing in time). The bright-field intensity
``I = b(t) B(x) [f T_r (1 + a_r G_r) + (1 - f) T_p (1 + a_p G_p)]`` is rendered 2× supersampled in
specimen coordinates shifted by drift and jitter, binned, blurred by the microscope PSF and
recorded with Poisson noise at the dose.

Truth (in frame-0 specimen coordinates, px along the line from its first point): the
width-averaged front position — the position of a straight sharp front that leaves the same
reacted area inside the band of the line (its length × width), i.e. the mean over the band's
width of where each parallel ray crosses the front, with diffuse fronts counted by their reacted
fraction. The kinetics are imposed on this width-averaged position
``p(t) = p0 + k (t - t0)^n`` (or a piecewise law with stalls and reversals, for which n is
undefined), and the normal position ``s(t)`` of the front that produces it is found by inversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special

SUPERSAMPLE = 2
RAYS = 25


@dataclass(frozen=True)
class FrontScene:
    """Geometry and materials of one movie (px, frame-0 specimen coordinates, (row, col))."""

    shape: tuple[int, int]
    line_rc: np.ndarray
    width: float
    normal: np.ndarray
    roughness: tuple[np.ndarray, np.ndarray, np.ndarray]
    roughness_speed: float
    diffuse_sigma: float
    transmission: tuple[float, float]
    texture_amp: tuple[float, float]
    texture_changing: bool
    textures: tuple[np.ndarray, np.ndarray, np.ndarray]
    illumination: np.ndarray


@dataclass(frozen=True)
class SyntheticMovie:
    """A rendered movie and its truth."""

    movie: np.ndarray
    times: np.ndarray
    line_rc: np.ndarray
    width: float
    truth: np.ndarray
    n: float
    shifts: np.ndarray
    properties: dict


def _unit(angle: float) -> np.ndarray:
    return np.array([np.sin(angle), np.cos(angle)])


def _texture(rng, shape, corr: float) -> np.ndarray:
    field = ndimage.gaussian_filter(rng.standard_normal(shape), corr, mode="wrap")
    return (field - field.mean()) / field.std()


def roughness_at(scene: FrontScene, u: np.ndarray, t: float) -> np.ndarray:
    """Front displacement along its normal at tangential coordinate ``u`` (px), time ``t``."""
    amps, wavenumbers, phases = scene.roughness
    arg = (
        np.multiply.outer(u, wavenumbers)
        + phases
        + scene.roughness_speed * t * np.arange(1, amps.size + 1)
    )
    return np.sin(arg) @ amps


def reacted_fraction(scene: FrontScene, rc: np.ndarray, s: float, t: float) -> np.ndarray:
    """Fraction of reacted material at specimen points ``rc`` (..., 2) for front position ``s``."""
    normal = scene.normal
    tangent = np.array([-normal[1], normal[0]])
    n = rc @ normal
    distance = s + roughness_at(scene, rc @ tangent, t) - n
    if scene.diffuse_sigma <= 0:
        return (distance > 0).astype(float)
    return 0.5 * special.erfc(-distance / (np.sqrt(2) * scene.diffuse_sigma))


def width_averaged_position(scene: FrontScene, s: float, t: float, *, step: float = 0.05) -> float:
    """Truth: px along the line of the straight sharp front with the same reacted area in the band.

    Each of ``RAYS`` rays parallel to the line across the band is integrated over a window
    around where the unroughened front crosses it; beyond the window the ray is fully reacted
    (on the reacted side) or pristine.
    """
    (p0, p1) = scene.line_rc
    length = float(np.hypot(*(p1 - p0)))
    along = (p1 - p0) / length
    across = np.array([-along[1], along[0]])
    cos = along @ scene.normal
    offsets = (np.arange(RAYS) + 0.5) / RAYS * scene.width - scene.width / 2
    crossing = (s - (p0 + offsets[:, None] * across) @ scene.normal) / cos
    half = (np.abs(scene.roughness[0]).sum() + 6 * scene.diffuse_sigma + 1) / abs(cos)
    window = np.arange(-half, half, step) + step / 2
    d = crossing[:, None] + window[None, :]
    rays = p0 + d[..., None] * along + offsets[:, None, None] * across
    reacted = reacted_fraction(scene, rays, s, t).sum(axis=1) * step
    start = crossing - half
    position = start + reacted if cos > 0 else start + 2 * half - reacted
    return float(position.mean())


def normal_position_for(scene: FrontScene, p: float, t: float) -> float:
    """The front's normal position ``s`` whose width-averaged position along the line is ``p``."""
    (p0, p1) = scene.line_rc
    along = (p1 - p0) / np.hypot(*(p1 - p0))
    cos = along @ scene.normal
    s = (p0 + p * along) @ scene.normal
    for _ in range(8):
        error = width_averaged_position(scene, s, t) - p
        s -= error * cos
        if abs(error) < 1e-4:
            break
    return s


def _specimen_grid(shape) -> np.ndarray:
    sub = (np.arange(SUPERSAMPLE) + 0.5) / SUPERSAMPLE - 0.5
    rows = (np.arange(shape[0])[:, None] + sub[None, :]).ravel()
    cols = (np.arange(shape[1])[:, None] + sub[None, :]).ravel()
    return np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)


def _sample(field: np.ndarray, rc: np.ndarray, pad: int) -> np.ndarray:
    coords = np.moveaxis(rc, -1, 0) + pad
    return ndimage.map_coordinates(field, coords, order=1, mode="wrap")


def _bin(image: np.ndarray) -> np.ndarray:
    r, c = image.shape[0] // SUPERSAMPLE, image.shape[1] // SUPERSAMPLE
    return image.reshape(r, SUPERSAMPLE, c, SUPERSAMPLE).mean(axis=(1, 3))


def render_frame(
    scene: FrontScene, s: float, t: float, mix: float, shift_rc: np.ndarray
) -> np.ndarray:
    """Noise-free intensity (relative to the incident beam) of one frame, specimen shifted by
    ``shift_rc``."""
    rc = _specimen_grid(scene.shape) - shift_rc
    pad = (scene.textures[0].shape[0] - scene.shape[0]) // 2
    f = reacted_fraction(scene, rc, s, t)
    g_p = _sample(scene.textures[0], rc, pad)
    g_r = _sample(scene.textures[1], rc, pad)
    if scene.texture_changing:
        g_r = np.cos(mix) * g_r + np.sin(mix) * _sample(scene.textures[2], rc, pad)
    (t_p, t_r), (a_p, a_r) = scene.transmission, scene.texture_amp
    image = f * t_r * (1 + a_r * g_r) + (1 - f) * t_p * (1 + a_p * g_p)
    return _bin(np.clip(image, 0.02, None)) * scene.illumination


def record(intensity: np.ndarray, *, dose: float, psf_sigma: float, rng) -> np.ndarray:
    """Detector: PSF blur, then Poisson counts at ``dose`` counts/px of incident beam."""
    blurred = ndimage.gaussian_filter(intensity, psf_sigma, mode="nearest")
    return rng.poisson(np.clip(blurred, 0, None) * dose).astype(np.float32)
