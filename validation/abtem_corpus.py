"""HRTEM images and nanobeam diffraction patterns simulated by multislice with abTEM.

Nothing here imports ``insitu_tem``: the structures come from ASE
(:mod:`validation._abtem_structures`), the images and patterns from abTEM, the
noise from numpy, and the truth from the rotated crystal lattice. Per case the
truth records every zone reflection's (row, col) reciprocal vector and its
signal-to-noise ratio: the noise-free image's windowed power summed over 3×3
FFT px at the reflection, above its local median, in standard deviations of
that sum for the dose's Poisson noise.

``python -m validation.abtem_corpus OUT --hrtem N --nbd N --seed S`` writes
``OUT/hrtem.npz``, ``OUT/nbd.npz`` and ``OUT/truth.json``.

References
----------
Madsen, J. & Susi, T. (2021). The abTEM code: transmission electron microscopy
from first principles. Open Research Europe 1, 24.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

PHASES = ("W", "Li", "LiH", "LiF", "Li2O", "Si", "Cu", "WO3-cubic", "γ-WO3")
CUBIC_ZONES = ((0, 0, 1), (1, 1, 0), (1, 1, 1))
MONOCLINIC_ZONES = ((0, 0, 1), (0, 1, 0), (1, 0, 0))
ENERGY_EV = 300e3
NBD_CRYSTAL_A = 60.0
NBD_SAMPLING_A = 0.35
SLICE_A = 4.0
SIZE_BINS_NM = ((2.5, 5.0), (10.0, 20.0), (2.0, 10.0))


@dataclass(frozen=True)
class HrtemCase:
    """One HRTEM simulation (lengths in Å unless named otherwise)."""

    phase: str
    zone: tuple[int, int, int]
    diameter_nm: float
    thickness_nm: float
    rotation_deg: float
    tilt_deg: tuple[float, float]
    defocus_A: float
    cs_A: float
    aperture_mrad: float
    pixel_A: float
    dose_per_px: float
    seed: int


@dataclass(frozen=True)
class NbdCase:
    """One nanobeam pattern: convergence semi-angle, probe defocus, detector pixel (mrad)."""

    phase: str
    zone: tuple[int, int, int]
    thickness_nm: float
    rotation_deg: float
    tilt_deg: tuple[float, float]
    alpha_mrad: float
    probe_defocus_A: float
    detector_mrad: float
    electrons: float
    blur_px: float
    seed: int


def _zones(phase: str) -> tuple:
    return (
        MONOCLINIC_ZONES
        if phase == "γ-WO3"
        else CUBIC_ZONES
        if phase != "amorphous"
        else ((0, 0, 1),)
    )


def random_hrtem_cases(n: int, *, seed: int, size_bins_nm=SIZE_BINS_NM) -> list[HrtemCase]:
    """``n`` HRTEM cases over phases (one in ten amorphous), zones, sizes (bins taken in turn),
    thickness, defocus, mistilt and dose."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        phase = "amorphous" if rng.random() < 0.1 else str(rng.choice(PHASES))
        zones = _zones(phase)
        corrected = rng.random() < 0.6
        diameter = float(np.exp(rng.uniform(*np.log(size_bins_nm[i % len(size_bins_nm)]))))
        cases.append(
            HrtemCase(
                phase=phase,
                zone=tuple(int(v) for v in zones[rng.integers(len(zones))]),
                diameter_nm=diameter,
                thickness_nm=float(
                    rng.uniform(2.0, 30.0 if diameter < 10 and rng.random() < 0.4 else 8.0)
                ),
                rotation_deg=float(rng.uniform(0, 360)),
                tilt_deg=tuple(float(v) for v in rng.normal(0, 0.3, 2)),
                defocus_A=float(rng.uniform(-80, 80) if corrected else rng.uniform(-700, -400)),
                cs_A=float(rng.uniform(-2e5, 2e5) if corrected else 1.2e7),
                aperture_mrad=float(rng.uniform(18, 30)),
                pixel_A=float(rng.uniform(0.25, 0.5)),
                dose_per_px=float(np.exp(rng.uniform(np.log(50), np.log(2000)))),
                seed=int(seed * 1000 + i),
            )
        )
    return cases


