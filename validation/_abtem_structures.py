"""Crystal structures for the abTEM corpus, built with ASE from published lattice parameters.

Truth for every measurement is the lattice of these structures (the cell after
rotation), never a number from ``insitu_tem``. γ-WO3 uses the monoclinic P2₁/n
cell of Loopstra & Rietveld (1969) with the W and O sites of an ideal ReO3
2×2×2 supercell displaced by a few hundredths of a cell (a simplified tilt and
off-centring pattern): spacings come from the cell, intensities are approximate.

References
----------
Loopstra, B. O. & Rietveld, H. M. (1969). Acta Cryst. B25, 1420–1421.
Larsen, A. H. et al. (2017). The atomic simulation environment. J. Phys.: Condens. Matter 29,
273002.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.spacegroup import crystal

LATTICE_A = {
    "W": 3.1652,
    "Li": 3.5093,
    "LiH": 4.083,
    "LiF": 4.0263,
    "Li2O": 4.6114,
    "Si": 5.4310,
    "Cu": 3.6149,
    "WO3-cubic": 3.75,
}
GAMMA_WO3_CELL = (7.306, 7.540, 7.692, 90.0, 90.88, 90.0)


def _gamma_wo3() -> Atoms:
    rng = np.random.default_rng(1969)
    frac_w, frac_o = [], []
    for i, j, k in np.ndindex(2, 2, 2):
        base = np.array([i, j, k]) / 2.0
        frac_w.append(base + 0.25 / 2 + rng.normal(0, 0.01, 3))
        for axis in range(3):
            shift = np.full(3, 0.25 / 2)
            shift[axis] += 0.25
            frac_o.append(base + shift + rng.normal(0, 0.015, 3))
    a, b, c, _, beta, _ = GAMMA_WO3_CELL
    beta_r = np.radians(beta)
    matrix = np.array([[a, 0, 0], [0, b, 0], [c * np.cos(beta_r), 0, c * np.sin(beta_r)]])
    return Atoms(
        "W8O24", scaled_positions=np.mod(np.array(frac_w + frac_o), 1.0), cell=matrix, pbc=True
    )


def unit_cell(name: str) -> Atoms:
    """Conventional cell of a corpus phase (Å)."""
    if name == "γ-WO3":
        return _gamma_wo3()
    a = LATTICE_A[name]
    if name in ("W", "Li"):
        return bulk(name, "bcc", a=a, cubic=True)
    if name == "Cu":
        return bulk(name, "fcc", a=a, cubic=True)
    if name == "Si":
        return bulk(name, "diamond", a=a, cubic=True)
    if name in ("LiH", "LiF"):
        return bulk(name, "rocksalt", a=a, cubic=True)
    if name == "Li2O":
        return crystal(
            ["O", "Li"],
            [(0, 0, 0), (0.25, 0.25, 0.25)],
            spacegroup=225,
            cellpar=[a, a, a, 90, 90, 90],
        )
    if name == "WO3-cubic":
        return crystal(
            ["W", "O"], [(0, 0, 0), (0.5, 0, 0)], spacegroup=221, cellpar=[a, a, a, 90, 90, 90]
        )
    raise ValueError(f"unknown corpus phase {name!r}")


def orientation(
    cell: Atoms, zone_uvw, *, rotation_deg: float, tilt_deg: tuple[float, float]
) -> np.ndarray:
    """Rotation matrix taking crystal (Cartesian, Å) to the lab: zone [uvw] along z, then
    ``rotation_deg`` about z, then a mistilt (about x, about y) in degrees."""
    zone = np.asarray(zone_uvw, float) @ cell.cell.array
    zone /= np.linalg.norm(zone)
    seed = np.eye(3)[int(np.argmin(np.abs(zone)))]
    x = seed - zone * (seed @ zone)
    x /= np.linalg.norm(x)
    to_zone = np.array([x, np.cross(zone, x), zone])

    def about(axis: int, degrees: float) -> np.ndarray:
        c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
        i, j = [k for k in range(3) if k != axis]
        m = np.eye(3)
        m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
        return m

    return about(1, tilt_deg[1]) @ about(0, tilt_deg[0]) @ about(2, rotation_deg) @ to_zone


def crystal_cylinder(
    cell: Atoms, rotation: np.ndarray, *, diameter_A: float, thickness_A: float, box_A: float
) -> Atoms:
    """Atoms of a crystal cylinder (axis z) of the given size, centred in a square box
    (non-periodic)."""
    reach = 0.5 * np.hypot(diameter_A, thickness_A) + 2.0 * max(cell.cell.lengths())
    inverse = np.linalg.inv(cell.cell.array)
    corners = np.array(list(np.ndindex(2, 2, 2)), float) * 2 - 1
    span = np.abs(corners * reach @ rotation @ inverse).max(axis=0)
    n = np.ceil(span).astype(int) + 1
    grid = np.stack(np.meshgrid(*[np.arange(-k, k + 1) for k in n], indexing="ij"), -1).reshape(
        -1, 3
    )
    origins = grid @ cell.cell.array
    positions = (origins[:, None, :] + cell.positions[None]).reshape(-1, 3) @ rotation.T
    numbers = np.tile(cell.numbers, len(origins))
    inside = (np.hypot(positions[:, 0], positions[:, 1]) <= diameter_A / 2) & (
        np.abs(positions[:, 2]) <= thickness_A / 2
    )
    atoms = Atoms(numbers=numbers[inside], positions=positions[inside])
    atoms.cell = [box_A, box_A, thickness_A + 4.0]
    atoms.positions += [box_A / 2, box_A / 2, thickness_A / 2 + 2.0]
    return atoms


def amorphous(
    symbol: str, *, box_A: float, thickness_A: float, density_per_A3: float, seed: int
) -> Atoms:
    """Random close packing-like amorphous slab: uniform random atoms with a 1.8 Å minimum
    distance."""
    rng = np.random.default_rng(seed)
    n = int(density_per_A3 * box_A * box_A * thickness_A)
    points = rng.uniform([0, 0, 0], [box_A, box_A, thickness_A], (3 * n, 3))
    cells = np.floor(points / 1.8).astype(int)
    _, first = np.unique(cells, axis=0, return_index=True)
    points = points[np.sort(first)][:n]
    atoms = Atoms(
        symbol * len(points) if len(symbol) <= 2 else symbol, positions=points + [0, 0, 2.0]
    )
    atoms.cell = [box_A, box_A, thickness_A + 4.0]
    return atoms


def zone_g_vectors(
    cell: Atoms, zone_uvw, rotation: np.ndarray, *, g_max_per_A: float, h_max: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """(hkl (n, 3), lab g (n, 3) in 1/Å) of every (hkl) with hkl·uvw = 0 and |g| ≤ g_max.

    Extinctions are not applied here: the corpus decides what should be seen
    from the noise-free simulation itself (see ``visible`` in abtem_corpus).
    """
    reciprocal = cell.cell.reciprocal()
    hkl = np.array([h for h in np.ndindex(*(2 * h_max + 1,) * 3)]) - h_max
    hkl = hkl[(hkl @ np.asarray(zone_uvw) == 0) & np.any(hkl != 0, axis=1)]
    g = hkl @ reciprocal @ rotation.T
    keep = np.linalg.norm(g, axis=1) <= g_max_per_A
    return hkl[keep], g[keep]
