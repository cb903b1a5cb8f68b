"""The session-15 composites (validation.hrtem_composites): drawn from the corpus generator, one new
crystal beside one new amorphous region each, no image shared."""

from validation import hrtem, hrtem_composites
from validation.hrtem_crystallinity import GLASS_NM, LARGE_NM


def _count(cases, held_out: bool) -> int:
    crystals = [t for _, t in cases if t["case"]["phase"] != "amorphous"]
    crystals = [t for t in crystals if t["case"]["diameter_nm"] >= LARGE_NM]
    glasses = [t for _, t in cases if t["case"]["phase"] == "amorphous"]
    glasses = [t for t in glasses if t["case"]["diameter_nm"] >= GLASS_NM]
    return sum((c["held_out"] or g["held_out"]) == held_out for c in crystals for g in glasses)


def test_each_row_gets_forty_composites_with_the_committed_fixtures():
    cases, _ = hrtem.corpus(fast=False)
    for held_out in (False, True):
        assert _count(cases, held_out) + hrtem_composites.SETS[held_out][1] == 40


def test_every_composite_has_its_own_crystal_and_amorphous_region():
    for seed, n in hrtem_composites.SETS.values():
        pairs = hrtem_composites.composite_cases(n, seed=seed)
        assert len(pairs) == n
        seeds = [case.seed for pair in pairs for case in pair]
        assert len(set(seeds)) == 2 * n
        for crystal, glass in pairs:
            assert crystal.phase != "amorphous" and crystal.diameter_nm >= LARGE_NM
            assert glass.phase == "amorphous" and glass.diameter_nm >= GLASS_NM


def test_the_tuned_and_held_out_composites_share_no_case():
    tuned, held_out = (
        {case.seed for pair in hrtem_composites.composite_cases(n, seed=seed) for case in pair}
        for seed, n in hrtem_composites.SETS.values()
    )
    assert not tuned & held_out
