"""EDS line identification (`eds --identify`, :func:`insitu_tem.analysis.eds.identify`) on
spectra made by exspy's own model, not ours.

Each spectrum: 1–6 elements drawn from :data:`ELEMENTS` (20 common ones, with the overlapping
pairs S/Mo/Pb, Ti/Ba, Si/W, Al/Br, Mn/Cr–Fe, As/Pb among them), each with 1e1–1e5 counts in the
main line of each of its families (log-uniform; exspy gives every family of an element the same
main-line area, and the lines are not attenuated); exspy's ``xray_lines_model`` (HyperSpy's
EDSTEMSpectrum model with its family lines and weights, Fiori widths) at a detector resolution
drawn from 125–140 eV and a beam of 80–300 kV; a Kramers continuum ``k (E0 − E) / E``
(0.5–50 counts per channel at 5 keV) times a detector efficiency (a 0.3 µm polymer-like
window: ``exp(−(E_c / E)³)``, ``E_c`` 0.3–0.5 keV) and Poisson counts; 5–20 eV per channel
from an offset of −0.2–0 keV up to 10 or 20 keV.
The identification runs at its default (130 eV resolution, false-alarm level 0.01 per
spectrum), never told the truth.

Rows:

* net counts of the main line of each element found present against its true counts, / 1σ
  (coverage target 60–75 %);
* false identifications per spectrum: elements reported present that were not put in, by a line
  above and below 0.5 keV (target: at most the stated 0.01 plus three binomial σ of the corpus);
* detection rate of the elements put in, by their true significance (counts / √(continuum under
  one FWHM)): 3–10 σ, 10–30 σ, > 30 σ (reported only);
* at. % of the elements put in and found present (at least two in a spectrum), from their
  fitted net counts ± 1σ with unit k-factors (what the panel shows), against the at. % of the
  same elements' true counts, / 1σ (coverage target 60–75 %);
* the energy offset of the axis measured on the lines (:mod:`insitu_tem.analysis.eds.
  calibration`; the truth is 0: the spectra are drawn on the axis they are given on) against
  its 1σ; spectra without a line strong and isolated enough count as not measured;
* overlaps: elements put in whose main line has another element's main line within 1 FWHM —
  reported ambiguous or present (named or resolved) rather than missed or replaced by the
  wrong one (reported only), and how often the wrong element of a pair was reported present.
"""

from __future__ import annotations

import warnings

import numpy as np

from insitu_tem.analysis.eds.families import all_families
from insitu_tem.analysis.eds.identify import identify_lines
from insitu_tem.analysis.eds.lines import fwhm_ev
from validation.stats import Measurement

ELEMENTS = (
    "C", "O", "Na", "Mg", "Al", "Si", "S", "Ca", "Ti", "Cr",
    "Mn", "Fe", "Cu", "Zn", "Mo", "Ba", "W", "Pb", "Br", "As",
)  # fmt: skip
FIRST_SEED = 9100
FAST = 3
FULL = 150
FALSE_ALARM = 0.01
ROLL_OFF_EV = 500.0
TAILED = 2 / 3
TAIL_AT_1KEV = (0.005, 0.15)
TAIL_POWER = (0.0, 1.0)
TAIL_LENGTH_EV = (20.0, 250.0)
SHELF = (3e-4, 3e-3)


def make_spectrum(seed: int) -> dict:
    """One random spectrum (module docstring): energies (eV), counts, the elements with their
    main-line counts, and each element's true significance."""
    from exspy._misc.eds.utils import xray_lines_model

    rng = np.random.default_rng(seed)
    step = float(rng.uniform(0.005, 0.02))
    offset = float(rng.uniform(-0.2, 0.0))
    top = float(rng.choice([10.0, 20.0]))
    size = int((top - offset) / step)
    beam = float(rng.uniform(80, 300))
    resolution = float(rng.uniform(125, 140))
    chosen = rng.choice(ELEMENTS, size=int(rng.integers(1, 7)), replace=False)
    counts = {str(e): float(10 ** rng.uniform(1, 5)) for e in chosen}
    energy = offset + step * np.arange(size)
    positive = np.maximum(energy, 0.05)
    efficiency = np.exp(-((rng.uniform(0.3, 0.5) / positive) ** 3))
    level = rng.uniform(0.5, 50) * step / 0.01
    expected = level * np.clip(beam - energy, 0, None) / positive / (beam / 5.0 - 1) * efficiency
    continuum = expected.copy()
    axis = {"name": "E", "scale": step, "units": "keV", "offset": offset, "size": size}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for element, amount in counts.items():
            model = xray_lines_model(
                [element],
                beam_energy=beam,
                energy_resolution_MnKa=resolution,
                energy_axis=dict(axis),
            )
            expected = expected + amount * np.asarray(model.data, dtype=float)
    expected = continuum + detector_response(expected - continuum, 1000 * energy, seed=seed)
    significance = {}
    for element, amount in counts.items():
        main = _main_energy(element, 1000 * min(top, beam))
        width = fwhm_ev(main, resolution_mn_ka_ev=resolution)
        under = continuum[np.abs(1000 * energy - main) <= width / 2].sum()
        significance[element] = amount * 0.76 / np.sqrt(max(under, 1.0))
    return {
        "energies": 1000 * energy,
        "counts": rng.poisson(expected).astype(float),
        "expected": expected,
        "expected_lines": expected - continuum,
        "truth": counts,
        "significance": significance,
        "beam": beam,
    }


