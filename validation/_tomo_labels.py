"""Tomography validation rows per segmentation label: volumes of the core and shell labels against
the phantom's material, the material volumes measured from the labels
(:mod:`insitu_tem.analysis.tomo.material_volume`) and Si wt % per label from a Si and an O
line-count series (:mod:`validation._tomo_composition`), each against its stated 1σ
(:mod:`validation.tomo` runs them on every phantom)."""

from __future__ import annotations

import numpy as np

from validation.stats import Measurement

FAMILY = "tomo"


def true_volumes(truth: dict, length: int) -> dict[int, float]:
    """Volumes of the core (label 2) and shell (label 1) material, voids excluded, voxels."""
    core, shell = truth["core_radius_px"], truth["shell_radius_px"]
    spheres = [
        (np.hypot(v[0], v[2]) + v[3] <= core, 4 / 3 * np.pi * v[3] ** 3)
        for v in truth["voids_zyx_r_px"]
    ]
    in_core = sum(v for inside, v in spheres if inside)
    in_shell = sum(v for inside, v in spheres if not inside)
    return {
        2: np.pi * core**2 * length - in_core,
        1: np.pi * (shell**2 - core**2) * length - in_shell,
    }


def true_core_void_fraction(truth: dict, length: int) -> float:
    """Volume of the core's voids over the filled core's (core material plus voids)."""
    core = truth["core_radius_px"]
    voids = sum(
        4 / 3 * np.pi * v[3] ** 3
        for v in truth["voids_zyx_r_px"]
        if np.hypot(v[0], v[2]) + v[3] <= core
    )
    return float(voids / (np.pi * core**2 * length))


_LABEL_ROWS = (
    (
        "volume_error_2",
        "volume_sigma_2",
        "volume of the core label vs the core material",
        "%",
        False,
    ),
    (
        "volume_error_1",
        "volume_sigma_1",
        "volume of the shell label vs the shell material",
        "%",
        False,
    ),
    ("material_error_2", "material_sigma_2", "material volume of the core (corrected)", "%", True),
    ("material_error_1", "material_sigma_1", "material volume of the shell (corrected)", "%", True),
    (
        "si_error_2",
        "si_sigma_2",
        "EDS composition of the core label: Si wt % (truth 100)",
        "wt %",
        True,
    ),
    ("si_error_1", "si_sigma_1", "EDS composition of the shell label: Si wt %", "wt %", True),
)


def label_rows(values: dict, fast: bool, tag: str) -> list[Measurement]:
    """Volumes per label and of the materials (relative error, %) and Si wt % per label (Si and
    O line-count series at 8 and 6 counts/px fitted on the projections,
    :mod:`validation._tomo_composition`, k-factors 1) against their stated 1σ.

    The label volumes are voxel counts whose 1σ is the threshold's share only (wedge, blur and
    voids left out, :mod:`insitu_tem.analysis.tomo.label_sigma`): their error against the
    material is reported, not held to a coverage; the material volumes carry that claim."""
    rows = []
    for error_key, sigma_key, name, unit, covered in _LABEL_ROWS:
        error, sigma = values[error_key], values[sigma_key]
        good = np.isfinite(error) & np.isfinite(sigma)
        rows.append(
            Measurement(
                FAMILY,
                name + tag,
                error[good],
                sigma[good],
                unit,
                median_max=None,
                p95_max=None,
                coverage_range=(0.60, 0.75) if covered and not fast else None,
                n_not_measured=int((~good).sum()),
            )
        )
    return rows
