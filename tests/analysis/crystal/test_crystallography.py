"""Lattice geometry, wavelengths, zone axes and zone indexing."""

import math

import numpy as np
import pytest

from insitu_tem.analysis.crystal.crystallography import (
    UnitCell,
    electron_wavelength_A,
    folded_angle_deg,
    index_spots_in_zone,
    relativistic_factor,
    zone_axis,
)


@pytest.mark.parametrize("kV, picometres", [(80, 4.1757), (200, 2.5079), (300, 1.9687)])
def test_relativistic_wavelengths(kV, picometres):
    assert electron_wavelength_A(kV) * 100 == pytest.approx(picometres, abs=5e-5)


def test_relativistic_factor_at_300_kV():
    assert relativistic_factor(300) == pytest.approx(1.58708, abs=1e-5)


@pytest.mark.parametrize("bad", [0, -200, float("nan")])
def test_bad_voltage_raises(bad):
    with pytest.raises(ValueError, match="kV"):
        electron_wavelength_A(bad)


def test_cubic_and_hexagonal_spacings_match_closed_forms():
    cubic = UnitCell(4.0, 4.0, 4.0)
    assert cubic.d_spacing((1, 1, 1)) == pytest.approx(4 / math.sqrt(3))
    assert cubic.angle_deg((1, 0, 0), (1, 1, 0)) == pytest.approx(45.0)
    assert cubic.angle_deg((1, 1, 1), (1, -1, 0)) == pytest.approx(90.0)
    hexagonal = UnitCell(3.0, 3.0, 5.0, 90, 90, 120)
    h, k, l = 1, 1, 2
    expected = 1 / math.sqrt(4 / 3 * (h * h + h * k + k * k) / 9 + l * l / 25)
    assert hexagonal.d_spacing((h, k, l)) == pytest.approx(expected)


def test_monoclinic_spacing_and_basis_duality():
    cell = UnitCell(7.306, 7.540, 7.692, 90, 90.881, 90)
    beta = math.radians(90.881)
    assert cell.d_spacing((0, 0, 2)) == pytest.approx(7.692 * math.sin(beta) / 2)
    assert cell.d_spacing((2, 0, 0)) == pytest.approx(7.306 * math.sin(beta) / 2)
    assert cell.reciprocal_basis @ cell.basis.T == pytest.approx(np.eye(3), abs=1e-12)
    assert cell.basis[0] == pytest.approx([7.306, 0, 0])
    assert cell.volume_A3 == pytest.approx(7.306 * 7.540 * 7.692 * math.sin(beta))


def test_invalid_cells_raise():
    with pytest.raises(ValueError, match="positive"):
        UnitCell(-1, 2, 3)
    with pytest.raises(ValueError, match="valid cell"):
        UnitCell(3, 3, 3, 150, 150, 150)


def test_zone_axis_is_reduced_cross_product():
    assert zone_axis((1, 1, 0), (0, 0, 2)) == (1, -1, 0)
    assert zone_axis((2, 0, 0), (0, 2, 0)) == (0, 0, 1)
    assert zone_axis((0, 2, 0), (2, 0, 0)) == (0, 0, 1)
    with pytest.raises(ValueError, match="collinear"):
        zone_axis((1, 1, 1), (2, 2, 2))


def test_folded_angle():
    assert folded_angle_deg(170) == pytest.approx(10)
    assert folded_angle_deg(-100) == pytest.approx(80)


@pytest.mark.parametrize("rotation", [0.0, 33.0, 121.0])
def test_index_spots_in_zone_finds_the_cubic_011_zone(rotation):
    cell = UnitCell(4.083, 4.083, 4.083)
    spots = [(2, 0, 0), (1, 1, -1), (1, -1, 1), (0, 2, -2)]
    g = cell.g_vector(spots)
    x_axis = g[0] / np.linalg.norm(g[0])
    y_axis = np.cross(np.array([0, 1, 1]) / math.sqrt(2), x_axis)
    azimuths = np.degrees(np.arctan2(g @ y_axis, g @ x_axis)) + rotation
    families = [
        [[(2, 0, 0), (0, 2, 0), (0, 0, 2), (-2, 0, 0), (0, -2, 0), (0, 0, -2)]],
        [[(a, b, c) for a in (1, -1) for b in (1, -1) for c in (1, -1)]],
        [[(a, b, c) for a in (1, -1) for b in (1, -1) for c in (1, -1)]],
        [
            [(a, b, 0) for a in (2, -2) for b in (2, -2)]
            + [(a, 0, b) for a in (2, -2) for b in (2, -2)]
            + [(0, a, b) for a in (2, -2) for b in (2, -2)]
        ],
    ]
    result = index_spots_in_zone(cell, families, azimuths, angle_tolerance_deg=1.0)
    assert all(h is not None for h in result.hkl)
    uvw = np.array(result.zone_axis)
    assert sorted(np.abs(uvw)) == [0, 1, 1]
    assert all(np.dot(h, uvw) == 0 for h in result.hkl)
    assert max(result.angle_errors_deg) < 1e-6
