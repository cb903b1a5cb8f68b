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

Session 18: a composite whose crystal is imaged with Cs ≥ :data:`ONE_PASS_CS_A` (0.1 mm; the
generator's uncorrected 1.2 mm) is one multislice of the crystal beside the amorphous region
(:func:`one_pass`), not two images cut after imaging: there the lattice fringes are displaced by
up to λ|C1 g + C3 λ² g³| ≈ 3 nm (Lichte 1991) and in a specimen they cross the crystal's edge,
which the cut hides (docs/fft.md, session 17). The truth is the crystal's area over the image's,
the crystal ending at the atoms' cut. The method is given the crystal's defocus and Cs, as a
reader would from the file's metadata. With a corrector (|Cs| ≤ 0.02 mm, delocalisation
≤ 0.13 nm) the cut composites are kept. The tuning fixtures' three such composites (the fast
subset's) are committed in ``validation/fixtures/one_pass/`` (:func:`one_pass` of their cases,
as :func:`built` would simulate them); the others are simulated on first use and cached.

References
----------
Lichte, H. (1991). Optimum focus for taking electron holograms. Ultramicroscopy 38, 13-22.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

CACHE = Path(__file__).parent / "corpus"
COMMITTED = Path(__file__).parent / "fixtures" / "one_pass"
LARGE_BIN_NM = ((10.0, 20.0),)
GLASS_SEED_OFFSET = 100
SETS = {False: (1515, 33), True: (1516, 27)}
ONE_PASS_CS_A = 1e6
MARGIN_A = 40.0


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


def composites(*, held_out: bool) -> list[tuple]:
    """The new composites of one row (:func:`built`)."""
    return built(pairs(held_out=held_out), cache=f"hrtem_composites_{SETS[held_out][0]}")


def built(drawn: list[tuple], *, cache: str) -> list[tuple]:
    """(image, truth fraction, pixel nm, crystal truth, imaging) of (crystal, region) pairs, the
    crystal truth's ``held_out`` set when either is held out: cut after imaging
    (:func:`validation.hrtem_crystallinity.composite`, imaging None: no single image's
    aberrations) with a corrector; at Cs ≥ :data:`ONE_PASS_CS_A` one multislice (:func:`one_pass`)
    with the crystal's imaging as a reader would give it (:func:`imaging`), read from the
    committed :data:`COMMITTED` (the tuning fixtures' composites) or else simulated into
    ``validation/corpus/<cache>_one_pass``."""
    from validation.hrtem_crystallinity import composite

    wanted = {
        f"{c[1]['case']['seed']}_{g[1]['case']['seed']}": (c[1]["case"], g[1]["case"])
        for c, g in drawn
        if c[1]["case"]["cs_A"] >= ONE_PASS_CS_A
    }
    images, fractions = _one_pass_images(wanted, CACHE / f"{cache}_one_pass")
    out = []
    for crystal, glass in drawn:
        truth = {**crystal[1], "held_out": crystal[1]["held_out"] or glass[1]["held_out"]}
        key = f"{crystal[1]['case']['seed']}_{glass[1]['case']['seed']}"
        if key in wanted:
            fraction, pixel_nm = fractions[key]
            out.append((images[key], fraction, pixel_nm, truth, imaging(truth["case"])))
        else:
            out.append((*composite(crystal, glass), truth, None))
    return out


def _one_pass_images(wanted: dict, directory: Path) -> tuple[dict, dict]:
    images, fractions = _read(COMMITTED)
    missing = {key: cases for key, cases in wanted.items() if key not in fractions}
    if missing and not (directory / "fractions.json").exists():
        _generate_one_pass(directory, missing)
    if missing:
        cached = _read(directory)
        images, fractions = {**images, **cached[0]}, {**fractions, **cached[1]}
    return images, fractions


def _read(directory: Path) -> tuple[dict, dict]:
    if not (directory / "fractions.json").exists():
        return {}, {}
    with np.load(directory / "images.npz") as arrays:
        images = {key: np.asarray(arrays[key], float) for key in arrays.files}
    return images, json.loads((directory / "fractions.json").read_text())


def imaging(case: dict):
    """The case's :class:`~insitu_tem.analysis.hrtem.crystallinity_delocalisation.Imaging`
    (defocus, Cs, beam energy), as a reader would give it from the file's metadata."""
    from insitu_tem.analysis.hrtem.crystallinity_delocalisation import Imaging
    from validation.abtem_corpus import ENERGY_EV

    return Imaging(
        defocus_nm=case["defocus_A"] / 10.0, cs_mm=case["cs_A"] / 1e7, energy_kev=ENERGY_EV / 1e3
    )


