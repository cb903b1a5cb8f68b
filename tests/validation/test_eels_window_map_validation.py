"""Fast subset of validation.eels_window_map: the window map's per-pixel 1σ covers about two
thirds of the errors on generated spectrum images, and the background-fit term is needed."""

from validation import eels_window_map
from validation.stats import summarise


def test_window_map_sigma_covers_about_two_thirds_of_the_pixels():
    full, without_background = (summarise(m) for m in eels_window_map.run(fast=True))
    assert full.n == eels_window_map.FAST * eels_window_map.SIDE**2
    assert 0.55 <= full.coverage_1sigma <= 0.85 and full.coverage_2sigma >= 0.9, full
    assert without_background.coverage_1sigma < 0.5, without_background
