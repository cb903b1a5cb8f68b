"""Simulated electron-diffraction ring profiles of nanocrystals (Debye scattering equation).

A spherical grain is cut from a :class:`~insitu_tem.analysis.crystal.phases.Phase` and its
orientation-averaged kinematic intensity is

    I(q) = Σᵢ fᵢ(q)² + 2 Σᵢ<ⱼ fᵢ(q) fⱼ(q) sin(2π q rᵢⱼ) / (2π q rᵢⱼ),   q = 1/d (1/Å),

(Debye 1915). The O(N²) pair distances are histogrammed once per element pair
(bins of 1 mÅ, each bin placed at the mean distance of its pairs), so the sum over
q costs O(bins) instead of O(N²): a 3 nm W grain (~1300 atoms) takes milliseconds.
Peak widths follow Scherrer, Δq ≈ 0.9/L, for L ≳ 2 nm; a 3 Å "grain" (a single
bcc cell) gives a couple of broad humps, as amorphous W does. Peaks are searched
on the interference function (I - ⟨f²⟩)/⟨f⟩² from 0.8× the first allowed
reflection on, which skips the sphere's small-angle fringes.

The grain contains the atoms whose centres lie within D/2 + r_nn/2 of an atom at
its centre (r_nn: nearest-neighbour distance), i.e. the diameter D is measured
between atom surfaces, which keeps unit-cell-sized grains (D ≈ 3 Å) non-empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.crystal.crystallography import Index3, relativistic_factor
from insitu_tem.analysis.crystal.phases import Phase
from insitu_tem.analysis.crystal.scattering_factors import electron_scattering_factor

DEFAULT_Q = np.linspace(0.02, 1.5, 741)
_MAX_ATOMS = 60_000


@dataclass(frozen=True)
class Cluster:
    """Atoms of a spherical grain: element and occupancy per atom, Cartesian positions (N, 3) in
    Å."""

    elements: tuple[str, ...]
    occupancy: np.ndarray
    positions_A: np.ndarray
    diameter_nm: float


@dataclass(frozen=True)
class RingPeak:
    """One maximum of a ring profile: d and q = 1/d (Å, 1/Å), FWHM in q (1/Å), hkl of the main
    reflection."""

    d_A: float
    q_per_A: float
    fwhm_per_A: float
    hkl: Index3 | None
    intensity: float


@dataclass(frozen=True)
class RingProfile:
    """Orientation-averaged intensity of one grain.

    Attributes
    ----------
    q_per_A : numpy.ndarray
        q = 1/d in 1/Å.
    intensity : numpy.ndarray
        Kinematic intensity per atom in Å² (relativistic f).
    peaks : tuple of RingPeak
        Maxima of the interference function, by increasing q.
    phase : str
    grain_diameter_nm : float
    n_atoms : int
    energy_kV : float
    """

    q_per_A: np.ndarray
    intensity: np.ndarray
    peaks: tuple[RingPeak, ...]
    phase: str
    grain_diameter_nm: float
    n_atoms: int
    energy_kV: float


def nearest_neighbour_A(phase: Phase) -> float:
    """Shortest interatomic distance in the structure, in Å."""
    atoms = phase.atoms
    shifts = np.array([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])
    frac = (
        atoms.fractional[:, None, None, :] - atoms.fractional[None, :, None, :] + shifts[None, None]
    )
    distances = np.linalg.norm(phase.lattice.cartesian(frac), axis=-1)
    return float(distances[distances > 1e-6].min())


def build_cluster(phase: Phase, *, grain_diameter_nm: float) -> Cluster:
    """Cut a spherical grain of diameter ``grain_diameter_nm`` (nm) centred on an atom of
    ``phase``."""
    if not (math.isfinite(grain_diameter_nm) and grain_diameter_nm > 0):
        raise ValueError(f"grain diameter {grain_diameter_nm!r} nm must be positive, e.g. 3")
    radius = grain_diameter_nm * 5.0 + nearest_neighbour_A(phase) / 2.0
    atoms = phase.atoms
    reach = [
        int(math.ceil(radius * np.linalg.norm(row))) + 1 for row in phase.lattice.reciprocal_basis
    ]
    grid = np.stack(np.meshgrid(*[np.arange(-n, n + 1) for n in reach], indexing="ij"), -1).reshape(
        -1, 1, 3
    )
    frac = (grid + atoms.fractional[None] - atoms.fractional[0]).reshape(-1, 3)
    keep = np.linalg.norm(phase.lattice.cartesian(frac), axis=1) <= radius + 1e-9
    count = int(keep.sum())
    if count > _MAX_ATOMS:
        raise ValueError(
            f"a {grain_diameter_nm} nm grain of {phase.name} has {count} atoms; "
            f"keep it under {_MAX_ATOMS} (about 10 nm)"
        )
    index = np.tile(np.arange(len(atoms.elements)), len(grid))[keep]
    return Cluster(
        tuple(atoms.elements[i] for i in index),
        atoms.occupancy[index],
        phase.lattice.cartesian(frac[keep]),
        float(grain_diameter_nm),
    )


def _species(cluster: Cluster) -> tuple[list[tuple[str, float]], np.ndarray]:
    keys = list(zip(cluster.elements, np.round(cluster.occupancy, 6)))
    species = sorted(set(keys))
    return species, np.array([species.index(k) for k in keys])


def pair_histogram(cluster: Cluster, *, bin_A: float = 0.001):
    """Pair-distance histogram per species pair.

    Returns
    -------
    species : list of (element, occupancy)
    pairs : list of (s1, s2, r_A, counts)
        Unordered species pair (s1 <= s2), mean distance (Å) and pair count of
        every non-empty bin (each unordered atom pair counted once).
    """
    species, kind = _species(cluster)
    positions, n_kinds = cluster.positions_A, len(species)
    n_bins = int(np.ceil(2 * np.max(np.linalg.norm(positions, axis=1)) / bin_A)) + 2
    counts = np.zeros(n_kinds * n_kinds * n_bins)
    sums = np.zeros_like(counts)
    block = max(1, 4_000_000 // max(len(positions), 1))
    for start in range(0, len(positions) - 1, block):
        rows = np.arange(start, min(start + block, len(positions) - 1))
        r = np.linalg.norm(positions[rows, None, :] - positions[None, :, :], axis=-1)
        upper = np.arange(len(positions))[None, :] > rows[:, None]
        lo = np.minimum(kind[rows, None], kind[None, :])
        hi = np.maximum(kind[rows, None], kind[None, :])
        flat = ((lo * n_kinds + hi) * n_bins + np.rint(r / bin_A).astype(np.int64))[upper]
        counts += np.bincount(flat, minlength=counts.size)
        sums += np.bincount(flat, weights=r[upper], minlength=counts.size)
    pairs = []
    for s1 in range(n_kinds):
        for s2 in range(s1, n_kinds):
            sl = slice((s1 * n_kinds + s2) * n_bins, (s1 * n_kinds + s2 + 1) * n_bins)
            filled = counts[sl] > 0
            if filled.any():
                pairs.append((s1, s2, sums[sl][filled] / counts[sl][filled], counts[sl][filled]))
    return species, pairs


def _scattering(species, q, energy_kV) -> np.ndarray:
    gamma = relativistic_factor(energy_kV)
    return np.array([gamma * occ * electron_scattering_factor(el, q) for el, occ in species])


def debye_intensity(
    cluster: Cluster, q_per_A, *, energy_kV: float = 300.0, bin_A: float = 0.001
) -> np.ndarray:
    """Debye-equation intensity per atom (Å²) on ``q_per_A`` (1/Å) from histogrammed pair
    distances."""
    q = np.asarray(q_per_A, dtype=float)
    species, pairs = pair_histogram(cluster, bin_A=bin_A)
    f = _scattering(species, q, energy_kV)
    _, kind = _species(cluster)
    total = np.sum(f[kind] ** 2, axis=0)
    for s1, s2, r, n in pairs:
        total += 2.0 * f[s1] * f[s2] * (np.sinc(2.0 * np.outer(q, r)) @ n)
    return total / len(cluster.elements)


def debye_intensity_direct(cluster: Cluster, q_per_A, *, energy_kV: float = 300.0) -> np.ndarray:
    """Reference O(N² × n_q) Debye sum over every atom pair (slow; for tests and benchmarks)."""
    q = np.asarray(q_per_A, dtype=float)
    species, kind = _species(cluster)
    f = _scattering(species, q, energy_kV)
    i, j = np.triu_indices(len(kind), k=1)
    r = np.linalg.norm(cluster.positions_A[i] - cluster.positions_A[j], axis=1)
    total = np.sum(f[kind] ** 2, axis=0)
    step = max(1, 8_000_000 // max(len(r), 1))
    for start in range(0, len(q), step):
        sl = slice(start, start + step)
        weights = f[kind[i], sl] * f[kind[j], sl]
        total[sl] += 2.0 * np.sum(weights * np.sinc(2.0 * np.outer(r, q[sl])), axis=0)
    return total / len(kind)


def simulate_ring_profile(
    phase: Phase, *, grain_diameter_nm: float, q_per_A=None, energy_kV: float = 300.0
) -> RingProfile:
    """Ring profile of a spherical grain of ``phase``.

    Parameters
    ----------
    phase : Phase
    grain_diameter_nm : float
        Grain diameter in nm (0.3 for unit-cell clusters, 3 for nanocrystals).
    q_per_A : array_like, optional
        q = 1/d grid in 1/Å; default 0.02-1.5 /Å in 0.002 steps.
    energy_kV : float
        Beam energy, kV.

    Returns
    -------
    RingProfile
        Intensity per atom with its peaks (d, FWHM, hkl).
    """
    q = DEFAULT_Q if q_per_A is None else np.asarray(q_per_A, dtype=float)
    if q.ndim != 1 or q.size < 3 or not np.all(np.isfinite(q) & (q > 0)) or np.any(np.diff(q) <= 0):
        raise ValueError("q_per_A must be an increasing 1-D grid of positive 1/d values (1/Å)")
    cluster = build_cluster(phase, grain_diameter_nm=grain_diameter_nm)
    intensity = debye_intensity(cluster, q, energy_kV=energy_kV)
    peaks = _peaks(phase, cluster, q, intensity, energy_kV)
    return RingProfile(
        q,
        intensity,
        peaks,
        phase.name,
        float(grain_diameter_nm),
        len(cluster.elements),
        float(energy_kV),
    )


def _peaks(phase, cluster, q, intensity, energy_kV) -> tuple[RingPeak, ...]:
    from scipy.signal import find_peaks, peak_widths  # 1 CPU s with scipy.stats: not at start

    species, kind = _species(cluster)
    f = _scattering(species, q, energy_kV)
    mean_f2 = np.mean(f[kind] ** 2, axis=0)
    mean_f = np.mean(f[kind], axis=0)
    interference = (intensity - mean_f2) / mean_f**2
    table = phase.reflections(d_min_A=1.0 / (q[-1] + 0.1), energy_kV=energy_kV)
    strongest = max((r.intensity for r in table), default=0.0)
    first = min((r.g_per_A for r in table if r.intensity > 1e-3 * strongest), default=q[0])
    region = q >= 0.8 * first
    if region.sum() < 3:
        return ()
    found, _ = find_peaks(interference, prominence=0.03 * float(np.ptp(interference[region])))
    found = found[region[found]]
    if found.size == 0:
        return ()
    widths = peak_widths(interference, found, rel_height=0.5)[0] * np.gradient(q)[found]
    return tuple(
        RingPeak(1.0 / q[i], float(q[i]), float(w), _label(table, q[i], w), float(intensity[i]))
        for i, w in zip(found, widths)
    )


def _label(table, q_peak: float, width: float) -> Index3 | None:
    near = [r for r in table if abs(r.g_per_A - q_peak) <= max(width / 2.0, 0.01)]
    if not near:
        return None
    return max(near, key=lambda r: r.multiplicity * r.intensity).hkl
