"""More crystal-beside-amorphous composites for the crystalline fraction and domain size rows.

The committed fixtures give 7 tuned and 13 held-out composites
(:mod:`validation.hrtem_crystallinity` pairs every ≥ 10 nm crystal with every amorphous region), too
few for a coverage: the binomial 1σ of a 68 % coverage is 13–18 points there. Session 15 adds, from
the same generator (:func:`validation.abtem_corpus.random_hrtem_cases` in its 10–20 nm bin), 33 new
composites to the tuned row and 27 to the held-out row, 40 on each; the sizes were fixed before any
result was seen. Each new composite is one new crystal beside one new amorphous W region, so no two
new composites share an image: the crystal is the n-th crystalline draw of its seed, the region the
n-th draw of a second seed with the phase set to amorphous (same thickness, defocus, dose and pixel
distributions). The images are simulated on first use (about 4 s each) and cached in
``validation/corpus/`` (not committed); the seeds make them reproducible.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

CACHE = Path(__file__).parent / "corpus"
LARGE_BIN_NM = ((10.0, 20.0),)
GLASS_SEED_OFFSET = 100
SETS = {False: (1515, 33), True: (1516, 27)}


def composite_cases(n: int, *, seed: int) -> list[tuple]:
    """``n`` (crystal, amorphous region) :class:`~validation.abtem_corpus.HrtemCase` pairs."""
    from validation.abtem_corpus import random_hrtem_cases

    drawn = random_hrtem_cases(4 * n, seed=seed, size_bins_nm=LARGE_BIN_NM)
    crystals = [case for case in drawn if case.phase != "amorphous"][:n]
    glasses = random_hrtem_cases(n, seed=seed + GLASS_SEED_OFFSET, size_bins_nm=LARGE_BIN_NM)
    return [
        (crystal, replace(glass, phase="amorphous", zone=(0, 0, 1)))
        for crystal, glass in zip(crystals, glasses)
    ]


def _generate(directory: Path, pairs: list[tuple]) -> None:
    from validation.abtem_corpus import configure_abtem, simulate_hrtem

    configure_abtem()
    arrays, truths = {}, []
    for i, pair in enumerate(pairs):
        entry = []
        for name, case in zip(("crystal", "glass"), pair):
            image, truth = simulate_hrtem(case)
            arrays[f"{name}{i:03d}"] = image.astype(np.uint16 if image.max() < 65535 else np.uint32)
            entry.append(truth)
        truths.append(entry)
        print(f"composite {i + 1}/{len(pairs)} {pair[0].phase} {pair[0].diameter_nm:.1f} nm")
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "images.npz", **arrays)
    (directory / "truth.json").write_text(json.dumps(truths))


def pairs(*, held_out: bool) -> list[tuple]:
    """The new composites of one row as ((crystal image, truth), (region image, truth)) pairs,
    each truth carrying ``held_out``; simulated into the cache when missing."""
    seed, n = SETS[held_out]
    directory = CACHE / f"hrtem_composites_{seed}"
    if not (directory / "truth.json").exists():
        _generate(directory, composite_cases(n, seed=seed))
    truths = json.loads((directory / "truth.json").read_text())
    with np.load(directory / "images.npz") as arrays:
        return [
            tuple(
                (arrays[f"{name}{i:03d}"], {**truth, "held_out": held_out})
                for name, truth in zip(("crystal", "glass"), entry)
            )
            for i, entry in enumerate(truths)
        ]