def random_nbd_cases(n: int, *, seed: int) -> list[NbdCase]:
    """``n`` NBD cases over phases, zones, thickness, convergence 0.5–2 mrad, probe defocus,
    camera length, dose."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        phase = str(rng.choice(PHASES))
        zones = _zones(phase)
        cases.append(
            NbdCase(
                phase=phase,
                zone=tuple(int(v) for v in zones[rng.integers(len(zones))]),
                thickness_nm=float(rng.uniform(2.0, 30.0)),
                rotation_deg=float(rng.uniform(0, 360)),
                tilt_deg=tuple(float(v) for v in rng.normal(0, 0.15, 2)),
                alpha_mrad=float(rng.uniform(0.5, 2.0)),
                probe_defocus_A=float(rng.uniform(-300, 300)),
                detector_mrad=float(rng.uniform(0.15, 0.3)),
                electrons=float(np.exp(rng.uniform(np.log(1e5), np.log(1e7)))),
                blur_px=float(rng.uniform(0.0, 0.8)),
                seed=int(seed * 1000 + i),
            )
        )
    return cases


def _atoms(phase: str, zone, rotation_deg, tilt_deg, *, diameter_A, thickness_A, box_A, seed):
    from validation._abtem_structures import amorphous, crystal_cylinder, orientation, unit_cell

    if phase == "amorphous":
        return (
            amorphous("W", box_A=box_A, thickness_A=thickness_A, density_per_A3=0.04, seed=seed),
            None,
            None,
        )
    cell = unit_cell(phase)
    rotation = orientation(cell, zone, rotation_deg=rotation_deg, tilt_deg=tilt_deg)
    return (
        crystal_cylinder(
            cell, rotation, diameter_A=diameter_A, thickness_A=thickness_A, box_A=box_A
        ),
        cell,
        rotation,
    )


def _hann(shape) -> np.ndarray:
    return np.outer(np.hanning(shape[0] + 2)[1:-1], np.hanning(shape[1] + 2)[1:-1])


def _summed_power(image: np.ndarray) -> np.ndarray:
    window = _hann(image.shape)
    power = np.abs(np.fft.fftshift(np.fft.fft2((image - image.mean()) * window))) ** 2
    return sum(np.roll(power, (dr, dc), axis=(0, 1)) for dr in (-1, 0, 1) for dc in (-1, 0, 1))


def _visibility(
    clean: np.ndarray, dose: float, g_rc_per_A: np.ndarray, pixel_A: float, seed: int
) -> np.ndarray:
    """Per reflection: excess of the noise-free, Hann-windowed power summed over 3×3 px at g above
    its
    local median, in standard deviations of the same sum for the dose's Poisson noise alone."""
    counts = clean * dose
    signal = _summed_power(counts)
    noise_field = np.random.default_rng(seed).normal(0.0, np.sqrt(np.clip(counts, 0, None)))
    noise = _summed_power(noise_field)
    rows, cols = np.indices(signal.shape)
    centre = np.array(signal.shape) // 2
    position = centre + g_rc_per_A * pixel_A * np.array(signal.shape)
    far = np.hypot(rows - centre[0], cols - centre[1]) > 3
    noise_sd = float(np.std(noise[far]))
    others = np.full(signal.shape, np.inf)
    for r, c in position:
        np.minimum(others, np.hypot(rows - r, cols - c), out=others)
    snr = np.zeros(len(position))
    for i, (r, c) in enumerate(position):
        if not (2 <= r < signal.shape[0] - 2 and 2 <= c < signal.shape[1] - 2):
            continue
        near = np.hypot(rows - r, cols - c)
        ring = (near >= 3) & (near <= 6) & (others > 2.5) & far
        local = float(np.median(signal[ring])) if ring.any() else 0.0
        snr[i] = (float(signal[near <= 1.5].max()) - local) / noise_sd
    return snr