def detector_response(lines: np.ndarray, energies_ev: np.ndarray, *, seed: int) -> np.ndarray:
    """``lines`` (counts per channel, Gaussian lines) as a silicon drift detector with
    incomplete charge collection draws them, counts kept: in a fraction :data:`TAILED` of the
    seeds, each channel's counts lose ``t(E) = t₁ (1 keV / E)^p`` to a tail falling as
    ``exp(−ΔE / β)`` below them (``t₁`` log-uniform in :data:`TAIL_AT_1KEV`, at most 0.3; ``p``
    uniform in :data:`TAIL_POWER`; β uniform in :data:`TAIL_LENGTH_EV` eV) and a fraction ``s``
    (log-uniform in :data:`SHELF`) to a flat shelf from 0 keV up to them — the Gaussian of each
    line convolved with these, as its core. Its own random stream (``seed`` + 200 000): the
    continuum, lines and Poisson draws of the seed stay as they were. References: J. L.
    Campbell et al., Nucl. Instrum. Methods B 129, 297 (1997); M. van Gysel et al., X-Ray
    Spectrom. 32, 434 (2003)."""
    rng = np.random.default_rng(seed + 200_000)
    if rng.uniform() >= TAILED:
        return lines
    tail_1kev = 10 ** rng.uniform(*np.log10(TAIL_AT_1KEV))
    power = rng.uniform(*TAIL_POWER)
    length = rng.uniform(*TAIL_LENGTH_EV)
    shelf = 10 ** rng.uniform(*np.log10(SHELF))
    positive = np.maximum(energies_ev, 50.0)
    tail = np.minimum(tail_1kev * (1000.0 / positive) ** power, 0.3) * lines
    step = float(energies_ev[1] - energies_ev[0])
    reach = int(np.ceil(8 * length / step))
    kernel = np.exp(-step * np.arange(reach + 1) / length) * (1 - np.exp(-step / length))
    tailed = np.convolve(tail[::-1], kernel / kernel.sum())[: lines.size][::-1]
    shelved = shelf * lines / positive * step
    shelf_counts = np.cumsum(shelved[::-1])[::-1] - shelved
    shelf_counts = np.where(energies_ev > 0, shelf_counts, 0.0)
    return lines - tail - shelf * lines + tailed + shelf_counts


def _main_energy(element: str, below_ev: float) -> float:
    """Energy of the first of Kα, Lα, Mα of ``element`` below ``below_ev``, eV."""
    for family in sorted(all_families(), key=lambda f: "KLM".index(f.shell)):
        if family.element == element and family.main_energy_ev < below_ev - 200:
            return family.main_energy_ev
    return np.nan


def _overlapped(element: str, others, resolution: float = 130.0) -> bool:
    main = _main_energy(element, 20000.0)
    width = fwhm_ev(main, resolution_mn_ka_ev=resolution)
    return any(
        f.element != element and abs(f.main_energy_ev - main) <= width
        for f in all_families()
        if f.element in others
    )


def corpus(first_seed: int, spectra: int, *, maker=None) -> dict:
    """Every case's outcome over ``spectra`` spectra from ``first_seed`` on, made by ``maker``
    (default :func:`make_spectrum`)."""
    net, sigma, false, detected, significance, overlap, wrong = [], [], [], [], [], [], []
    offsets, offset_sigmas, atomic = [], [], []
    not_measured = 0
    for seed in range(first_seed, first_seed + spectra):
        case = (maker or make_spectrum)(seed)
        result = identify_lines(
            case["counts"],
            case["energies"],
            beam_energy_kv=case["beam"],
            false_alarm=FALSE_ALARM,
        )
        if not result.ok:
            not_measured += 1
            continue
        if result.calibration.ok:
            offsets.append(result.calibration.offset_ev)
            offset_sigmas.append(result.calibration.offset_sigma_ev)
        status = {f.element: f for f in result.findings}
        truth = case["truth"]
        false.append(
            [
                f.line_energy_ev
                for e, f in status.items()
                if f.status == "present" and e not in truth
            ]
        )
        for element, amount in truth.items():
            finding = status.get(element)
            found = finding is not None and finding.status == "present"
            detected.append(found or (finding is not None and finding.status == "ambiguous"))
            significance.append(case["significance"][element])
            partners = [e for e in ELEMENTS if e != element]
            overlap.append(_overlapped(element, partners))
            wrong.append(
                overlap[-1]
                and not found
                and any(
                    status.get(e) is not None
                    and status[e].status == "present"
                    and e not in truth
                    and _overlapped(element, [e])
                    for e in partners
                )
            )
            if found:
                net.append(finding.net_counts - amount)
                sigma.append(finding.sigma)
        atomic.extend(_atomic_errors(status, truth))
    return {
        "net": np.array(net), "sigma": np.array(sigma), "false": false,
        "detected": np.array(detected), "significance": np.array(significance),
        "overlap": np.array(overlap), "wrong": np.array(wrong), "not_measured": not_measured,
        "offsets": np.array(offsets), "offset_sigmas": np.array(offset_sigmas),
        "atomic": np.array(atomic).reshape(-1, 2),
    }  # fmt: skip


