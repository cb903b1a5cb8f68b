"""The held-out EDS corpus with escape and pile-up peaks (validation.eds_escape) adds them where
a silicon detector puts them."""

import numpy as np

from validation import eds_escape, eds_identify


def test_escape_fractions_follow_reed_and_ware_and_the_peaks_are_added_below_their_parents():
    fractions = eds_escape._escape_fraction(np.array([1.7, 2.0, 8.04]))
    assert fractions[0] == 0 and 0.01 < fractions[1] < 0.025 and 0.0005 < fractions[2] < 0.003
    case, plain = eds_escape.make_spectrum(9300), eds_identify.make_spectrum(9300)
    assert case["truth"] == plain["truth"]
    assert case["counts"].sum() > plain["counts"].sum()