def _generate_one_pass(directory: Path, wanted: dict) -> None:
    from validation.abtem_corpus import configure_abtem

    configure_abtem()
    arrays, fractions = {}, {}
    for key, (crystal, glass) in wanted.items():
        image, fraction, pixel_A = one_pass(crystal, glass)  # noqa: N806
        arrays[key] = image.astype(np.uint16 if image.max() < 65535 else np.uint32)
        fractions[key] = (fraction, pixel_A / 10.0)
        print(f"one-pass composite {key} {crystal['phase']}", flush=True)
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "images.npz", **arrays)
    (directory / "fractions.json").write_text(json.dumps(fractions))


def one_pass(crystal: dict, glass: dict) -> tuple[np.ndarray, float, float]:
    """(noisy image, truth crystalline fraction, pixel Å) of one multislice of a crystal beside
    an amorphous W region, from their corpus cases (``asdict`` of
    :class:`~validation.abtem_corpus.HrtemCase`).

    The crystal (the case's phase, zone, tilt, thickness; the square inscribed in its disc, side
    ``s``) fills columns up to ``MARGIN_A + s``, the amorphous W (the region's thickness and seed)
    the rest; the image is the crystal's width ``s`` plus the region's diameter, ``s`` high, cut
    :data:`MARGIN_A` (more than the largest delocalisation) from the periodic cell's seams. The
    crystal's imaging (defocus, Cs, aperture, pixel, dose, seed) applies to the whole image.
    """
    import abtem
    from ase import Atoms

    from validation._abtem_structures import amorphous, crystal_cylinder, orientation, unit_cell
    from validation.abtem_corpus import ENERGY_EV, SLICE_A

    side_A = 10 * crystal["diameter_nm"] / np.sqrt(2.0)  # noqa: N806
    width_A = 10 * glass["diameter_nm"]  # noqa: N806
    edge_A = MARGIN_A + side_A  # noqa: N806
    box = np.array([side_A + 2 * MARGIN_A, edge_A + width_A + MARGIN_A])
    thickness_A, glass_A = 10 * crystal["thickness_nm"], 10 * glass["thickness_nm"]  # noqa: N806
    cell = unit_cell(crystal["phase"])
    rotation = orientation(
        cell, crystal["zone"], rotation_deg=crystal["rotation_deg"], tilt_deg=crystal["tilt_deg"]
    )
    square = box.max()
    lattice = crystal_cylinder(
        cell, rotation, diameter_A=1.5 * square, thickness_A=thickness_A, box_A=square
    )
    region = amorphous(
        "W", box_A=square, thickness_A=glass_A, density_per_A3=0.04, seed=glass["seed"]
    )
    xy = lattice.positions[:, :2]
    keep = (xy >= 0).all(axis=1) & (xy < box).all(axis=1) & (xy[:, 1] < edge_A)
    glass_keep = (region.positions[:, 0] < box[0]) & (region.positions[:, 1] >= edge_A)
    glass_keep &= region.positions[:, 1] < box[1]
    atoms = Atoms(
        numbers=np.concatenate([lattice.numbers[keep], region.numbers[glass_keep]]),
        positions=np.concatenate([lattice.positions[keep], region.positions[glass_keep]]),
    )
    atoms.cell = [box[0], box[1], max(thickness_A, glass_A) + 4.0]
    sampling = max(0.15, (10 * crystal["diameter_nm"] + 30.0) / 512)
    potential = abtem.Potential(
        atoms, sampling=sampling, slice_thickness=SLICE_A, projection="infinite"
    )
    ctf = abtem.CTF(
        semiangle_cutoff=crystal["aperture_mrad"],
        focal_spread=30.0,
        energy=ENERGY_EV,
        aberration_coefficients={"C10": -crystal["defocus_A"], "C30": crystal["cs_A"]},
    )
    wave = abtem.PlaneWave(energy=ENERGY_EV).multislice(potential).apply_ctf(ctf)
    image = wave.intensity().interpolate(sampling=crystal["pixel_A"]).compute()
    row_A, pixel_A = (float(v) for v in image.sampling)  # noqa: N806
    r0, r1 = (int(round(v / row_A)) for v in (MARGIN_A, MARGIN_A + side_A))
    c0, c1 = (int(round(v / pixel_A)) for v in (MARGIN_A, edge_A + width_A))
    clean = np.asarray(image.array, np.float64)[r0:r1, c0:c1]
    rng = np.random.default_rng(crystal["seed"])
    noisy = rng.poisson(np.clip(clean, 0, None) * crystal["dose_per_px"]).astype(np.float64)
    return noisy, (edge_A / pixel_A - c0 + 0.5) / noisy.shape[1], pixel_A
