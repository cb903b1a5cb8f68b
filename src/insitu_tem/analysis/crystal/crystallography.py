"""Lattice geometry and electron optics shared by the FFT, NBD and ring analyses.

Conventions used everywhere in insitu-tem:

* reciprocal lengths are **q = 1/d** (the "s" or crystallographic convention,
  no factor 2π), in 1/Å, called ``q_per_A`` or ``g_per_A``;
* a unit cell is (a, b, c) in Å and (alpha, beta, gamma) in degrees, with the
  standard setting of the Cartesian frame: **a** along x, **b** in the x-y plane;
* Miller indices (hkl) index reciprocal-lattice vectors **g** = h **a*** + k **b*** + l **c***,
  zone axes [uvw] index direct-lattice vectors.

Structure factors and reflection families are in :mod:`.reflections`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import constants

Index3 = tuple[int, int, int]


def electron_wavelength_A(kV: float) -> float:
    """Relativistic electron wavelength.

    λ = h / sqrt(2 m₀ e U (1 + e U / (2 m₀ c²))), constants from :mod:`scipy.constants`.

    Parameters
    ----------
    kV : float
        Accelerating voltage U in kV (e.g. 80, 200, 300).

    Returns
    -------
    float
        Wavelength in Å (300 kV: 0.019687 Å = 1.9687 pm).
    """
    if not (math.isfinite(kV) and kV > 0):
        raise ValueError(f"accelerating voltage {kV!r} kV is not positive; give e.g. 300")
    energy_J = constants.e * kV * 1e3
    m0 = constants.m_e
    momentum = math.sqrt(2 * m0 * energy_J * (1 + energy_J / (2 * m0 * constants.c**2)))
    return constants.h / momentum * 1e10


def relativistic_factor(kV: float) -> float:
    """Lorentz factor γ = 1 + e U / (m₀ c²) of electrons accelerated through ``kV`` kilovolts."""
    if not (math.isfinite(kV) and kV > 0):
        raise ValueError(f"accelerating voltage {kV!r} kV is not positive; give e.g. 300")
    return 1.0 + constants.e * kV * 1e3 / (constants.m_e * constants.c**2)


@dataclass(frozen=True)
class UnitCell:
    """Lattice parameters: a, b, c in Å; alpha, beta, gamma in degrees."""

    a: float
    b: float
    c: float
    alpha: float = 90.0
    beta: float = 90.0
    gamma: float = 90.0

    def __post_init__(self) -> None:
        lengths = (self.a, self.b, self.c)
        angles = (self.alpha, self.beta, self.gamma)
        if not all(math.isfinite(v) and v > 0 for v in lengths):
            raise ValueError(f"cell lengths {lengths} must be positive numbers in Å")
        if not all(math.isfinite(v) and 0 < v < 180 for v in angles):
            raise ValueError(f"cell angles {angles} must be between 0 and 180 degrees")
        if not np.linalg.det(self.metric) > 1e-8 * (self.a * self.b * self.c) ** 2:
            raise ValueError(f"cell angles {angles} do not form a valid cell; check the CIF")

    @property
    def metric(self) -> np.ndarray:
        """Direct metric tensor G (3×3, Å²)."""
        ca, cb, cg = (math.cos(math.radians(v)) for v in (self.alpha, self.beta, self.gamma))
        a, b, c = self.a, self.b, self.c
        return np.array(
            [
                [a * a, a * b * cg, a * c * cb],
                [a * b * cg, b * b, b * c * ca],
                [a * c * cb, b * c * ca, c * c],
            ]
        )

    @property
    def reciprocal_metric(self) -> np.ndarray:
        """Reciprocal metric tensor G* = G⁻¹ (3×3, 1/Å²), q = 1/d convention."""
        return np.linalg.inv(self.metric)

    @property
    def volume_A3(self) -> float:
        """Cell volume in Å³."""
        return float(math.sqrt(np.linalg.det(self.metric)))

    @property
    def basis(self) -> np.ndarray:
        """Direct basis vectors as rows (3×3, Å): a along x, b in the x-y plane."""
        return np.linalg.cholesky(self.metric)

    @property
    def reciprocal_basis(self) -> np.ndarray:
        """Reciprocal basis vectors a*, b*, c* as rows (3×3, 1/Å, no 2π)."""
        return np.linalg.inv(self.basis).T

    def d_spacing(self, hkl: Sequence[int] | np.ndarray) -> np.ndarray | float:
        """Interplanar spacing(s) in Å of (hkl), shape (..., 3) -> (...)."""
        q = self.q_length(hkl)
        with np.errstate(divide="ignore"):
            d = 1.0 / q
        return float(d) if np.ndim(d) == 0 else d

    def q_length(self, hkl: Sequence[int] | np.ndarray) -> np.ndarray | float:
        """|g| = 1/d in 1/Å of (hkl), shape (..., 3) -> (...)."""
        h = np.asarray(hkl, dtype=float)
        q2 = np.einsum("...i,ij,...j->...", h, self.reciprocal_metric, h)
        q = np.sqrt(np.maximum(q2, 0.0))
        return float(q) if np.ndim(q) == 0 else q

    def cartesian(self, fractional: np.ndarray) -> np.ndarray:
        """Fractional coordinates (..., 3) -> Cartesian positions in Å."""
        return np.asarray(fractional, dtype=float) @ self.basis

    def g_vector(self, hkl: Sequence[int] | np.ndarray) -> np.ndarray:
        """Cartesian reciprocal vector(s) of (hkl) in 1/Å (no 2π)."""
        return np.asarray(hkl, dtype=float) @ self.reciprocal_basis

    def angle_deg(self, hkl1: Sequence[int], hkl2: Sequence[int]) -> float:
        """Angle between the reciprocal vectors g(hkl1) and g(hkl2), in degrees (0-180)."""
        g1, g2 = self.g_vector(hkl1), self.g_vector(hkl2)
        norm = np.linalg.norm(g1) * np.linalg.norm(g2)
        if norm == 0:
            raise ValueError("(000) has no direction; give non-zero Miller indices")
        return float(np.degrees(np.arccos(np.clip(np.dot(g1, g2) / norm, -1.0, 1.0))))


def zone_axis(hkl1: Sequence[int], hkl2: Sequence[int]) -> Index3:
    """Zone axis [uvw] containing two reflections (Weiss zone law, any lattice).

    [uvw] = h₁ × h₂ reduced by the greatest common divisor, with the first
    non-zero index made positive.

    Raises
    ------
    ValueError
        When the two reflections are collinear (no unique zone).
    """
    uvw = np.cross(np.asarray(hkl1, dtype=int), np.asarray(hkl2, dtype=int))
    if not uvw.any():
        raise ValueError(
            f"{tuple(hkl1)} and {tuple(hkl2)} are collinear; pick two non-parallel spots"
        )
    return _reduced(uvw)


def _reduced(indices: np.ndarray) -> Index3:
    divisor = math.gcd(*(int(abs(v)) for v in indices))
    reduced = np.asarray(indices, dtype=int) // divisor
    first = reduced[np.flatnonzero(reduced)[0]]
    reduced = reduced if first > 0 else -reduced
    return (int(reduced[0]), int(reduced[1]), int(reduced[2]))


def parse_symmetry_operations(triplets: Sequence[str]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Space-group operations from ``x,y,z`` triplets (parsed by gemmi).

    Returns
    -------
    tuple of (rotation, translation)
        Rotation (3×3) and translation (3,) acting on fractional coordinates:
        x' = R x + t.
    """
    return _parse_cached(tuple(triplets))