def _atomic_errors(status: dict, truth: dict) -> list[tuple[float, float]]:
    """(at. % − true at. %, its 1σ) of each element put in and found present, when at least two
    are: the composition the panel computes from the fitted net counts ± 1σ
    (:func:`~insitu_tem.workflows.eds_quantify.quantify_counts`, unit k-factors) against the
    same elements' composition from their true counts."""
    from insitu_tem.workflows.eds_quantify import quantify_counts

    present = [e for e in truth if e in status and status[e].status == "present"]
    if len(present) < 2:
        return []
    lines = [status[e].lines[0] for e in present]
    found = quantify_counts(
        [status[e].net_counts for e in present],
        [status[e].sigma ** 2 for e in present],
        present,
        lines,
    )
    true = quantify_counts([truth[e] for e in present], np.zeros(len(present)), present, lines)
    errors = found.atomic_percent - true.atomic_percent
    return list(zip(errors.tolist(), found.atomic_percent_sigma.tolist()))


def run(*, fast: bool) -> list[Measurement]:
    """The rows of the module docstring on ``FAST`` or ``FULL`` spectra."""
    return rows(corpus(FIRST_SEED, FAST if fast else FULL))


def rows(out: dict) -> list[Measurement]:
    """The rows of the module docstring from :func:`corpus`'s outcome ``out``."""
    bound = FALSE_ALARM + 3 * np.sqrt(FALSE_ALARM / max(len(out["false"]), 1))
    found = [
        Measurement(
            "eds_identify",
            "EDS identification: net counts of the lines found / their 1σ",
            out["net"] / out["sigma"],
            np.ones(out["net"].size),
            "σ",
            n_not_measured=out["not_measured"],
        ),
        Measurement(
            "eds_identify",
            "EDS identification: energy offset of the axis measured on the lines (truth 0)",
            out["offsets"],
            out["offset_sigmas"],
            "eV",
            n_not_measured=len(out["false"]) - out["offsets"].size,
        ),
        Measurement(
            "eds_identify",
            "EDS identification: at.% of the elements found, from their fitted net counts "
            "(unit k-factors, as the panel) against the true counts' at.%",
            out["atomic"][:, 0],
            out["atomic"][:, 1],
            "at.%",
        ),
    ]
    for label, above in (
        ("lines above 0.5 keV", True),
        ("lines below 0.5 keV, on the detector's roll-off", False),
    ):
        per_case = [sum(1 for e in case if (e > ROLL_OFF_EV) == above) for case in out["false"]]
        found.append(
            _rate(
                f"false identifications per spectrum, {label} (stated {FALSE_ALARM:g} in all)",
                float(np.mean(per_case)),
                target=float(bound),
            )
        )
    for low, high in ((3, 10), (10, 30), (30, np.inf)):
        inside = (out["significance"] >= low) & (out["significance"] < high)
        label = f"{low}–{high} σ" if np.isfinite(high) else f"> {low} σ"
        missed = 1.0 - float(out["detected"][inside].mean()) if inside.any() else np.nan
        found.append(
            _rate(
                f"elements put in and missed, true significance {label} ({int(inside.sum())} "
                "lines)",
                missed,
            )
        )
    overlapped = out["overlap"]
    wrong = float(out["wrong"][overlapped].mean()) if overlapped.any() else np.nan
    found.append(
        _rate(
            f"overlapped elements replaced by the wrong one ({int(overlapped.sum())} lines)", wrong
        )
    )
    return found


def _rate(name: str, value: float, *, target: float | None = None) -> Measurement:
    """A one-number row (a rate), with its target when it has one."""
    return Measurement(
        "eds_identify",
        f"EDS identification: {name}",
        np.array([value]),
        None,
        "",
        median_max=target,
        coverage_range=None,
    )
