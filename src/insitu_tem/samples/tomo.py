"""Sample tilt series: a core–shell nanowire with voids, HAADF and an O map, with ground truth.

The wire (a Si core in an SEI shell, the SEI holding voids) lies along the
tilt axis. Projections are computed analytically — chord lengths through
cylinders and spheres, integrated over each pixel on a 3 × 3 grid — so the
reconstruction is tested against geometry, not against our own projector.
Each projection is then seen through a tilt axis at ``axis_angle_deg`` from
the image rows (towards the columns) and ``axis_offset_px`` from the centre
column, displaced by a known ``shifts_px[i] = (dy, dx)``, and drawn as
Poisson counts.

Shift gauge (the one :mod:`insitu_tem.analysis.tomo.alignment` reports): in
the axis frame the along-axis shifts have zero mean and the across-axis shifts
have no component along ``1``, ``cos θ`` or ``sin θ`` — those modes are a
move of the axis or of the object and cannot be told apart from the data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

HAADF_NAME, OXYGEN_NAME, TRUTH_NAME = "tomo_haadf.hspy", "tomo_O.hspy", "tomo.truth.json"
CORE_DENSITY, SHELL_DENSITY = 1.0, 0.5


@dataclass(frozen=True)
class Phantom:
    """Geometry of the nanowire phantom, px (voxel = pixel)."""

    size: int = 96
    tilts_deg: tuple[float, ...] = tuple(np.arange(-60.0, 60.1, 5.0))
    core_radius: float = 0.17
    shell_radius: float = 0.29
    wire_centre_zx: tuple[float, float] = (2.5, -3.0)
    axis_angle_deg: float = 0.0
    axis_offset_px: float = 2.3
    shift_rms_px: float = 3.0
    counts: float = 20.0
    oxygen_counts: float = 6.0
    seed: int = 0
    voids: tuple[tuple[float, float, float, float], ...] = field(default=())

    @property
    def radii_px(self) -> tuple[float, float]:
        """(core, shell outer) radius, px."""
        return self.core_radius * self.size, self.shell_radius * self.size


def default_voids(phantom: Phantom) -> tuple[tuple[float, float, float, float], ...]:
    """Void spheres (z, y, x, radius) in px from the wire centre: eight in the shell, one in the
    core."""
    rng = np.random.default_rng(phantom.seed + 7)
    core, shell = phantom.radii_px
    mid, radius = (core + shell) / 2, 0.32 * (shell - core)
    voids = []
    for k, angle in enumerate(np.linspace(0, 2 * np.pi, 8, endpoint=False) * 3 + rng.uniform(0, 1)):
        y = (k - 3.5) * phantom.size / 9.5
        voids.append((mid * np.sin(angle), y, mid * np.cos(angle), radius))
    voids.append((0.25 * core, 0.1 * phantom.size, -0.3 * core, 0.35 * core))
    return tuple(voids)


def gauge_shifts(shifts_px: np.ndarray, tilts_deg, axis_angle_deg: float) -> np.ndarray:
    """Remove the unobservable modes (see module docstring) from (n, 2) image-frame shifts."""
    phi = np.deg2rad(axis_angle_deg)
    along, across = np.array([np.cos(phi), np.sin(phi)]), np.array([-np.sin(phi), np.cos(phi)])
    theta = np.deg2rad(np.asarray(tilts_deg, dtype=float))
    s_along, s_across = shifts_px @ along, shifts_px @ across
    modes = np.stack([np.ones_like(theta), np.cos(theta), np.sin(theta)], axis=1)
    s_across = s_across - modes @ np.linalg.lstsq(modes, s_across, rcond=None)[0]
    s_along = s_along - s_along.mean()
    return np.outer(s_along, along) + np.outer(s_across, across)


def _chord(radius_sq: np.ndarray | float, distance_sq: np.ndarray) -> np.ndarray:
    return 2.0 * np.sqrt(np.maximum(radius_sq - distance_sq, 0.0))


def _axis_coordinates(phantom: Phantom, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(y, u) axis-frame coordinates of a 3 × 3 sub-pixel grid of every pixel, px."""
    n, phi = phantom.size, np.deg2rad(phantom.axis_angle_deg)
    sub = (np.arange(3) - 1) / 3.0
    grid = (np.arange(n)[:, None] + sub[None, :]).ravel() - (n - 1) / 2
    r = grid[:, None] - shift[0]
    c = grid[None, :] - shift[1]
    y = r * np.cos(phi) + c * np.sin(phi)
    u = -r * np.sin(phi) + c * np.cos(phi) - phantom.axis_offset_px
    return y, u


def _bin3(image: np.ndarray) -> np.ndarray:
    n = image.shape[0] // 3
    return image.reshape(n, 3, n, 3).mean(axis=(1, 3))


