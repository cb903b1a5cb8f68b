"""Fast subset of the EDS identification validation (validation.eds_identify): on spectra made
by exspy's model, the strong lines put in are found, none is replaced by an overlapping
element, and the rows are there for `make validate`."""

import pytest

from validation import eds_identify
from validation.stats import summarise


def test_strong_lines_are_found_and_the_rows_are_reported():
    rows = eds_identify.run(fast=True)
    names = [row.name for row in rows]
    assert len(rows) == 9 and names[0].startswith("EDS identification: net counts")
    atomic = rows[2]
    assert "at.%" in atomic.name and atomic.units == "at.%"
    assert atomic.errors.size >= 2 and all(atomic.sigmas > 0)
    offsets = rows[1]
    assert "energy offset" in offsets.name and offsets.units == "eV"
    assert offsets.errors.size >= 1 and all(abs(offsets.errors) < 3 * offsets.sigmas + 1)
    net = summarise(rows[0])
    assert net.n >= 5
    strong = next(r for r in rows if "> 30 σ" in r.name)
    assert strong.errors[0] == 0.0
    wrong = rows[-1]
    assert wrong.errors[0] == 0.0 or wrong.errors[0] != wrong.errors[0]


def test_the_generators_lines_have_a_random_tail_or_none_and_keep_their_counts():
    import numpy as np

    energies = np.arange(-100.0, 20000.0, 10.0)
    lines = 1e5 * np.exp(-0.5 * ((energies - 6400.0) / 58.0) ** 2)
    drawn = [eds_identify.detector_response(lines, energies, seed=s) for s in range(9500, 9530)]
    plain = sum(np.array_equal(d, lines) for d in drawn)
    assert 3 <= plain <= 17
    below = energies < 6000.0
    for d in drawn:
        assert d.sum() == pytest.approx(lines.sum(), rel=1e-3)
        assert d[below].sum() >= lines[below].sum()
    assert max(d[below].sum() for d in drawn) > 0.01 * lines.sum()
