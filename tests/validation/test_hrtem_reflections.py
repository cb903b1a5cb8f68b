"""Which reflections the hrtem rows require to be reported (validation.hrtem_reflections)."""

from types import SimpleNamespace

import numpy as np

from validation.hrtem_detectability import detection_probability
from validation.hrtem_reflections import RELIABLE, missed


def _truth():
    """Three reflections of a 100 px image at 0.5 Å/px: (0 1 0) and (1 0 0) at 10 px, (1 1 0)."""
    g = np.array([[-0.2, 0.0], [0.0, 0.2], [-0.2, 0.2]])
    return {"g_rc_per_A": g.tolist(), "pixel_A": 0.5, "hkl": [[0, 1, 0], [1, 0, 0], [1, 1, 0]]}


def test_the_target_rows_require_only_what_an_ideal_detector_reliably_finds():
    """The ideal node test finds reflections of local SNR 5.5 and 6 with probability under 0.99
    and one of SNR 14 above it: with no spot reported, the SNR ≥ 5 rows count three misses, the
    target rows one."""
    truth, nothing = _truth(), SimpleNamespace(spots=())
    snr = np.array([6.0, 14.0, 5.5])
    assert detection_probability(6.0, 6) < RELIABLE < detection_probability(14.0, 6)
    every, lowest = missed(nothing, truth, (100, 100), snr)
    assert every == [1.0, 1.0, 1.0] and lowest == [1.0, 1.0]
    every, lowest = missed(nothing, truth, (100, 100), snr, reliable=True)
    assert every == [1.0] and lowest == [1.0]


def test_a_reported_reflection_is_not_missed():
    truth = _truth()
    spot = SimpleNamespace(row_px=0.4, col_px=10.3)
    every, _ = missed(SimpleNamespace(spots=(spot,)), truth, (100, 100), np.full(3, 20.0))
    assert sorted(every) == [0.0, 1.0, 1.0]
