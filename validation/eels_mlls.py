"""MLLS fractions (`eels --edge` → ``mlls_fraction`` ± ``mlls_fraction_sigma``; the EELS panel's
MLLS plot) on mixtures of physically generated phases with known fractions.

Phases: spectra of :mod:`validation.eels_physics` (plural scattering through the low loss,
detector gain 1–4, read noise, point-spread 0–1.5 channels) for the edges of
:mod:`validation.eels_corpus` (W O2,3 on the plasmon tail with the ZLP; C K, O K, Ti L2,3, Cr
L2,3 core loss), 1e2–1e4 counts per channel at the edge, 0.05–0.5 eV/channel. The phases of a
case differ in their edge (a chemical shift of 0.3–2 eV either way, the near-edge peak or
white-line ratio ×0.5–1.5) and in their low loss (plasmon energy, t/λ drawn as the corpus draws
a scan's two ends). A mixture is the sum f·A + (1 − f)·B of the phases' expected counts (a beam
through both), drawn with its own noise; the truth is f.

* Line scans (what the CLI and the panel run, :func:`insitu_tem.analysis.eels.analyse_edge`):
  12 probes, the first three pure A, the last three pure B (the end members the method
  averages), f decreasing in between; low-loss scans with a ZLP jitter of 0.3 eV (the method
  aligns), core-loss scans with an uncorrected energy drift of 0.03 eV per probe. Scored on the
  six interior probes.
* Three phases (:func:`insitu_tem.analysis.eels.mlls.mlls_fit` with three references, each the
  mean of three recordings of the pure phase, stated as such; fractions uniform on the simplex;
  the recorded counts with a free constant, as the line scans, the background-subtracted fit in
  the edge's automatic window the model's alternative): every fraction scored. Phases drawn
  alike often have references whose noise is as large as their differences: the method then
  declines (not measured).

The full run adds held-out corpora of the same size: "held-out" (seeds of session 14, used while
the session-15 gate and references' term were derived) and "second held-out" (seeds first used
after that change was final, run once).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from insitu_tem.analysis.eels import analyse_edge
from insitu_tem.analysis.eels.background import auto_background_window
from insitu_tem.analysis.eels.mlls import mlls_fit
from insitu_tem.analysis.eels.pipeline import default_signal_window
from insitu_tem.core.model import Axis
from validation.eels_corpus import (
    CORE_EDGES,
    _axis,
    _channels,
    _edge,
    _edge_jump,
    _samples,
    _weights,
)
from validation.eels_physics import detect
from validation.stats import Measurement

SEED, HELD_OUT_SEED = 20261202, 20261212
THREE_SEED, THREE_HELD_OUT_SEED = 20261203, 20261213
SECOND_HELD_OUT_SEED, THREE_SECOND_HELD_OUT_SEED = 20261222, 20261223
PROBES, ENDS = 12, 3
DRIFT_EV, JITTER_EV = 0.03, 0.3


@dataclasses.dataclass(frozen=True)
class Phases:
    """Expected counts of every phase (n_phases, n_channels) on a case's axis, with its
    detector and edge."""

    kind: str
    edge: str
    energy: Axis
    render: object
    detector: dict
    edge_counts: float


def _variant(edge, rng: np.random.Generator):
    scale = rng.uniform(0.5, 1.5)
    return dataclasses.replace(
        edge, near_edge_peak=edge.near_edge_peak * scale, peak_ratio=edge.peak_ratio * scale
    )


def phases(rng: np.random.Generator, kind: str, n_phases: int) -> Phases:
    """``n_phases`` phases of one random case; ``render(offset_eV)`` gives their expected counts
    with the energy axis moved by ``offset_eV``."""
    name = "W-O23" if kind == "low_loss" else str(rng.choice(CORE_EDGES))
    base = _edge(name, rng)
    dispersion = float(np.exp(rng.uniform(np.log(0.05), np.log(0.5))))
    resolution = max(rng.uniform(0.3, 1.5), 2.0 * dispersion)
    counts = float(np.exp(rng.uniform(np.log(1e2), np.log(1e4))))
    offset, size = _axis(kind, base.thresholds_eV[0], dispersion, rng)
    fine = np.arange(min(offset, 0.0) - 6.0, offset + size * dispersion + 6.0, dispersion / 4)
    samples = _samples(n_phases, rng, resolution)
    edges = [base] + [_variant(base, rng) for _ in range(n_phases - 1)]
    shifts = [0.0] + list(rng.uniform(0.3, 2.0, n_phases - 1) * rng.choice([-1, 1], n_phases - 1))
    edge_weight, background_weight = _weights(kind, fine, samples[0], base, rng)
    channel_edges = offset + (np.arange(size + 1) - 0.5) * dispersion
    scale = counts / _edge_jump(
        fine, samples[0], base, edge_weight, background_weight, channel_edges
    )

    def render(moved: float) -> np.ndarray:
        return scale * np.stack(
            [
                _channels(
                    fine,
                    moved,
                    sample,
                    edge,
                    channel_edges,
                    shift_eV=shift,
                    edge_weight=edge_weight,
                    background_weight=background_weight,
                )
                for sample, edge, shift in zip(samples, edges, shifts)
            ]
        )

    detector = {
        "gain": rng.uniform(1.0, 4.0),
        "psf_channels": rng.uniform(0.0, 1.5),
        "read_noise": rng.uniform(0.0, 3.0),
    }
    return Phases(kind, name, Axis("E", size, dispersion, offset, "eV"), render, detector, counts)


def line_scan(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, np.ndarray, Phases]:
    """Spectra (probes, channels) of a two-phase line scan, the true fractions of phase A, and
    the phases (module docstring)."""
    case = phases(rng, kind, 2)
    inner = np.sort(rng.uniform(0.0, 1.0, PROBES - 2 * ENDS))[::-1]
    fractions = np.concatenate([np.ones(ENDS), inner, np.zeros(ENDS)])
    spread = JITTER_EV if kind == "low_loss" else DRIFT_EV
    moves = rng.normal(0.0, spread, PROBES)
    spectra = np.stack(
        [
            detect(np.array([f, 1.0 - f]) @ case.render(move), rng, **case.detector)
            for f, move in zip(fractions, moves)
        ]
    )
    return spectra, fractions, case


def _line_scans(seed: int, scans: int, suffix: str) -> Measurement:
    rng = np.random.default_rng(seed)
    errors, sigmas, missed = [], [], 0
    covariates = {"edge counts per channel": [], "dispersion (eV/channel)": []}
    for i in range(scans):
        spectra, truth, case = line_scan(rng, "low_loss" if i % 2 == 0 else "core_loss")
        mlls = analyse_edge(spectra, case.energy, case.edge, reference=0).mlls
        inner = slice(ENDS, PROBES - ENDS)
        fraction, sigma = mlls.fractions[inner, 0], mlls.fractions_sigma[inner, 0]
        found = np.isfinite(fraction) & np.isfinite(sigma)
        missed += int((~found).sum())
        errors.append((fraction - truth[inner])[found])
        sigmas.append(sigma[found])
        covariates["edge counts per channel"].append(np.full(found.sum(), case.edge_counts))
        covariates["dispersion (eV/channel)"].append(np.full(found.sum(), case.energy.scale))
    return Measurement(
        "eels_mlls",
        "MLLS fraction of the first end member minus truth, two-phase line scans (`eels --edge`, "
        "W O2,3 with the ZLP and K/L2,3 core loss, 1e2–1e4 counts/ch)" + suffix,
        np.concatenate(errors),
        np.concatenate(sigmas),
        "",
        n_not_measured=missed,
        covariates={k: np.concatenate(v) for k, v in covariates.items()},
    )


def _three_phases(seed: int, cases: int, suffix: str) -> Measurement:
    rng = np.random.default_rng(seed)
    errors, sigmas, missed = [], [], 0
    for i in range(cases):
        case = phases(rng, "low_loss" if i % 2 == 0 else "core_loss", 3)
        pure = case.render(0.0)
        references = np.stack(
            [np.mean([detect(p, rng, **case.detector) for _ in range(3)], axis=0) for p in pure]
        )
        truth = rng.dirichlet(np.ones(3), PROBES)
        spectra = np.stack([detect(f @ pure, rng, **case.detector) for f in truth])
        background = auto_background_window(case.edge, case.energy)
        fit = mlls_fit(
            spectra,
            case.energy,
            references,
            window_eV=(background[0], default_signal_window(case.edge)[1]),
            background_window=background,
            offset=True,
            subtract=False,
            reference_averages=3,
        )
        found = np.isfinite(fit.fractions) & np.isfinite(fit.fractions_sigma)
        missed += int((~found).sum())
        errors.append((fit.fractions - truth)[found])
        sigmas.append(fit.fractions_sigma[found])
    return Measurement(
        "eels_mlls",
        "MLLS fractions minus truth, three-phase mixtures, references the means of three "
        "recordings (W O2,3 and K/L2,3, 1e2–1e4 counts/ch)" + suffix,
        np.concatenate(errors),
        np.concatenate(sigmas),
        "",
        n_not_measured=missed,
    )


def run(*, fast: bool) -> list[Measurement]:
    """Two-phase line scans (``fast``: 6, else 40) and three-phase mixtures of 12 spectra
    (``fast``: 12 cases, else 60), and twice as many held-out of each in the full run."""
    scans, cases = (6, 12) if fast else (40, 60)
    rows = [_line_scans(SEED, scans, ""), _three_phases(THREE_SEED, cases, "")]
    if not fast:
        rows += [
            _line_scans(HELD_OUT_SEED, scans, " — held-out"),
            _three_phases(THREE_HELD_OUT_SEED, cases, " — held-out"),
            _line_scans(SECOND_HELD_OUT_SEED, scans, " — second held-out"),
            _three_phases(THREE_SECOND_HELD_OUT_SEED, cases, " — second held-out"),
        ]
    return rows
