"""EELS validation: chemical shifts on physics-generated line scans, onsets on real spectra.

Chemical shift: every scan of :mod:`validation.eels_corpus` goes through
:func:`insitu_tem.analysis.eels.analyse_edge` (what the CLI and the panel run) with spectrum 0 as
the reference; the error of every other spectrum is its measured minus its true shift. Scans
with at least 1e3 edge counts per channel carry the issue's targets; the 1e2–1e3 scans are
reported separately without targets. For W O2,3 informative rows bound what the corpus's
counts allow (:mod:`validation.eels_floor`): the errors of an ideal fit that knows the true
background and edge shape after the same Fourier-log deconvolution; the |error| distribution
an unbiased estimator with Gaussian errors at the Cramér–Rao bound of the raw counts would have
(the pooled mixture of |N(0, σ_CR²)|, its median and 95th percentile the lowest any such
method can reach, forward models included), on all spectra and on those the method measures
(its percentiles are over those); the same with the edge amplitude and the method's
background model (power law × quadratic) unknown; and the ratio |error| / σ of the method to
each bound on the spectra it measures (0.674 median at the bound); and the split of the method's
errors into its model's bias (the method on the noise-free spectra) and the noise part (error
minus noise-free error, in units of the background-unknown bound). The full run adds a held-out
corpus of the same size, drawn from a seed first used after the uncertainty model was last
changed (20261214; 20261207 before the propagated deconvolution noise); its rows are marked
"held-out".

Edge detection: scans of both kinds (≥1e3 counts/ch, seed 20261230) whose second half has no
edge (the generator's edge strength set to zero, every random draw unchanged) give the
fraction of spectra with the edge that the detection test of the chemical shift
(:func:`insitu_tem.analysis.eels.edge_detection.detection_p`, p < 1e-3) misses, the fraction
without it that it detects, and the fraction without it that still get a shift. The full run
repeats them on a held-out seed (20261231, first used after the test and its level were last
changed).

Edge onset: the real, calibrated core-loss files of ``shared/realdata`` (beside the checkout,
or ``$INSITU_TEM_REALDATA``), against the tabulated thresholds (C K 284 eV, Ti L3 456 eV; no
real Cr L2,3 spectrum is there). On the generated scans the onset's 1σ is checked against the
onset definition applied to each spectrum's noise-free edge on the generator's fine grid
(:func:`validation.eels_corpus.onset_truth`: what the method would give with no noise, a known
background and no channel sampling), for K and L2,3 edges (coverage target) and W O2,3 after
Fourier-log (reported); the onsets are also reported against the true first threshold, without
a target (the definition's distance from the threshold).
"""

from __future__ import annotations


import numpy as np

from insitu_tem.analysis.eels import analyse_edge, edge_onset
from insitu_tem.core.model import Axis
from validation.eels_corpus import Scan, generate
from validation.eels_floor import cramer_rao_sigmas, efficient_errors, ideal_errors
from validation.realdata import realdata_folder
from validation.stats import DEFAULT_COVERAGE, Measurement

REAL_ONSETS = (("08_carbon.dm3", "C-K", 284.0), ("EELS_STO.dm3", "Ti-L23", 456.0))
HIGH_COUNTS = 1e3
FLOOR = "W O2,3 ideal fit knowing the true background and edge shape (noise floor, informative)"
CRAMER_RAO = (
    "W O2,3 Cramér–Rao bound: |error| of an unbiased Gaussian estimator at the bound, "
    "raw counts, everything but the shift known (informative)"
)
CRAMER_RAO_FREE = (
    "W O2,3 Cramér–Rao bound as above with the edge amplitude and the method's background "
    "(power law × quadratic) unknown (informative)"
)
CRAMER_RAO_MEASURED = (
    "W O2,3 Cramér–Rao bound as above (everything but the shift known) on the spectra the "
    "method measures (informative)"
)
CRAMER_RAO_FREE_MEASURED = (
    "W O2,3 Cramér–Rao bound with the method's background unknown on the spectra the method "
    "measures (informative)"
)
EFFICIENCY_FREE = (
    "W O2,3 |error| / Cramér–Rao 1σ with the method's background unknown, spectra measured "
    "(informative)"
)
EFFICIENCY = (
    "W O2,3 |error| / Cramér–Rao 1σ on the spectra measured (0.674 median at the bound; "
    "informative)"
)
BIAS = (
    "W O2,3 method on the noise-free spectra: its model's bias, on the spectra it measures "
    "(informative)"
)
NOISE_PART = (
    "W O2,3 noise part (error minus noise-free error) / Cramér–Rao 1σ with the method's "
    "background unknown, spectra measured (0.674 median at the bound; informative)"
)


