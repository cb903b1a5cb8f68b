"""Kinematic electron diffraction: structure factors and reflection families.

Every (hkl) inside a reciprocal-space sphere is enumerated, its kinematic
structure factor computed from the atoms of the unit cell, and the allowed
reflections grouped into families of symmetry-equivalent indices. Conventions
(q = 1/d in 1/Å, cell setting) are those of :mod:`.crystallography`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from insitu_tem.analysis.crystal.crystallography import (
    Index3,
    UnitCell,
    relativistic_factor,
    representative_key,
)


@dataclass(frozen=True)
class Reflection:
    """One family of symmetry-equivalent reflections {hkl}.

    Attributes
    ----------
    hkl : tuple of int
        Representative Miller indices (all indices >= 0 when the symmetry allows).
    d_A : float
        Interplanar spacing in Å.
    g_per_A : float
        Reciprocal length q = 1/d in 1/Å.
    intensity : float
        Kinematic intensity of ONE reflection, |F|² in Å² (relativistic electron
        scattering factors, Debye-Waller factor included). A powder ring scales as
        ``multiplicity * intensity``.
    multiplicity : int
        Number of distinct reflections in the family (Friedel mates counted).
    """

    hkl: Index3
    d_A: float
    g_per_A: float
    intensity: float
    multiplicity: int


def hkl_within(cell: UnitCell, q_max_per_A: float) -> np.ndarray:
    """Every (hkl) ≠ (000) with |g| <= ``q_max_per_A`` (1/Å), as an (n, 3) int array."""
    limits = [int(math.floor(q_max_per_A * length + 1e-9)) for length in (cell.a, cell.b, cell.c)]
    axes = [np.arange(-n, n + 1) for n in limits]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    q = np.atleast_1d(cell.q_length(grid))
    return grid[(q > 0) & (q <= q_max_per_A * (1 + 1e-9))]


@dataclass(frozen=True)
class UnitCellAtoms:
    """Every atom of one unit cell.

    Attributes
    ----------
    elements : tuple of str
        Element symbol per atom.
    fractional : numpy.ndarray
        Fractional positions, shape (N, 3).
    occupancy : numpy.ndarray
        Occupancies (N,).
    B_A2 : numpy.ndarray
        Isotropic Debye-Waller factors B = 8π²⟨u²⟩ (N,), Å².
    """

    elements: tuple[str, ...]
    fractional: np.ndarray
    occupancy: np.ndarray
    B_A2: np.ndarray


def structure_factor(
    cell: UnitCell, atoms: UnitCellAtoms, hkl, *, energy_kV: float = 300.0
) -> np.ndarray:
    """Kinematic electron structure factor.

    F(hkl) = γ Σⱼ oⱼ fⱼ(q) exp(-Bⱼ q²/4) exp(2πi h·xⱼ), q = 1/d, with the
    electron scattering factors of :mod:`.scattering_factors` (Lobato & Van Dyck).

    Parameters
    ----------
    cell : UnitCell
    atoms : UnitCellAtoms
    hkl : array_like
        Miller indices, shape (..., 3).
    energy_kV : float
        Beam energy (relativistic factor γ), kV.

    Returns
    -------
    numpy.ndarray
        Complex F in Å, shape (...).
    """
    from insitu_tem.analysis.crystal.scattering_factors import electron_scattering_factor

    h = np.asarray(hkl, dtype=float)
    flat = h.reshape(-1, 3)
    q = np.atleast_1d(cell.q_length(flat))
    amplitude = np.zeros((flat.shape[0], len(atoms.elements)))
    for element in set(atoms.elements):
        columns = np.array([e == element for e in atoms.elements])
        amplitude[:, columns] = electron_scattering_factor(element, q)[:, None]
    amplitude *= atoms.occupancy[None, :] * np.exp(-np.outer(q**2, atoms.B_A2) / 4.0)
    total = np.sum(amplitude * np.exp(2j * np.pi * flat @ atoms.fractional.T), axis=1)
    return (relativistic_factor(energy_kV) * total).reshape(h.shape[:-1])


def equivalent_indices(hkl: Sequence[int], rotations: np.ndarray) -> tuple[Index3, ...]:
    """Distinct images of (hkl) under reciprocal-space rotations (n, 3, 3), sorted."""
    images = np.einsum("i,nij->nj", np.asarray(hkl, dtype=int), rotations)
    return tuple(sorted({(int(h), int(k), int(l)) for h, k, l in images}))


def reflection_families(
    cell: UnitCell,
    atoms: UnitCellAtoms,
    rotations: np.ndarray,
    *,
    d_min_A: float,
    energy_kV: float,
    extinct: float = 1e-6,
) -> tuple[Reflection, ...]:
    """Allowed reflection families with d >= ``d_min_A`` (Å), sorted by decreasing d.

    A reflection is allowed when |F|² exceeds ``extinct`` times the strongest
    one's; ``rotations`` (Friedel mates included) group it into families.
    """
    hkl = hkl_within(cell, 1.0 / d_min_A)
    if len(hkl) == 0:
        return ()
    intensity = np.abs(structure_factor(cell, atoms, hkl, energy_kV=energy_kV)) ** 2
    allowed = intensity > extinct * intensity.max()
    lookup = {
        tuple(int(v) for v in row): float(i) for row, i in zip(hkl[allowed], intensity[allowed])
    }
    families, seen = [], set()
    for index in lookup:
        if index in seen:
            continue
        members = equivalent_indices(index, rotations)
        seen.update(members)
        representative = max(members, key=representative_key)
        d = float(cell.d_spacing(representative))
        families.append(Reflection(representative, d, 1.0 / d, lookup[index], len(members)))
    return tuple(sorted(families, key=lambda r: (-r.d_A, r.hkl)))
