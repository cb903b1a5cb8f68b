"""The split of the movie rows' median by tracker step counts the central half of the errors."""

import numpy as np

from validation.movie_split import PARTS, central_split


def _rows(table: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return {r[0].strip(): [c.strip() for c in r[1:]] for r in rows[1:]}


def test_the_largest_part_of_the_central_half_is_counted_and_removed():
    rng = np.random.default_rng(1)
    levels = rng.normal(0.0, 1.0, 400)
    parts = {
        "trajectory": np.zeros(400),
        "levels": levels,
        "drift": rng.normal(0.0, 0.01, 400),
        "rest": np.zeros(400),
    }
    errors = sum(parts.values())
    rows = _rows(central_split(errors, parts))
    assert list(rows) == list(PARTS)
    assert int(rows["levels"][1]) == 200
    assert float(rows["levels"][2].split()[0]) < 0.02
    assert float(rows["trajectory"][2].split()[0]) == float(f"{np.median(np.abs(errors)):.3f}")


def test_frames_whose_true_level_fit_failed_are_left_out():
    parts = {k: np.array([0.1, 0.2, 0.3, np.nan]) for k in PARTS}
    table = central_split(np.array([0.4, 0.8, 1.2, 9.0]), parts)
    assert table.startswith("3 of 4 frames split, median |e| 0.800 px")
