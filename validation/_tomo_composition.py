"""Tomography validation of the EDS composition per segmentation label: Si wt % of the core and
the shell labels fitted on the aligned Si and O projections with the label interfaces placed on
the HAADF projections
(:func:`insitu_tem.analysis.tomo.composition.composition_from_projections`), against the
phantom's and the stated 1σ (:mod:`validation.tomo` runs it on every phantom; the rows are
built by :mod:`validation._tomo_labels`)."""

from __future__ import annotations

import numpy as np

from insitu_tem.analysis.tomo.alignment_result import apply_alignment
from insitu_tem.analysis.tomo.composition import composition_from_projections
from insitu_tem.samples.tomo import projection

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


def composition_errors(labels: np.ndarray, series: dict, alignment) -> dict:
    """Si wt % of the core (label 2) and the shell (label 1) (k-factors 1) minus the phantom's
    (core 100 %, shell from the two series' counts per density·px), and the stated 1σ."""
    phantom = series["phantom"]
    silicon, si_scale = _silicon(series, phantom.seed)
    o_raw = np.stack(
        [projection(phantom, t, s)[1] for t, s in zip(series["tilts_deg"], series["shifts_px"])]
    )
    o_scale = phantom.oxygen_counts / o_raw[o_raw > 0.05 * o_raw.max()].mean()
    found = composition_from_projections(
        labels,
        {
            "Si": apply_alignment(silicon, alignment),
            "O": apply_alignment(series["oxygen"], alignment),
        },
        series["tilts_deg"],
        reference=apply_alignment(series["haadf"], alignment),
        axis_offset_px=alignment.axis_offset_px,
    )
    shell_si = 100 * SI_SHELL * si_scale / (SI_SHELL * si_scale + o_scale)
    truth = {2: 100.0, 1: shell_si}
    wt, sigma = found.weight_percent, found.weight_percent_sigma
    return {
        f"si_error_{k}": wt[k]["Si"] - truth[k] if k in wt and found.ok else np.nan for k in (1, 2)
    } | {f"si_sigma_{k}": sigma[k]["Si"] if k in sigma else np.nan for k in (1, 2)}