def simulate_hrtem(case: HrtemCase) -> tuple[np.ndarray, dict]:
    """Noisy ROI (counts, float32) around the crystal and its truth (reflections in (row, col)
    1/Å)."""
    import abtem

    from validation._abtem_structures import zone_g_vectors

    rng = np.random.default_rng(case.seed)
    diameter_A, thickness_A = 10 * case.diameter_nm, 10 * case.thickness_nm
    box_A = diameter_A + 30.0
    atoms, cell, rotation = _atoms(
        case.phase,
        case.zone,
        case.rotation_deg,
        case.tilt_deg,
        diameter_A=diameter_A,
        thickness_A=thickness_A,
        box_A=box_A,
        seed=case.seed,
    )
    sampling = max(0.15, box_A / 512)
    potential = abtem.Potential(
        atoms, sampling=sampling, slice_thickness=SLICE_A, projection="infinite"
    )
    exit_wave = abtem.PlaneWave(energy=ENERGY_EV).multislice(potential)
    ctf = abtem.CTF(
        semiangle_cutoff=case.aperture_mrad,
        focal_spread=30.0,
        energy=ENERGY_EV,
        aberration_coefficients={"C10": -case.defocus_A, "C30": case.cs_A},
    )
    image = exit_wave.apply_ctf(ctf).intensity().interpolate(sampling=case.pixel_A).compute()
    clean = np.asarray(image.array, dtype=np.float64)
    pixel_A = float(image.sampling[0])
    side = min(int(round(diameter_A / pixel_A)), clean.shape[0])
    start = (clean.shape[0] - side) // 2
    roi = clean[start : start + side, start : start + side]
    noisy = rng.poisson(np.clip(roi, 0, None) * case.dose_per_px).astype(np.float32)
    truth = {"case": asdict(case), "pixel_A": pixel_A, "hkl": [], "g_rc_per_A": [], "snr": []}
    if cell is not None:
        hkl, g = zone_g_vectors(cell, case.zone, rotation, g_max_per_A=0.5 / pixel_A)
        truth.update(
            hkl=hkl.tolist(),
            g_rc_per_A=g[:, :2].tolist(),
            snr=_visibility(roi, case.dose_per_px, g[:, :2], pixel_A, case.seed).tolist(),
        )
    return noisy, truth


def simulate_nbd(case: NbdCase) -> tuple[np.ndarray, dict]:
    """Noisy pattern (counts, float32) and its truth: calibration (1/nm per px) and reflections."""
    import abtem
    from scipy import ndimage

    from validation._abtem_structures import zone_g_vectors

    rng = np.random.default_rng(case.seed)
    wavelength_A = float(abtem.core.energy.energy2wavelength(ENERGY_EV))
    box_A = wavelength_A / (case.detector_mrad * 1e-3)
    thickness_A = 10 * case.thickness_nm
    atoms, cell, rotation = _atoms(
        case.phase,
        case.zone,
        case.rotation_deg,
        case.tilt_deg,
        diameter_A=min(box_A, NBD_CRYSTAL_A),
        thickness_A=thickness_A,
        box_A=box_A,
        seed=case.seed,
    )
    gpts = int(2 * round(box_A / NBD_SAMPLING_A / 2))
    potential = abtem.Potential(atoms, gpts=gpts, slice_thickness=SLICE_A, projection="infinite")
    probe = abtem.Probe(
        energy=ENERGY_EV,
        semiangle_cutoff=case.alpha_mrad,
        aberrations={"C10": -case.probe_defocus_A},
    )
    pattern = probe.multislice(potential, scan=(box_A / 2, box_A / 2)).diffraction_patterns(
        max_angle="cutoff"
    )
    pattern = pattern.compute()
    data = np.asarray(pattern.array, dtype=np.float64)
    scale_per_nm = 10.0 * float(pattern.sampling[0])
    if case.blur_px > 0:
        data = ndimage.gaussian_filter(data, case.blur_px)
    data = data / data.sum()
    noisy = rng.poisson(data * case.electrons).astype(np.float32)
    hkl, g = zone_g_vectors(
        cell, case.zone, rotation, g_max_per_A=0.1 * scale_per_nm * min(data.shape) / 2
    )
    centre = np.array(data.shape) // 2
    position = centre + g[:, :2] * 10.0 / scale_per_nm
    inside = np.all((position >= 0) & (position < np.array(data.shape) - 1), axis=1)
    counts = np.array(
        [
            data[int(round(r)), int(round(c))] * case.electrons if ok else 0.0
            for (r, c), ok in zip(position, inside)
        ]
    )
    truth = {
        "case": asdict(case),
        "scale_per_nm": scale_per_nm,
        "centre_rc": centre.tolist(),
        "disk_radius_px": case.alpha_mrad / (scale_per_nm / 10 * wavelength_A * 1e3),
        "hkl": hkl.tolist(),
        "g_rc_per_A": g[:, :2].tolist(),
        "peak_counts": counts.tolist(),
    }
    return noisy, truth