def _measure(scan: Scan) -> dict:
    energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
    result = analyse_edge(scan.spectra, energy, scan.edge, reference=0)
    shift = result.shift
    measured = np.ravel(shift.shift_eV)[1:]
    ok = np.ravel(shift.found)[1:] & np.isfinite(measured)
    onset = np.ravel(result.onset.onset_eV)[1:] - (scan.threshold_eV + scan.shift_eV[1:])
    onset_error = np.ravel(result.onset.onset_eV) - scan.onset_eV
    onset_ok = np.isfinite(onset_error)
    return {
        "onset_errors": onset_error[onset_ok],
        "onset_sigmas": np.ravel(result.onset.stderr_eV)[onset_ok],
        "onset_missed": int((np.isfinite(scan.onset_eV) & ~onset_ok).sum()),
        "errors": (measured - scan.shift_eV[1:])[ok],
        "sigmas": np.ravel(shift.stderr_eV)[1:][ok],
        "missed": int((~ok).sum()),
        "onset": onset[np.isfinite(onset)],
        "n": int(ok.sum()),
        "ok": ok,
    }


TUNED_SEED, HELD_OUT_SEED, DETECTION_SEED = 20261130, 20261214, 20261230
HELD_OUT_DETECTION_SEED = 20261231
DETECTION_FAMILIES = (
    ("K and L2,3 core loss", "core_loss"),
    ("W O2,3 on the plasmon tail", "low_loss"),
)


def _corpus(fast: bool, seed: int = TUNED_SEED) -> list[Scan]:
    rng = np.random.default_rng(seed)
    n_scans, n_spectra = (20, 8) if fast else (80, 12)
    scans = []
    for i in range(n_scans):
        span = (1e2, 1e3) if i % 5 == 4 else (HIGH_COUNTS, 1e4)
        counts = float(np.exp(rng.uniform(*np.log(span)))) if fast else None
        scans.append(
            generate(
                rng,
                kind="low_loss" if i % 2 == 0 else "core_loss",
                n_spectra=n_spectra,
                edge_counts=counts,
            )
        )
    return scans


def _noise_free_errors(scan: Scan) -> np.ndarray:
    """The method's errors on the noise-free spectra of a low-loss scan (spectra 1…), eV; NaN
    where it measures none."""
    energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
    shift = analyse_edge(scan.clean, energy, scan.edge, reference=0).shift
    measured = np.where(np.ravel(shift.found), np.ravel(shift.shift_eV), np.nan)
    return measured[1:] - scan.shift_eV[1:]


def _bias_rows(plasmon: list[tuple[Scan, dict]], free: list[np.ndarray]) -> tuple:
    """The method's noise-free errors and its noise part in units of the background-unknown
    bound, on the spectra it measures with and without noise."""
    bias, part = [], []
    for (scan, result), sigma in zip(plasmon, free):
        clean = _noise_free_errors(scan)[result["ok"]]
        both = np.isfinite(clean)
        bias.append(clean[both])
        part.append(np.abs(result["errors"][both] - clean[both]) / sigma[result["ok"]][both])
    return (BIAS, np.concatenate(bias), "eV"), (NOISE_PART, np.concatenate(part), "")


