"""A phase that explains only higher-order spots, not the lattice's basis, is not the image's
phase: the match is withdrawn with the reason; a match of the basis stays."""

from types import SimpleNamespace

import numpy as np

from insitu_tem.analysis.crystal.phases import match_spacings
from insitu_tem.analysis.hrtem.lattice_phase import basis_checked

INDICES = ((1, 0), (0, 1), (1, 1), (1, -1))
FIT = SimpleNamespace(ok=True, indices=INDICES)


def test_a_match_that_misses_the_basis_is_withdrawn_with_the_reason():
    d = np.array([4.066, 4.021, 2.087, 1.8075])
    matches = match_spacings(d, phases=["Cu"])
    assert matches.ok and matches.best.hkl[0] is None
    checked = basis_checked(matches, FIT, (0, 1, 2, 3), d)
    assert not checked.ok and checked.reason.startswith("no phase explains the spots")
    assert "4.066" in checked.reason


def test_a_match_of_the_basis_stays():
    d = np.array([1.8075, 1.8075, 1.278, 1.278])
    matches = match_spacings(d, phases=["Cu"])
    assert basis_checked(matches, FIT, (0, 1, 2, 3), d) is matches
