"""Tomography validation rows per segmentation label: volumes of the core and shell labels against
the phantom's material and Si wt % per label from a Si and an O line-count series, each against
its stated 1σ (:mod:`validation.tomo` runs them on every phantom)."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.tomo.label_sigma import composition_sigma_per_label
from insitu_tem.analysis.tomo.measure import composition_per_label
from insitu_tem.samples.tomo import projection
from validation.stats import Measurement

FAMILY = "tomo"

SI_SHELL, SI_COUNTS = 0.3, 8.0


def _silicon(series: dict, seed: int) -> tuple[np.ndarray, float]:
    """A Si line-count series: Si density 1 in the core and :data:`SI_SHELL` in the shell, drawn
    as Poisson counts (:data:`SI_COUNTS` per px through the core's middle), and its counts per
    density·px."""
    clean = [
        projection(series["phantom"], t, s)
        for t, s in zip(series["tilts_deg"], series["shifts_px"])
    ]
    silicon = np.stack([haadf - 0.5 * shell + SI_SHELL * shell for haadf, shell in clean])
    scale = SI_COUNTS / silicon[silicon > 0.05 * silicon.max()].mean()
    counts = np.random.default_rng(seed + 99).poisson(silicon * scale).astype(np.float32)
    return counts, float(scale)


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


def composition_errors(labels, series, alignment, reconstruct_counts) -> dict:
    """Si wt % of the core and the shell labels (k-factors 1) minus the phantom's, and 1σ."""
    silicon, si_scale = _silicon(series, series["phantom"].seed)
    phantom = series["phantom"]
    o_raw = np.stack(
        [projection(phantom, t, s)[1] for t, s in zip(series["tilts_deg"], series["shifts_px"])]
    )
    o_scale = phantom.oxygen_counts / o_raw[o_raw > 0.05 * o_raw.max()].mean()
    elements = {"Si": reconstruct_counts(silicon), "O": reconstruct_counts(series["oxygen"])}
    wt = composition_per_label(labels, elements)
    sigma = composition_sigma_per_label(labels, elements)
    shell_si = 100 * SI_SHELL * si_scale / (SI_SHELL * si_scale + o_scale)
    truth = {2: 100.0, 1: shell_si}
    return {f"si_error_{k}": wt[k]["Si"] - truth[k] if k in wt else np.nan for k in (1, 2)} | {
        f"si_sigma_{k}": sigma[k]["Si"] if k in sigma else np.nan for k in (1, 2)
    }


_LABEL_ROWS = (
    ("volume_error_2", "volume_sigma_2", "volume of the core label vs the core material", "%"),
    ("volume_error_1", "volume_sigma_1", "volume of the shell label vs the shell material", "%"),
    ("si_error_2", "si_sigma_2", "EDS composition of the core label: Si wt % (truth 100)", "wt %"),
    ("si_error_1", "si_sigma_1", "EDS composition of the shell label: Si wt %", "wt %"),
)


def label_rows(values: dict, fast: bool, tag: str) -> list[Measurement]:
    """Volumes per label (relative error, %) and Si wt % per label (Si and O line-count series
    at 8 and 6 counts/px, MLEM-20, k-factors 1) against their stated 1σ."""
    rows = []
    for error_key, sigma_key, name, unit in _LABEL_ROWS:
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
                coverage_range=None if fast else (0.60, 0.75),
                n_not_measured=int((~good).sum()),
            )
        )
    return rows
