"""Crystalline fraction and its 1σ on composites of the abTEM HRTEM fixtures.

Each composite puts side by side the square inscribed in a ≥ 10 nm crystal's disc and an amorphous
W region (≥ 5 nm; resampled to the crystal's pixel size by linear interpolation and scaled to its
mean counts), so the truth is a straight boundary at a known column: the crystalline fraction is
the crystal's width over the total. Every crystal is paired with every amorphous region; a
composite with a held-out image is reported on the held-out row. Error and 1σ are in percentage
points of area. The domain size (the crystal's equivalent-circle diameter, ``sqrt(4A/π)`` of its
rectangle) is scored as a relative error with its 1σ (session 14). A crystal imaged
at Cs ≥ 0.1 mm is instead one multislice beside the amorphous region, with its defocus and Cs
given to the method (:func:`validation.hrtem_composites.built`, session 18).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from validation.stats import Measurement

LARGE_NM = 10.0
GLASS_NM = 5.0


def _inscribed(image: np.ndarray) -> np.ndarray:
    n = image.shape[0]
    side = int(n / np.sqrt(2.0)) - 2
    start = (n - side) // 2
    return np.asarray(image[start : start + side, start : start + side], float)


def composite(crystal, glass) -> tuple[np.ndarray, float, float]:
    """(image, truth crystalline fraction, pixel nm) of one crystal beside one amorphous region,
    each an (image, truth) fixture case."""
    left = _inscribed(crystal[0])
    pixel_A = crystal[1]["pixel_A"]  # noqa: N806 - unit suffix
    right = ndimage.zoom(np.asarray(glass[0], float), glass[1]["pixel_A"] / pixel_A, order=1)
    rows, cols = min(left.shape[0], right.shape[0]), min(left.shape[1], right.shape[1])
    left, right = left[:rows], right[:rows, :cols]
    right = right * left.mean() / right.mean()
    image = np.hstack([left, right])
    return image, left.shape[1] / image.shape[1], pixel_A / 10.0


def fixture_pairs(cases) -> list[tuple]:
    """Every ≥ 10 nm crystal of ``cases`` with every ≥ 5 nm amorphous region, as (crystal,
    region) (image, truth) pairs."""
    crystals = [c for c in cases if c[1]["case"]["phase"] != "amorphous"]
    crystals = [c for c in crystals if c[1]["case"]["diameter_nm"] >= LARGE_NM]
    glasses = [c for c in cases if c[1]["case"]["phase"] == "amorphous"]
    glasses = [c for c in glasses if c[1]["case"]["diameter_nm"] >= GLASS_NM]
    return [(c, g) for c in crystals for g in glasses]


def rows(composites) -> list[Measurement]:
    """Tuned and held-out rows of the crystalline fraction's error and 1σ and of the domain size
    (see module) on ``composites``, each (image, truth fraction, pixel nm, crystal truth,
    imaging) (:func:`validation.hrtem_composites.built`)."""
    from insitu_tem.analysis.hrtem.crystallinity import crystallinity_map

    out = {False: _empty(), True: _empty()}
    domain = {False: _empty(), True: _empty()}
    for image, truth, pixel_nm, crystal, imaging in composites:
        case = crystal["case"]
        result = crystallinity_map(image, pixel_nm=pixel_nm, imaging=imaging)
        size_nm = np.sqrt(4.0 * truth * image.size / np.pi) * pixel_nm
        for table, error, sigma in (
            (out, result.crystalline_fraction - truth, result.sigma_crystalline_fraction),
            (domain, result.domain_size_nm / size_nm - 1.0, result.sigma_domain_size_nm / size_nm),
        ):
            errors, sigmas, covariates = table[crystal["held_out"]]
            errors.append(100.0 * error)
            sigmas.append(100.0 * sigma)
            covariates["crystal size (nm)"].append(size_nm)
            covariates["dose (e/px)"].append(case["dose_per_px"])
            covariates["thickness (nm)"].append(case["thickness_nm"])
    return _rows(out, "crystalline fraction", "percentage points", "pp") + _rows(
        domain, "domain size", "%", "%"
    )


def _empty() -> tuple[list, list, dict]:
    return [], [], {"crystal size (nm)": [], "dose (e/px)": [], "thickness (nm)": []}


def _rows(out, quantity: str, label: str, unit: str) -> list[Measurement]:
    return [
        Measurement(
            "hrtem",
            f"{quantity}, crystal beside amorphous{suffix} ({label})",
            np.array(errors),
            np.array(sigmas),
            unit,
            covariates={name: np.array(values) for name, values in covariates.items()},
        )
        for held_out, suffix in ((False, ""), (True, ", held out"))
        for errors, sigmas, covariates in [out[held_out]]
        if errors
    ]
