"""The Friedel pairs of spot positions check the direct-beam centre: a diffracted disk that
outshines
the direct beam (thick, slightly tilted crystals) gives an ambiguous centre, not a wrong one."""

import numpy as np

from insitu_tem.analysis.diffraction.centre import find_centre
from insitu_tem.analysis.diffraction.friedel import friedel_vote


def _lattice_pattern(*, centre_rc, bright_hk, rng):
    rows, cols = np.indices((161, 161))
    pattern = np.full(rows.shape, 2.0)
    a, b = np.array([0.0, 21.0]), np.array([19.0, 6.0])
    for h in range(-3, 4):
        for k in range(-3, 4):
            at = np.asarray(centre_rc) + h * a + k * b
            if np.hypot(*(at - 80)) > 75:
                continue
            level = 400.0 if (h, k) == (0, 0) else 60.0 + 40.0 * ((h + 2 * k) % 3)
            level = 3000.0 if (h, k) == bright_hk else level
            pattern += level * (np.hypot(rows - at[0], cols - at[1]) <= 4.0)
    return rng.poisson(pattern).astype(float)


def test_a_disk_brighter_than_the_direct_beam_makes_the_centre_ambiguous():
    rng = np.random.default_rng(3)
    pattern = _lattice_pattern(centre_rc=(78.3, 81.6), bright_hk=(1, 0), rng=rng)
    found = find_centre(pattern)
    assert not found.ok and found.method == "friedel"
    assert "ambiguous centre" in found.reason and "78" in found.reason


def test_the_direct_beam_centre_agrees_with_the_friedel_pairs():
    rng = np.random.default_rng(6)
    found = find_centre(_lattice_pattern(centre_rc=(78.3, 81.6), bright_hk=None, rng=rng))
    assert found.ok
    np.testing.assert_allclose(found.centre_rc, (78.3, 81.6), atol=0.3)


def test_the_vote_pairs_the_spots_about_the_direct_beam():
    rng = np.random.default_rng(4)
    vote = friedel_vote(
        _lattice_pattern(centre_rc=(80.0, 80.0), bright_hk=(0, 1), rng=rng), radius_px=4.0
    )
    assert vote.ok and vote.n_paired >= 8 and not vote.tied_rc
    np.testing.assert_allclose(vote.centre_rc, (80.0, 80.0), atol=1.0)


def test_noise_alone_gives_no_conclusive_vote():
    rng = np.random.default_rng(5)
    vote = friedel_vote(rng.poisson(5.0, (128, 128)).astype(float), radius_px=1.0)
    assert not vote.ok and vote.reason
