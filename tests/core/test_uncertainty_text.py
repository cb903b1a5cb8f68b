import math

import pytest

from insitu_tem.core.uncertainty_text import si_value, si_value_with_sigma, value_with_sigma


@pytest.mark.parametrize(
    ("value", "sigma", "text"),
    [
        (-72.66, 4.71, "-72.7 ± 4.7"),
        (0.4992, 0.0068, "0.4992 ± 0.0068"),
        (-0.0191, 0.0996, "-0.02 ± 0.10"),
        (12345.0, 1234.0, "12300 ± 1200"),
        (2.0, 0.0995, "2.00 ± 0.10"),
        (0.5, 0.0, "0.5"),
        (1.0, math.nan, "1 ± ?"),
    ],
)
def test_value_is_rounded_to_the_decimal_place_of_its_two_digit_sigma(value, sigma, text):
    assert value_with_sigma(value, sigma) == text


def test_one_significant_digit_of_sigma_when_asked():
    assert value_with_sigma(3.14159, 0.0234, sigma_digits=1) == "3.14 ± 0.02"


def test_si_prefixed_values_round_before_choosing_the_prefix():
    assert si_value(-8.17e-14, "A") == "-81.7 fA"
    assert si_value(0.99996, "V") == "1 V"
    assert si_value(0.0, "A") == "0 A"
    assert si_value_with_sigma(-9.874e-14, 5.5e-14, "C") == "-99 ± 55 fC"
    assert si_value_with_sigma(-3.844e-12, 5.9e-14, "C") == "-3.844 ± 0.059 pC"


@pytest.mark.parametrize(
    ("value", "sigma", "text"),
    [
        (0.9999999999975, 8.1e-13, "1 ± 8.1e-13"),
        (83058962093.6, 4152948104.7, "(8.31 ± 0.42) × 10¹⁰"),
        (1e-12, 7.8e-13, "(1.00 ± 0.78) × 10⁻¹²"),
        (4359480.4, 7439.4, "4359500 ± 7400"),
    ],
)
def test_extreme_magnitudes_share_a_power_of_ten_and_a_negligible_sigma_stands_apart(
    value, sigma, text
):
    """Before: '0.99999999999750 ± 0.00000000000081' (an NMF end member's fraction),
    '83100000000 ± 4200000000' (dose in e/Å² of a 3 × 3 px stack), and
    '0.00000000000100 ± 0.00000000000078'."""
    assert value_with_sigma(value, sigma) == text
