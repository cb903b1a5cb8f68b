"""Kinematic reflections of a zone axis: which spots a crystal shows along [uvw], in the zone's
plane."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.crystal.crystallography import Index3


@dataclass(frozen=True)
class ZoneReflection:
    """A reflection of one zone, in the zone's plane.

    Attributes
    ----------
    hkl : tuple of int
        Miller indices.
    g_xy : tuple of float
        In-plane reciprocal vector, 1/Å (x along the first in-plane axis).
    intensity : float
        Kinematic |F|², Å².
    """

    hkl: Index3
    g_xy: tuple[float, float]
    intensity: float


def zone_reflections(
    phase, zone_uvw, *, q_max_per_A: float, energy_kV: float = 300.0
) -> list[ZoneReflection]:
    """Allowed reflections (hkl)·[uvw] = 0 of ``phase`` with |g| ≤ ``q_max_per_A``.

    Parameters
    ----------
    phase : insitu_tem.analysis.crystal.phases.Phase
        Crystal structure.
    zone_uvw : tuple of int
        Zone axis [uvw].
    q_max_per_A : float
        Largest |g| = 1/d listed, 1/Å.
    energy_kV : float
        Beam energy for the scattering factors, kV.
    """
    zone = np.asarray(zone_uvw, dtype=float)
    normal = zone @ phase.lattice.basis
    normal /= np.linalg.norm(normal)
    seed = np.eye(3)[int(np.argmin(np.abs(normal)))]
    e1 = seed - normal * (seed @ normal)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(normal, e1)
    out = []
    for family in phase.reflections(d_min_A=1.0 / q_max_per_A, energy_kV=energy_kV):
        for hkl in phase.equivalents(family.hkl):
            if abs(np.dot(hkl, zone)) > 1e-9:
                continue
            g = phase.lattice.g_vector(hkl)
            out.append(ZoneReflection(hkl, (float(g @ e1), float(g @ e2)), family.intensity))
    return out
