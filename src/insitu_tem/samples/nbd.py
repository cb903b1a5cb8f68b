"""Sample (c): a nanobeam-diffraction line scan across the reaction front.

46 patterns (128 × 128 px, 0.125 1/nm per px, 300 kV) recorded along
``EXPERIMENT.scan``. Ahead of the front the film is pristine γ-WO3 seen along
[010] (reflections and structure factors from the phase library); just behind it, Li intercalation
expands the
lattice (spots move towards the direct beam by a known strain); further
behind, the spots give way to diffuse rings of amorphous W (~3 Å clusters) in
Li2O; at the far end, where the beam dwelt longest, W has coarsened to ~3 nm
crystals with sharp rings. The direct beam is a 0.9 mrad convergent disk that
descans slightly along the scan and the detector has a small elliptical
distortion. Everything is written to ``nbd_linescan.truth.json``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erfc

from insitu_tem.analysis.crystal.crystallography import electron_wavelength_A
from insitu_tem.samples.experiment import EXPERIMENT

DATA_NAME = "nbd_linescan.hspy"
TRUTH_NAME = "nbd_linescan.truth.json"
SHAPE = (128, 128)
SCALE_PER_NM = 0.125
ENERGY_KV = 300.0
CONVERGENCE_MRAD = 0.9
WAVELENGTH_NM = electron_wavelength_A(ENERGY_KV) / 10.0
DISK_RADIUS_PX = CONVERGENCE_MRAD * 1e-3 / WAVELENGTH_NM / SCALE_PER_NM
CENTRE_RC = (63.6, 64.3)
DESCAN_RC = ((0.9, 0.0), (-1.3, 0.5))
ROTATION_DEG = 12.0
ELLIPSE = (0.02, 30.0)
STRAIN_MAX = 0.012
LI2O_GRAIN_NM = 1.0
LI2O_ATOMS_PER_W = 9.0
RING_COUNTS_PER_A2 = 0.2
SEED = 2024_05


@dataclass(frozen=True)
class Reflection2D:
    """A spot of the [010] zone: Miller indices, g in 1/nm (row, col), weight."""

    hkl: tuple[int, int, int]
    g_rc: tuple[float, float]
    weight: float


def wo3_010_reflections(
    *, q_max_per_nm: float, rotation_deg: float = ROTATION_DEG
) -> list[Reflection2D]:
    """Allowed reflections of γ-WO3 on [010] inside ``q_max``, from the phase library.

    Spot weights are (|F|²/|F|²max)^¼ × exp(−0.06 q²): weak superlattice
    reflections stay visible, as dynamical scattering makes them in real NBD.

    Parameters
    ----------
    q_max_per_nm : float
        Largest |g| kept, in 1/nm.
    rotation_deg : float
        In-plane rotation of the pattern, in degrees.
    """
    from insitu_tem.analysis.crystal.phases import get_phase
    from insitu_tem.analysis.crystal.zone import zone_reflections

    found = zone_reflections(
        get_phase("γ-WO3"), (0, 1, 0), q_max_per_A=q_max_per_nm / 10.0, energy_kV=ENERGY_KV
    )
    strongest = max(r.intensity for r in found)
    turn = np.radians(rotation_deg)
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    out = []
    for r in found:
        xy = rot @ (np.asarray(r.g_xy) * 10.0)
        q = float(np.hypot(*xy))
        weight = (r.intensity / strongest) ** 0.25 * np.exp(-0.06 * q**2)
        out.append(Reflection2D(r.hkl, (float(-xy[1]), float(xy[0])), float(weight)))
    return out


def _distortion() -> np.ndarray:
    ellipticity, angle = ELLIPSE
    turn = np.radians(angle)
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return rot @ np.diag([1 + ellipticity / 2, 1 - ellipticity / 2]) @ rot.T


def _self_scattering(q_per_A: np.ndarray, composition: dict[str, float]) -> np.ndarray:
    from insitu_tem.analysis.crystal.crystallography import relativistic_factor
    from insitu_tem.analysis.crystal.scattering_factors import electron_scattering_factor

    gamma = relativistic_factor(ENERGY_KV)
    total = sum(composition.values())
    return sum(
        n / total * (gamma * electron_scattering_factor(el, q_per_A)) ** 2
        for el, n in composition.items()
    )


@functools.lru_cache(maxsize=1)
def _ring_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from insitu_tem.analysis.crystal.phases import get_phase
    from insitu_tem.analysis.crystal.debye import simulate_ring_profile

    q = np.linspace(0.005, 1.2, 480)
    high_pass = 1.0 - np.exp(-((q / 0.15) ** 4))

    def profile(name: str, grain_nm: float, composition: dict[str, float]) -> np.ndarray:
        debye = simulate_ring_profile(
            get_phase(name), grain_diameter_nm=grain_nm, q_per_A=q, energy_kV=ENERGY_KV
        )
        own = _self_scattering(q, composition)
        return own + high_pass * (debye.intensity - own)

    amorphous = profile("W", 0.3, {"W": 1}) + LI2O_ATOMS_PER_W * profile(
        "Li2O", LI2O_GRAIN_NM, {"Li": 2, "O": 1}
    )
    return (
        q * 10.0,
        RING_COUNTS_PER_A2 * amorphous,
        RING_COUNTS_PER_A2 * profile("W", 3.0, {"W": 1}),
    )


def ring_intensity(q_per_nm: np.ndarray, *, amorphous: float, nanocrystalline: float) -> np.ndarray:
    """Ring intensity (counts per px) of amorphous W + Li2O and of 3 nm W crystals.

    Debye-equation profiles (:func:`insitu_tem.analysis.crystal.debye.simulate_ring_profile`)
    of W clusters 0.3 nm across with Li2O grains of ``LI2O_GRAIN_NM`` (three
    Li2O per W, as WO3 + 6 Li → W + 3 Li2O), and of 3 nm W crystals (beam
    coarsening: their Li2O rings have faded). The interference term is damped
    below q = 0.15 1/Å (the small-angle scattering of whole grains, hidden by
    the direct beam); the atoms' own scattering Σf² is kept.

    Parameters
    ----------
    q_per_nm : numpy.ndarray
        1/d of each pixel, 1/nm.
    amorphous, nanocrystalline : float
        Fractions of the two ring components.
    """
    q, amorphous_table, crystal_table = _ring_tables()
    out = np.zeros_like(q_per_nm, dtype=float)
    if amorphous > 0:
        out += amorphous * np.interp(q_per_nm, q, amorphous_table)
    if nanocrystalline > 0:
        out += nanocrystalline * np.interp(q_per_nm, q, crystal_table)
    return out


def _disk(rows, cols, centre, radius, edge=0.6):
    dist = np.hypot(rows - centre[0], cols - centre[1])
    return 0.5 * erfc((dist - radius) / edge)


def render_pattern(
    *,
    centre_rc: tuple[float, float],
    strain: float = 0.0,
    spot_fraction: float = 1.0,
    amorphous_fraction: float = 0.0,
    nanocrystal_fraction: float = 0.0,
    shape: tuple[int, int] = SHAPE,
    scale_per_nm: float = SCALE_PER_NM,
    distortion: np.ndarray | None = None,
    rotation_deg: float = ROTATION_DEG,
) -> np.ndarray:
    """Noise-free NBD pattern (float64, expected counts per px).

    Parameters
    ----------
    centre_rc : tuple of float
        Direct-beam centre (row, col), px.
    strain : float
        Lattice strain d/d_ref − 1 of the WO3 spots (positive: spots move in).
    spot_fraction, amorphous_fraction, nanocrystal_fraction : float
        Weights of the WO3 spots, of the amorphous W + Li2O rings and of the
        3 nm W crystal rings (see :func:`ring_intensity`).
    shape, scale_per_nm : detector shape (px) and calibration (1/nm per px).
    distortion : (2, 2) array or None
        Detector distortion applied to (row, col) offsets from the centre.
    rotation_deg : float
        In-plane rotation of the WO3 pattern, degrees.
    """
    dist = np.eye(2) if distortion is None else np.asarray(distortion)
    rows, cols = np.indices(shape, dtype=float)
    offsets = np.stack([rows - centre_rc[0], cols - centre_rc[1]], axis=-1) @ np.linalg.inv(dist).T
    q = np.hypot(offsets[..., 0], offsets[..., 1]) * scale_per_nm
    pattern = 2000.0 * _disk(rows, cols, centre_rc, DISK_RADIUS_PX) + 40.0 / (1.0 + (q / 1.5) ** 2)
    pattern += ring_intensity(q, amorphous=amorphous_fraction, nanocrystalline=nanocrystal_fraction)
    if spot_fraction > 0:
        q_max = 0.5 * min(shape) * scale_per_nm
        for spot in wo3_010_reflections(q_max_per_nm=q_max, rotation_deg=rotation_deg):
            pos = dist @ (np.asarray(spot.g_rc) / (1.0 + strain) / scale_per_nm) + centre_rc
            r0, c0 = int(round(pos[0])), int(round(pos[1]))
            half = int(DISK_RADIUS_PX) + 4
            rs = slice(max(r0 - half, 0), min(r0 + half + 1, shape[0]))
            cs = slice(max(c0 - half, 0), min(c0 + half + 1, shape[1]))
            if rs.start >= rs.stop or cs.start >= cs.stop:
                continue
            pattern[rs, cs] += (
                400.0
                * spot_fraction
                * spot.weight
                * _disk(rows[rs, cs], cols[rs, cs], pos, DISK_RADIUS_PX)
            )
    return pattern


def scan_truth() -> dict:
    """Ground truth per probe position: distance, centre, strain, fractions, grain size.

    ``crystalline`` is True where Bragg spots or sharp W rings make up at least
    10 % of the pattern.
    """
    distance = EXPERIMENT.scan_distance_from_front_nm()
    u = np.linspace(0.0, 1.0, distance.size)
    (r1, r2), (c1, c2) = DESCAN_RC
    centre = np.stack(
        [CENTRE_RC[0] + r1 * u + r2 * u**2, CENTRE_RC[1] + c1 * u + c2 * u**2], axis=1
    )
    behind = -distance
    strain = STRAIN_MAX * np.clip(behind / 80.0, 0.0, 1.0)
    rings = np.clip((behind - 60.0) / 60.0, 0.0, 1.0)
    coarse = np.clip((behind - 190.0) / 30.0, 0.0, 1.0)
    spots = 1.0 - rings
    grain = np.where(coarse >= 0.5, 3.0, 0.3)
    fractions = {
        "WO3 spots": spots,
        "amorphous W + Li2O": rings * (1.0 - coarse),
        "W nanocrystals": rings * coarse,
    }
    return {
        "distance_from_front_nm": distance,
        "centre_rc": centre,
        "lattice_strain": np.where(spots > 0, strain, np.nan),
        "phase_fractions": fractions,
        "w_grain_nm": grain,
        "crystalline": (spots >= 0.1) | (coarse * rings >= 0.1),
    }


def generate() -> tuple[np.ndarray, dict]:
    """All 46 patterns (uint16 counts, Poisson noise) and the truth dictionary."""
    truth = scan_truth()
    rng = np.random.default_rng(SEED)
    dist = _distortion()
    patterns = np.empty((len(truth["distance_from_front_nm"]),) + SHAPE, dtype=np.uint16)
    fractions = truth["phase_fractions"]
    for i, centre in enumerate(truth["centre_rc"]):
        strain = truth["lattice_strain"][i]
        expected = render_pattern(
            centre_rc=tuple(centre),
            strain=0.0 if np.isnan(strain) else float(strain),
            spot_fraction=float(fractions["WO3 spots"][i]),
            amorphous_fraction=float(fractions["amorphous W + Li2O"][i]),
            nanocrystal_fraction=float(fractions["W nanocrystals"][i]),
            distortion=dist,
        )
        patterns[i] = np.clip(rng.poisson(expected), 0, 65535)
    return patterns, truth


def _truth_document(truth: dict) -> dict:
    step_nm = EXPERIMENT.scan.step_px() * EXPERIMENT.pixel_nm
    n = len(truth["distance_from_front_nm"])
    return {
        "description": "NBD line scan across the WO3 lithiation front (simulated)",
        "beam_energy_kV": ENERGY_KV,
        "scale_per_nm": SCALE_PER_NM,
        "position_nm": (np.arange(n) * step_nm).tolist(),
        "distance_from_front_nm": truth["distance_from_front_nm"].tolist(),
        "centre_rc": truth["centre_rc"].tolist(),
        "lattice_strain": [None if np.isnan(v) else float(v) for v in truth["lattice_strain"]],
        "strain_reference_index": n - 1,
        "phase_fractions": {k: v.tolist() for k, v in truth["phase_fractions"].items()},
        "w_grain_nm": truth["w_grain_nm"].tolist(),
        "crystalline": truth["crystalline"].tolist(),
        "disk_radius_px": DISK_RADIUS_PX,
        "rotation_deg": ROTATION_DEG,
        "ellipse": {"ellipticity": ELLIPSE[0], "angle_deg": ELLIPSE[1]},
        "zone_axis": [0, 1, 0],
        "phase": "γ-WO3",
    }


def write(folder: str | Path) -> list[Path]:
    """Write ``nbd_linescan.hspy`` and its ground truth into ``folder``."""
    import hyperspy.api as hs

    folder = Path(folder)
    patterns, truth = generate()
    step_nm = EXPERIMENT.scan.step_px() * EXPERIMENT.pixel_nm
    signal = hs.signals.Signal2D(patterns)
    signal.metadata.General.title = "NBD line scan across the lithiation front"
    signal.metadata.set_item("Signal.signal_type", "diffraction")
    signal.metadata.set_item("Acquisition_instrument.TEM.beam_energy", ENERGY_KV)
    signal.metadata.set_item("Acquisition_instrument.TEM.convergence_angle", CONVERGENCE_MRAD)
    for axis, (name, scale, units, offset) in zip(
        signal.axes_manager._axes,
        (
            ("position", step_nm, "nm", 0.0),
            ("ky", SCALE_PER_NM, "1/nm", -CENTRE_RC[0] * SCALE_PER_NM),
            ("kx", SCALE_PER_NM, "1/nm", -CENTRE_RC[1] * SCALE_PER_NM),
        ),
    ):
        axis.name, axis.scale, axis.units, axis.offset = name, scale, units, offset
    data_path = folder / DATA_NAME
    signal.save(data_path, overwrite=True, compression="gzip")
    truth_path = folder / TRUTH_NAME
    truth_path.write_text(json.dumps(_truth_document(truth), indent=1))
    return [data_path, truth_path]