@functools.lru_cache(maxsize=64)
def _parse_cached(triplets: tuple[str, ...]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    import gemmi

    parsed = []
    for triplet in triplets:
        try:
            op = gemmi.Op(triplet)
        except (RuntimeError, ValueError) as error:
            raise ValueError(f"symmetry operation {triplet!r} cannot be read ({error})") from error
        parsed.append(
            (np.array(op.rot, dtype=float) / op.DEN, np.array(op.tran, dtype=float) / op.DEN)
        )
    return tuple(parsed)


def expand_position(xyz: Sequence[float], operations, *, tolerance: float = 1e-3) -> np.ndarray:
    """Distinct images (n, 3) in [0, 1) of one fractional position under the operations."""
    images = np.array(
        [(rot @ np.asarray(xyz, dtype=float) + tran) % 1.0 for rot, tran in operations]
    )
    kept: list[np.ndarray] = []
    for position in images:
        if not any(
            np.all(np.abs((position - other + 0.5) % 1.0 - 0.5) < tolerance) for other in kept
        ):
            kept.append(position)
    return np.array(kept)


def representative_key(hkl: Index3) -> tuple:
    """Sort key choosing the conventional member of a family: most non-negative indices, then
    largest."""
    return (sum(v >= 0 for v in hkl), tuple(hkl))


def folded_angle_deg(angle_deg: float | np.ndarray) -> float | np.ndarray:
    """Angle between two lines (spot directions whose sign is arbitrary), folded into 0-90°."""
    a = np.mod(np.asarray(angle_deg, dtype=float), 180.0)
    folded = np.minimum(a, 180.0 - a)
    return float(folded) if np.ndim(folded) == 0 else folded


@dataclass(frozen=True)
class ZoneIndexing:
    """Miller indices assigned to spots in one zone.

    Attributes
    ----------
    hkl : tuple
        Indices per spot (None where no candidate fits the angles).
    zone_axis : tuple of int or None
        [uvw] of the zone, None when the spots are collinear.
    angle_errors_deg : tuple of float
        |measured - predicted| folded angle for every assigned non-anchor spot, degrees.
    """

    hkl: tuple[Index3 | None, ...]
    zone_axis: Index3 | None
    angle_errors_deg: tuple[float, ...]


def index_spots_in_zone(
    cell: UnitCell,
    families: Sequence[Sequence[Sequence[Index3]]],
    azimuths_deg: Sequence[float],
    *,
    angle_tolerance_deg: float = 2.0,
) -> ZoneIndexing:
    """Assign hkl to Friedel-reduced spots so that all angles fit and all lie in one zone.

    Parameters
    ----------
    cell : UnitCell
    families : sequence
        Per spot, the candidate families allowed by its d-spacing; each family
        is the sequence of its symmetry-equivalent indices (Friedel mates included).
    azimuths_deg : sequence of float
        Direction of each spot's g in the image, degrees.
    angle_tolerance_deg : float
        Largest accepted angle error, degrees.

    Returns
    -------
    ZoneIndexing
        The assignment explaining most spots, then with the smallest RMS angle error.
        The first spot with candidates is the anchor (its family representative).
    """
    angles = np.asarray(azimuths_deg, dtype=float)
    spots = [i for i, options in enumerate(families) if options]
    if not spots:
        return ZoneIndexing((None,) * len(families), None, ())
    anchor, tol = spots[0], angle_tolerance_deg
    measured = lambda i, j: folded_angle_deg(angles[i] - angles[j])  # noqa: E731
    second = next((j for j in spots[1:] if measured(anchor, j) > 5 * tol), None)
    best = (0, math.inf, ZoneIndexing((None,) * len(families), None, ()))
    for family in families[anchor]:
        g0 = max(family, key=representative_key)
        partners = (
            []
            if second is None
            else [
                h
                for h in _in_zone(
                    cell, families[second], None, [(g0, measured(anchor, second))], tol
                )
                if np.cross(g0, h[0]).any()
            ]
        )
        for g1 in [p[0] for p in partners] or [None]:
            uvw = zone_axis(g0, g1) if g1 is not None else None
            hkl, errors = [None] * len(families), []
            hkl[anchor] = g0
            for j in spots[1:]:
                rules = [(g0, measured(anchor, j))] + (
                    [(g1, measured(second, j))] if g1 is not None else []
                )
                fits = _in_zone(cell, families[j], uvw, rules, tol)
                if fits:
                    hkl[j], error = min(fits, key=lambda f: f[1])
                    errors.append(error)
            count = sum(h is not None for h in hkl)
            rms = float(np.sqrt(np.mean(np.square(errors)))) if errors else 0.0
            if (count, -rms) > (best[0], -best[1]):
                best = (count, rms, ZoneIndexing(tuple(hkl), uvw, tuple(errors)))
    return best[2]


def _in_zone(cell, families, uvw, rules, tol) -> list[tuple[Index3, float]]:
    fits = []
    for family in families:
        for h in family:
            if h[np.flatnonzero(h)[0]] < 0 or (uvw is not None and np.dot(h, uvw) != 0):
                continue
            worst = max(abs(folded_angle_deg(cell.angle_deg(g, h)) - target) for g, target in rules)
            if worst <= tol:
                fits.append((tuple(h), float(worst)))
    return fits