def projection(
    phantom: Phantom, tilt_deg: float, shift: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free (HAADF, O) projections at one tilt, in density × px of path."""
    theta = np.deg2rad(tilt_deg)
    y, u = _axis_coordinates(phantom, shift)
    core, shell = phantom.radii_px
    zc, xc = phantom.wire_centre_zx
    du2 = (u - (xc * np.cos(theta) + zc * np.sin(theta))) ** 2
    shell_chord = _chord(shell**2, du2) - _chord(core**2, du2)
    core_chord = _chord(core**2, du2)
    for vz, vy, vx, radius in phantom.voids:
        uc = (xc + vx) * np.cos(theta) + (zc + vz) * np.sin(theta)
        chord = _chord(radius**2, (u - uc) ** 2 + (y - vy) ** 2)
        if np.hypot(vz, vx) + radius <= core:
            core_chord = core_chord - chord
        else:
            shell_chord = shell_chord - chord
    haadf = CORE_DENSITY * core_chord + SHELL_DENSITY * shell_chord
    return _bin3(haadf), _bin3(shell_chord)


def volumes(phantom: Phantom) -> dict[str, np.ndarray]:
    """Truth (z, y, x) volumes in the reconstruction frame: density, O, and labels (0
    vacuum/void, 1 core, 2 shell)."""
    n = phantom.size
    sub = (np.arange(2) - 0.5) / 2
    ax = (np.arange(n)[:, None] + sub[None, :]).ravel() - (n - 1) / 2
    z, y, x = ax[:, None, None], ax[None, :, None], ax[None, None, :] - phantom.axis_offset_px
    zc, xc = phantom.wire_centre_zx
    rho2 = (z - zc) ** 2 + (x - xc) ** 2
    core, shell = phantom.radii_px
    label = np.where(rho2 <= core**2, 1, np.where(rho2 <= shell**2, 2, 0)).astype(np.uint8)
    label = np.broadcast_to(label, (2 * n, 2 * n, 2 * n)).copy()
    for vz, vy, vx, radius in phantom.voids:
        inside = (z - zc - vz) ** 2 + (y - vy) ** 2 + (x - xc - vx) ** 2 <= radius**2
        label[np.broadcast_to(inside, label.shape)] = 0
    density = np.choose(label, [0.0, CORE_DENSITY, SHELL_DENSITY]).astype(np.float32)
    oxygen = (label == 2).astype(np.float32)

    def bin2(volume: np.ndarray) -> np.ndarray:
        return volume.reshape(n, 2, n, 2, n, 2).mean(axis=(1, 3, 5)).astype(np.float32)

    coarse = label.reshape(n, 2, n, 2, n, 2)[:, 0, :, 0, :, 0]
    return {"density": bin2(density), "oxygen": bin2(oxygen), "labels": coarse}


def make_series(phantom: Phantom | None = None) -> dict:
    """Noisy HAADF and O tilt series with their truth.

    Returns
    -------
    dict
        ``haadf`` and ``oxygen`` (n_tilts, size, size) float32 counts,
        ``tilts_deg``, ``shifts_px`` (gauged), ``phantom``, ``scale``
        (counts per density·px for HAADF).
    """
    phantom = phantom or Phantom()
    if not phantom.voids:
        phantom = replace(phantom, voids=default_voids(phantom))
    rng = np.random.default_rng(phantom.seed)
    tilts = np.asarray(phantom.tilts_deg, dtype=float)
    shifts = gauge_shifts(
        rng.normal(0, phantom.shift_rms_px, (tilts.size, 2)), tilts, phantom.axis_angle_deg
    )
    clean = [projection(phantom, t, s) for t, s in zip(tilts, shifts)]
    haadf = np.stack([c[0] for c in clean]).astype(np.float32)
    oxygen = np.stack([c[1] for c in clean]).astype(np.float32)
    scale = phantom.counts / haadf[haadf > 0.05 * haadf.max()].mean()
    o_scale = phantom.oxygen_counts / oxygen[oxygen > 0.05 * oxygen.max()].mean()
    return {
        "haadf": rng.poisson(haadf * scale).astype(np.float32),
        "oxygen": rng.poisson(oxygen * o_scale).astype(np.float32),
        "tilts_deg": tilts,
        "shifts_px": shifts,
        "phantom": phantom,
        "scale": float(scale),
    }


def truth_dict(series: dict) -> dict:
    """JSON-able ground truth of a series from :func:`make_series`."""
    phantom: Phantom = series["phantom"]
    core, shell = phantom.radii_px
    return {
        "tilts_deg": series["tilts_deg"].tolist(),
        "shifts_px": series["shifts_px"].tolist(),
        "tilt_axis_angle_deg": phantom.axis_angle_deg,
        "tilt_axis_offset_px": phantom.axis_offset_px,
        "core_radius_px": core,
        "shell_radius_px": shell,
        "shell_thickness_px": shell - core,
        "wire_centre_zx_px": list(phantom.wire_centre_zx),
        "voids_zyx_r_px": [list(v) for v in phantom.voids],
        "void_fraction_of_shell": void_fraction_of_shell(phantom),
        "haadf_counts_per_density_px": series["scale"],
        "size_px": phantom.size,
        "units": "px",
    }


def void_fraction_of_shell(phantom: Phantom) -> float:
    """Volume of the shell's voids over the volume of the shell annulus in the field of view."""
    core, shell = phantom.radii_px
    void = sum(
        4 / 3 * np.pi * r**3 for vz, _, vx, r in phantom.voids if np.hypot(vz, vx) + r > core
    )
    return float(void / (np.pi * (shell**2 - core**2) * phantom.size))


def write(folder: str | Path, phantom: Phantom | None = None) -> list[Path]:
    """Write the HAADF and O tilt series (.hspy, tilt axis in degrees) and the truth JSON into
    ``folder``."""
    import hyperspy.api as hs

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    series = make_series(phantom)
    written = []
    for name, key, title in ((HAADF_NAME, "haadf", "HAADF"), (OXYGEN_NAME, "oxygen", "O_Ka")):
        signal = hs.signals.Signal2D(series[key])
        tilt = signal.axes_manager.navigation_axes[0]
        tilt.convert_to_non_uniform_axis()
        tilt.axis = series["tilts_deg"]
        tilt.name, tilt.units = "tilt", "deg"
        for axis in signal.axes_manager.signal_axes:
            axis.scale, axis.units = 0.5, "nm"
        signal.metadata.General.title = title
        signal.save(folder / name, overwrite=True)
        written.append(folder / name)
    (folder / TRUTH_NAME).write_text(json.dumps(truth_dict(series), indent=1))
    return written + [folder / TRUTH_NAME]