def _bound_measurements(plasmon: list[tuple[Scan, dict]], suffix: str) -> list[Measurement]:
    """The W O2,3 noise floor, Cramér–Rao bounds, the method's errors in their units and their
    split into the model's bias and the noise part."""
    bound = [cramer_rao_sigmas(s) for s, _ in plasmon]
    free = [cramer_rao_sigmas(s, background_free=True) for s, _ in plasmon]

    def measured(bounds):
        return efficient_errors(np.concatenate([b[r["ok"]] for (_, r), b in zip(plasmon, bounds)]))

    def ratio(bounds):
        return np.concatenate(
            [np.abs(r["errors"]) / b[r["ok"]] for (_, r), b in zip(plasmon, bounds)]
        )

    rows = (
        (FLOOR, np.concatenate([ideal_errors(s) for s, _ in plasmon]), "eV"),
        (CRAMER_RAO, efficient_errors(np.concatenate(bound)), "eV"),
        (EFFICIENCY, ratio(bound), ""),
        (CRAMER_RAO_MEASURED, measured(bound), "eV"),
        (CRAMER_RAO_FREE, efficient_errors(np.concatenate(free)), "eV"),
        (CRAMER_RAO_FREE_MEASURED, measured(free), "eV"),
        (EFFICIENCY_FREE, ratio(free), ""),
        *_bias_rows(plasmon, free),
    )
    return [
        Measurement("eels", name + suffix, values, None, units, coverage_range=None)
        for name, values, units in rows
    ]


def _shift_measurements(scans: list[Scan], suffix: str = "") -> list[Measurement]:
    results = [(scan, _measure(scan)) for scan in scans]
    out = []
    for name, keep, targets in (
        (
            "chemical shift, K and L2,3 core loss (≥1e3 counts/ch at the edge)",
            lambda s: s.kind == "core_loss" and s.edge_counts >= HIGH_COUNTS,
            (0.05, 0.15, DEFAULT_COVERAGE),
        ),
        (
            "chemical shift, W O2,3 on the plasmon tail with the ZLP (≥1e3 counts/ch at the edge)",
            lambda s: s.kind == "low_loss" and s.edge_counts >= HIGH_COUNTS,
            (0.05, 0.15, DEFAULT_COVERAGE),
        ),
        (
            "chemical shift, all edges (1e2–1e3 counts/ch at the edge)",
            lambda s: s.edge_counts < HIGH_COUNTS,
            (None, None, None),
        ),
    ):
        chosen = [(s, r) for s, r in results if keep(s)]
        if not chosen:
            continue

        def per_case(f, chosen=chosen):
            return np.concatenate([np.full(r["n"], f(s), float) for s, r in chosen])

        out.append(
            Measurement(
                "eels",
                name + suffix,
                np.concatenate([r["errors"] for _, r in chosen]),
                np.concatenate([r["sigmas"] for _, r in chosen]),
                "eV",
                median_max=targets[0],
                p95_max=targets[1],
                coverage_range=targets[2],
                n_not_measured=sum(r["missed"] for _, r in chosen),
                covariates={
                    "edge counts per channel": per_case(lambda s: s.edge_counts),
                    "dispersion (eV/channel)": per_case(lambda s: s.dispersion_eV),
                    "resolution (eV)": per_case(lambda s: s.resolution_eV),
                    "t/λ (largest)": per_case(lambda s: max(s.t_over_lambda)),
                },
            )
        )
    plasmon = [(s, r) for s, r in results if s.kind == "low_loss" and s.edge_counts >= HIGH_COUNTS]
    if plasmon:
        out += _bound_measurements(plasmon, suffix)
    for name, kind in (
        ("K and L2,3 core loss", "core_loss"),
        ("W O2,3 after Fourier-log", "low_loss"),
    ):
        chosen = [r for s, r in results if s.kind == kind]
        out.append(
            Measurement(
                "eels",
                f"edge onset minus its noise-free value, {name} (all counts)" + suffix,
                np.concatenate([r["onset_errors"] for r in chosen]),
                np.concatenate([r["onset_sigmas"] for r in chosen]),
                "eV",
                n_not_measured=sum(r["onset_missed"] for r in chosen),
                coverage_range=DEFAULT_COVERAGE if kind == "core_loss" else None,
            )
        )
    onsets = np.concatenate([r["onset"] for _, r in results])
    out.append(
        Measurement(
            "eels",
            "edge onset minus threshold (generated scans, informative)" + suffix,
            onsets,
            None,
            "eV",
            coverage_range=None,
        )
    )
    return out


