import math

import pytest

from insitu_tem.core.units import normalise_units


@pytest.mark.parametrize(
    "text, units, factor",
    [
        ("nm", "nm", 1.0),
        ("n_m", "nm", 1.0),
        ("µm", "nm", 1e3),
        ("um", "nm", 1e3),
        ("Å", "nm", 0.1),
        ("m", "nm", 1e9),
        ("cm", "nm", 1e7),
        ("1 / nm", "1/nm", 1.0),
        ("1/Å", "1/nm", 10.0),
        ("1 / µm", "1/nm", 1e-3),
        ("nm^-1", "1/nm", 1.0),
        ("eV", "eV", 1.0),
        ("keV", "eV", 1e3),
        ("s", "s", 1.0),
        ("ms", "s", 1e-3),
        ("", "px", 1.0),
        ("<undefined>", "px", 1.0),
    ],
)
def test_unit_strings_map_to_canonical_units(text, units, factor):
    conversion = normalise_units(text)
    assert conversion.units == units
    assert math.isclose(conversion.factor, factor, rel_tol=1e-12)


def test_odd_unit_string_is_understood_with_a_warning():
    conversion = normalise_units("n_m")
    assert conversion.units == "nm" and "n_m" in conversion.warning


def test_unknown_unit_is_kept_and_reported_not_raised():
    conversion = normalise_units("furlongs")
    assert conversion.units == "furlongs" and conversion.factor == 1.0
    assert "not understood" in conversion.warning
