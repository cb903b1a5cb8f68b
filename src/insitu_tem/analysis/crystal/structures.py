"""Crystal structure of a reference phase: atoms, symmetry, allowed reflections.

Allowed reflections come from the kinematic structure factor

    F(hkl) = γ Σⱼ oⱼ fⱼ(q) exp(-Bⱼ q²/4) exp(2πi (h xⱼ + k yⱼ + l zⱼ)),   q = 1/d,

summed over every atom of the unit cell (symmetry-expanded) with the electron
scattering factors of :mod:`.scattering_factors` — extinctions (bcc, fcc,
diamond, screw axes, glides) follow from it, not from a list.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from insitu_tem.analysis.crystal.crystallography import (
    Index3,
    UnitCell,
    expand_position,
    parse_symmetry_operations,
    zone_axis,
)
from insitu_tem.analysis.crystal.reflections import (
    Reflection,
    UnitCellAtoms,
    equivalent_indices,
    reflection_families,
    structure_factor,
)


@dataclass(frozen=True)
class Site:
    """One atom of the asymmetric unit.

    Attributes
    ----------
    element : str
        Element symbol (neutral atom).
    xyz : tuple of float
        Fractional coordinates.
    occupancy : float
        Site occupancy, 0-1.
    B_A2 : float
        Isotropic Debye-Waller factor B = 8π²⟨u²⟩ in Å².
    label : str
        Site label from the CIF.
    """

    element: str
    xyz: tuple[float, float, float]
    occupancy: float = 1.0
    B_A2: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class Phase:
    """A crystal structure.

    Attributes
    ----------
    name : str
        Library name, e.g. ``"γ-WO3"``.
    lattice : UnitCell
        a, b, c in Å; alpha, beta, gamma in degrees.
    sites : tuple of Site
        Asymmetric unit.
    space_group : str
        Hermann-Mauguin symbol (with origin choice when it matters).
    symmetry_operations : tuple of str
        Every operation of the space group as an ``x,y,z`` triplet (centring included).
    source : str
        Literature reference of the structure.
    """

    name: str
    lattice: UnitCell
    sites: tuple[Site, ...]
    space_group: str
    symmetry_operations: tuple[str, ...]
    source: str = ""

    @functools.cached_property
    def atoms(self) -> UnitCellAtoms:
        """The unit cell's atoms, generated from the sites by the symmetry operations."""
        ops = parse_symmetry_operations(self.symmetry_operations)
        elements, positions, occupancy, b_factor = [], [], [], []
        for site in self.sites:
            for position in expand_position(site.xyz, ops):
                elements.append(site.element)
                positions.append(position)
                occupancy.append(site.occupancy)
                b_factor.append(site.B_A2)
        return UnitCellAtoms(
            tuple(elements), np.array(positions), np.array(occupancy), np.array(b_factor)
        )

    @functools.cached_property
    def reciprocal_rotations(self) -> np.ndarray:
        """Point-group rotations acting on row vectors of Miller indices (n, 3, 3), Friedel mates
        included."""
        operations = parse_symmetry_operations(self.symmetry_operations)
        rotations = {tuple(np.rint(rot).astype(int).ravel()) for rot, _ in operations}
        mats = [np.array(r).reshape(3, 3) for r in sorted(rotations)]
        return np.array(mats + [-m for m in mats])

    def d_spacing(self, hkl: Sequence[int]) -> float:
        """Interplanar spacing of (hkl) in Å."""
        return float(self.lattice.d_spacing(hkl))

    def angle_deg(self, hkl1: Sequence[int], hkl2: Sequence[int]) -> float:
        """Angle between g(hkl1) and g(hkl2) in degrees."""
        return self.lattice.angle_deg(hkl1, hkl2)

    def zone_axis(self, hkl1: Sequence[int], hkl2: Sequence[int]) -> Index3:
        """Zone axis [uvw] of two non-collinear reflections (h₁ × h₂, reduced)."""
        return zone_axis(hkl1, hkl2)

    def equivalents(self, hkl: Sequence[int]) -> tuple[Index3, ...]:
        """Symmetry-equivalent Miller indices of (hkl), Friedel mates included, sorted."""
        return equivalent_indices(hkl, self.reciprocal_rotations)

    def structure_factor(self, hkl, *, energy_kV: float = 300.0) -> np.ndarray:
        """Kinematic electron structure factor F(hkl) in Å (complex), shape (..., 3) -> (...)."""
        return structure_factor(self.lattice, self.atoms, hkl, energy_kV=energy_kV)

    def reflections(
        self, *, d_min_A: float = 1.0, energy_kV: float = 300.0
    ) -> tuple[Reflection, ...]:
        """Allowed reflection families with d >= ``d_min_A``, sorted by decreasing d.

        A family is allowed when its |F|² exceeds 1e-6 of the strongest one's
        (systematic absences vanish to rounding error).

        Parameters
        ----------
        d_min_A : float
            Smallest spacing to list, in Å.
        energy_kV : float
            Beam energy in kV (relativistic scaling of f).
        """
        if not (math.isfinite(d_min_A) and d_min_A > 0):
            raise ValueError(f"d_min_A {d_min_A!r} must be a positive spacing in Å, e.g. 1.0")
        return _reflection_table(self, float(d_min_A), float(energy_kV))


@functools.lru_cache(maxsize=128)
def _reflection_table(phase: Phase, d_min_A: float, energy_kV: float) -> tuple[Reflection, ...]:
    return reflection_families(
        phase.lattice, phase.atoms, phase.reciprocal_rotations, d_min_A=d_min_A, energy_kV=energy_kV
    )