def _save(out: Path, name: str, arrays: list[np.ndarray]) -> None:
    def compact(a: np.ndarray) -> np.ndarray:
        return a.astype(np.uint16 if a.max() < 65535 else np.uint32)

    np.savez_compressed(
        out / f"{name}.npz", **{f"case{i:03d}": compact(a) for i, a in enumerate(arrays)}
    )


def configure_abtem() -> None:
    """abTEM on the CPU with FFTW, no progress bar, dask in this process (one core)."""
    import abtem
    import dask

    abtem.config.set(
        {
            "device": "cpu",
            "fft": "fftw",
            "fftw.planning_effort": "FFTW_ESTIMATE",
            "diagnostics.progress_bar": False,
        }
    )
    dask.config.set(scheduler="synchronous")


def generate(out: Path, *, n_hrtem: int, n_nbd: int, seed: int, size_bins_nm=SIZE_BINS_NM) -> None:
    """Simulate a corpus and write ``hrtem.npz``, ``nbd.npz`` and ``truth.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    truth: dict = {"hrtem": [], "nbd": []}
    images, patterns = [], []
    configure_abtem()
    for i, case in enumerate(random_hrtem_cases(n_hrtem, seed=seed, size_bins_nm=size_bins_nm)):
        image, t = simulate_hrtem(case)
        images.append(image)
        truth["hrtem"].append(t)
        print(
            f"hrtem {i + 1}/{n_hrtem} {case.phase} {case.zone} {case.diameter_nm:.1f} nm",
            flush=True,
        )
    for i, case in enumerate(random_nbd_cases(n_nbd, seed=seed + 1)):
        pattern, t = simulate_nbd(case)
        patterns.append(pattern)
        truth["nbd"].append(t)
        print(
            f"nbd {i + 1}/{n_nbd} {case.phase} {case.zone} α {case.alpha_mrad:.2f} mrad", flush=True
        )
    _save(out, "hrtem", images)
    _save(out, "nbd", patterns)
    (out / "truth.json").write_text(json.dumps(truth))


def load(directory: Path) -> tuple[list, list]:
    """[(image, truth)] for HRTEM and [(pattern, truth)] for NBD from a generated corpus."""
    truth = json.loads((directory / "truth.json").read_text())
    out = []
    for family in ("hrtem", "nbd"):
        with np.load(directory / f"{family}.npz") as arrays:
            out.append([(arrays[f"case{i:03d}"], t) for i, t in enumerate(truth[family])])
    return out[0], out[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--hrtem", type=int, default=40)
    parser.add_argument("--nbd", type=int, default=40)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--largest-nm", type=float, default=20.0, help="largest crystal diameter (nm)"
    )
    args = parser.parse_args(argv)
    bins = tuple((low, min(high, args.largest_nm)) for low, high in SIZE_BINS_NM)
    generate(args.out, n_hrtem=args.hrtem, n_nbd=args.nbd, seed=args.seed, size_bins_nm=bins)


if __name__ == "__main__":
    main()