def _detections(scan: Scan, present: int) -> tuple[np.ndarray, ...]:
    """Detected flags of the spectra 1… with the edge, of those without it, and where a shift
    was reported on those without it."""
    energy = Axis("E", scan.spectra.shape[1], scan.dispersion_eV, scan.offset_eV, "eV")
    shift = analyse_edge(scan.spectra, energy, scan.edge, reference=0).shift
    detected, found = np.ravel(shift.detected), np.ravel(shift.found)
    return detected[1:present], detected[present:], found[present:]


def _detection_measurements(
    fast: bool, seed: int = DETECTION_SEED, suffix: str = ""
) -> list[Measurement]:
    """Edge detection on scans whose second half has no edge (≥1e3 counts/ch at the edge)."""
    rng = np.random.default_rng(seed)
    n_scans, n_spectra = (8, 8) if fast else (40, 12)
    out = []
    for label, kind in DETECTION_FAMILIES:
        flags = []
        for _ in range(n_scans // 2):
            counts = float(np.exp(rng.uniform(*np.log((HIGH_COUNTS, 1e4)))))
            scan = generate(
                rng, kind=kind, n_spectra=n_spectra, edge_counts=counts, edge_until=n_spectra // 2
            )
            flags.append(_detections(scan, n_spectra // 2))
        present, absent, reported = (np.concatenate(f) for f in zip(*flags))
        for name, values in (
            (f"edge present but not detected, {label} (fraction of {present.size})", ~present),
            (f"edge absent but detected, {label} (fraction of {absent.size})", absent),
            (f"edge absent but a shift reported, {label} (fraction of {absent.size})", reported),
        ):
            out.append(
                Measurement(
                    "eels",
                    name + " (≥1e3 counts/ch at the edge, informative)" + suffix,
                    np.array([float(values.mean())]),
                    None,
                    "",
                    coverage_range=None,
                )
            )
    return out


def _real_onsets() -> list[Measurement]:
    from insitu_tem.io.load import load

    folder = realdata_folder()
    errors, sigmas, missed = [], [], 0
    for name, edge, expected in REAL_ONSETS:
        if not (folder / name).exists():
            continue
        dataset = load(folder / name)
        result = edge_onset(np.asarray(dataset.array, float), dataset.signal_axes[0], edge)
        if not result.ok:
            missed += 1
            continue
        errors.append(float(np.ravel(result.onset_eV)[0]) - expected)
        sigmas.append(float(np.ravel(result.stderr_eV)[0]))
    if not errors and not missed:
        return []
    return [
        Measurement(
            "eels",
            "edge onset on real calibrated spectra (C K, Ti L3)",
            np.array(errors),
            np.array(sigmas) if np.isfinite(sigmas).all() and sigmas else None,
            "eV",
            median_max=1.0,
            coverage_range=None,
            n_not_measured=missed,
        )
    ]


def run(*, fast: bool) -> list[Measurement]:
    """Every EELS measurement of the corpus (``fast``: 20 scans of 8 spectra, else 80 of 12
    tuned and 80 of 12 held-out) and the edge detection rates (``fast``: 8 scans of 8 spectra,
    else 40 of 12, and 40 of 12 held-out)."""
    tuned = _shift_measurements(_corpus(fast)) + _detection_measurements(fast)
    held_out = (
        []
        if fast
        else _shift_measurements(_corpus(fast, HELD_OUT_SEED), " — held-out")
        + _detection_measurements(fast, HELD_OUT_DETECTION_SEED, " — held-out")
    )
    return tuned + held_out + _real_onsets()
