"""Electron scattering factors: physical limits and two independent published tables."""

import numpy as np
import pytest
from scipy import constants

from insitu_tem.analysis.crystal.scattering_factors import (
    ATOMIC_NUMBER,
    KIRKLAND,
    LOBATO,
    ELEMENTS,
    electron_scattering_factor,
)

BOHR_A = constants.physical_constants["Bohr radius"][0] * 1e10
REQUIRED = (
    "Li",
    "O",
    "H",
    "F",
    "W",
    "Cu",
    "Si",
    "Na",
    "Ca",
    "Nb",
    "Sr",
    "Ti",
    "C",
    "P",
    "Bi",
    "V",
    "Al",
)


def test_every_required_element_is_tabulated():
    assert set(REQUIRED) <= set(ELEMENTS)


@pytest.mark.parametrize("table", ["lobato", "kirkland"])
def test_hydrogen_forward_amplitude_is_the_bohr_radius(table):
    # Mott-Bethe for the 1s hydrogen atom gives f_e(0) = a0 exactly.
    assert electron_scattering_factor("H", 0.0, table=table) == pytest.approx(BOHR_A, rel=2e-3)


@pytest.mark.parametrize("element", REQUIRED)
def test_high_q_limit_is_the_bare_nucleus(element):
    # f_e(q) -> Z / (2 pi^2 a0 q^2) minus the X-ray form factor, which is small at q = 6 /Å.
    q = 6.0
    ratio = (
        electron_scattering_factor(element, q)
        * 2
        * np.pi**2
        * BOHR_A
        * q**2
        / ATOMIC_NUMBER[element]
    )
    assert 0.85 < ratio <= 1.0


@pytest.mark.parametrize("element", REQUIRED)
def test_lobato_and_kirkland_tables_agree(element):
    q = np.linspace(0.0, 2.0, 201)
    lobato = electron_scattering_factor(element, q)
    kirkland = electron_scattering_factor(element, q, table="kirkland")
    assert np.max(np.abs(lobato / kirkland - 1)) < 0.05
    assert np.max(np.abs(lobato / kirkland - 1)[q >= 0.3]) < 0.02
    assert np.all(np.diff(lobato) < 0)


def test_published_forward_amplitudes_order_with_size():
    f0 = {el: float(electron_scattering_factor(el, 0.0)) for el in ("O", "Si", "Cu", "W")}
    assert f0["O"] == pytest.approx(2.03, abs=0.05)
    assert f0["O"] < f0["Cu"] < f0["Si"] < f0["W"]


def test_shapes_and_ionic_labels():
    q = np.zeros((2, 3))
    assert electron_scattering_factor("W6+", q).shape == (2, 3)
    assert electron_scattering_factor("o2-", 0.5) == pytest.approx(
        electron_scattering_factor("O", 0.5)
    )


def test_unknown_element_and_table_raise():
    with pytest.raises(ValueError, match="available"):
        electron_scattering_factor("Xe", 0.1)
    with pytest.raises(ValueError, match="table"):
        electron_scattering_factor("W", 0.1, table="doyle")


def test_the_tables_read_from_the_package_data_file_keep_their_published_values():
    # Coefficients and amplitudes as typed from the papers before the tables moved to
    # resources/scattering_factors/electron.json (bit for bit).
    assert LOBATO["W"][0][4] == 0.00010307868938572 and LOBATO["Bi"][1][0] == 5.7528011553608
    assert KIRKLAND["Li"][2][1] == 0.0025173653 and KIRKLAND["W"][3][2] == 0.0338918459
    assert all(len(LOBATO[e][0]) == 5 and len(KIRKLAND[e][0]) == 3 for e in ELEMENTS)
    q = np.array([0.0, 0.5, 2.0])
    for table, total in (("lobato", 165.4917553946371), ("kirkland", 163.9913950775568)):
        summed = sum(float(electron_scattering_factor(e, q, table=table).sum()) for e in ELEMENTS)
        assert summed == pytest.approx(total, rel=1e-14)
