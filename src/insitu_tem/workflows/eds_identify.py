"""EDS in the workbench: which X-ray lines the session's EDS spectra hold (the sum of a spectrum
image, of a region of it, or one probe's spectrum), stored as result "eds.identify", and the
net-count map of one line.

The identification is :func:`~insitu_tem.analysis.eds.identify.identify_lines` (what
``insitu-tem eds --identify`` runs) on the summed spectrum; the map is
:func:`~insitu_tem.analysis.eds.maps.line_maps` of the line's peak window less the straight
background through its side windows, with its 1σ from counting statistics.

A region is plain (it is kept with the result): None for every spectrum, ``{"probe": i}`` for
the spectrum at flattened probe ``i``, ``{"box": [row0, row1, col0, col1]}`` for the spectra of
scan rows ``row0 ≤ row < row1`` and columns ``col0 ≤ col < col1`` (a spectrum image only).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from insitu_tem.analysis.eds.spectrum_region import (
    axis_correction,
    energies_ev,
    region_label,
    region_spectra,
    summed_spectrum,
)
from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.session import Session
from insitu_tem.workflows.child import ChildProcess
from insitu_tem.workflows.common import require
from insitu_tem.workflows.jobs import Job, Progress, Steps

NAME = "eds.identify"
DEFAULT_RESOLUTION_MN_KA_EV = 130.0
"""Detector FWHM at Mn Kα assumed, eV (the CLI's ``--resolution`` default)."""
DEFAULT_FALSE_ALARM = 0.01
"""Expected false identifications per spectrum (the CLI's ``--false-alarm`` default)."""
LIBRARY_WARNINGS = r"(hyperspy|exspy)(\.|$)"
"""Modules whose warnings the identification ignores: importing exspy's X-ray line database
makes HyperSpy warn of its own deprecated imports, on the terminal the workbench was started
from when the identification runs in a worker process (the workbench quiets them in its own)."""


def prepare(
    session: Session,
    *,
    region: dict | None = None,
    elements: tuple[str, ...] = (),
    resolution_mn_ka_ev: float | None = None,
    false_alarm: float = DEFAULT_FALSE_ALARM,
    kfactors: dict | None = None,
    child: ChildProcess | None = None,
    identified: dict | None = None,
) -> Job:
    """The identification job on the session's EDS data (role "eels"), result "eds.identify",
    with the Cliff–Lorimer composition of the elements present (``composition``,
    :func:`~insitu_tem.workflows.eds_quantify.composition_value`, what ``insitu-tem eds``
    computes).

    Parameters
    ----------
    region : dict or None
        What is summed (module docstring); None: every spectrum.
    elements : tuple of str
        Elements always reported, found or not (those the user typed or the file names).
    resolution_mn_ka_ev : float, optional
        Detector FWHM at Mn Kα, eV; None: measured on the spectrum, as ``insitu-tem eds`` does.
    false_alarm : float
        Expected false identifications per spectrum.
    kfactors : dict, optional
        Cliff–Lorimer k-factors by element (1 for those not named).
    child : ChildProcess, optional
        Identify in this worker process (the summed spectrum is handed to it) instead of the
        job's thread, which then leaves the GIL to the GUI. The numbers are the same.
    identified : dict, optional
        The result value of this job with other k-factors: its identification is kept and only
        the composition computed (what differs).
    """
    dataset = require(session, "eels", ("spectrum", "spectrum_series"))
    parameters = {
        "region": region,
        "elements": list(elements),
        "resolution_mn_ka_ev": None if resolution_mn_ka_ev is None else float(resolution_mn_ka_ev),
        "false_alarm": float(false_alarm),
        "kfactors": dict(kfactors or {}),
    }

    def compute(steps: Steps) -> dict:
        steps.progress(0.05, "summing the spectra")
        counts = summed_spectrum(dataset, region)
        steps.check()
        beam = dataset.metadata.get("beam_energy_kV")
        spectrum = (
            counts,
            energies_ev(dataset),
            beam,
            parameters,
            region_label(dataset.n_items, region),
        )
        if identified is not None:
            value = {k: v for k, v in identified.items() if k != "composition"}
            lines = _lines_present(value, beam, progress=steps.progress)
        elif child is None:
            value = identification_value(*spectrum, progress=steps.progress)
            lines = _lines_present(value, beam, progress=steps.progress)
        else:
            value = child.run(identification_value, steps, *spectrum)
            lines = child.run(_lines_present, steps, value, beam)
        steps.progress(0.9, "Cliff–Lorimer composition")
        value["composition"] = _composition(dataset, region, value, parameters["kfactors"], lines)
        return value

    return Job(NAME, parameters, session.fingerprints(["eels"]), compute)


def _composition(dataset: Dataset, region, value: dict, kfactors: dict, lines: tuple) -> dict:
    """The composition of the elements ``value`` (an identification) finds present, from its
    fitted net counts ± 1σ, their ``lines``' windows (for the maps) at the resolution it used;
    ``ok`` False with the reason when it cannot be computed."""
    from insitu_tem.workflows.eds_quantify import composition_value, fitted_counts

    if not value["ok"]:
        return {"ok": False, "reason": value["reason"], "elements": []}
    try:
        spectra = region_spectra(dataset, region)
        energies = energies_ev(dataset, **axis_correction(value))
        fitted = fitted_counts(value["findings"])
        return composition_value(spectra, energies, lines, kfactors=kfactors, fitted=fitted)
    except (DataError, ValueError) as error:
        return {"ok": False, "reason": str(error), "elements": []}


def _lines_present(value: dict, beam_kv: float | None, *, progress: Progress) -> tuple:
    """The main lines of the elements ``value`` finds present, at the resolution it used."""
    from insitu_tem.workflows.eds_quantify import main_lines

    present = [f["element"] for f in value["findings"] if f["status"] == "present"]
    if not value["ok"]:
        return ()
    return main_lines(
        present, beam_energy_kv=beam_kv, resolution_mn_ka_ev=value["resolution_mn_ka_ev"]
    )


def identification_value(
    counts: np.ndarray,
    energies: np.ndarray,
    beam_kv: float | None,
    parameters: dict,
    what: str,
    *,
    progress: Progress | None = None,
) -> dict:
    """The result value of the spectrum ``counts`` (per channel at ``energies``, eV; beam
    ``beam_kv``, kV, or None) identified with ``parameters`` (:func:`prepare`'s), ``what``
    saying what was summed: the findings (as ``insitu-tem eds`` writes them in its JSON), the
    fitted continuum and model (counts per channel) and the threshold used."""
    from insitu_tem.analysis.eds.families import pretty
    from insitu_tem.analysis.eds.identify import identify_lines

    if progress is not None:
        progress(0.2, "identifying X-ray lines")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=LIBRARY_WARNINGS)
        found = identify_lines(
            counts,
            energies,
            beam_energy_kv=beam_kv,
            resolution_mn_ka_ev=parameters["resolution_mn_ka_ev"],
            false_alarm=parameters["false_alarm"],
            elements=tuple(parameters["elements"]),
        )
    document = identification_document(found, counts, what)
    for finding, f in zip(document["findings"], found.findings):
        finding["line_energies_ev"] = [_energy(line) for line in f.lines]
        finding["line_labels"] = [pretty(line) for line in f.lines]
    document.update(
        counts=np.asarray(found.counts, float).tolist(),
        continuum=np.asarray(found.continuum, float).tolist(),
        model=np.asarray(found.model, float).tolist(),
    )
    return document


def identification_document(found, counts: np.ndarray, what: str) -> dict:
    """An :class:`~insitu_tem.analysis.eds.identify.Identification` as plain data, the
    ``identification`` of ``insitu-tem eds``'s JSON and the core of the panel's result value:
    what was summed (``what``) and its total of ``counts``, the threshold, the detector
    resolution, the escape and pile-up scales, the energy axis's offset and gain, and each
    element's finding (NaN written None)."""
    return {
        "spectrum": what,
        "total_counts": float(np.sum(counts)),
        "ok": bool(found.ok),
        "reason": found.reason,
        "threshold_sigma": float(found.threshold),
        "false_alarm_per_spectrum": float(found.false_alarm),
        "families_tested": int(found.tested),
        "resolution_mn_ka_ev": _finite(found.resolution_mn_ka_ev),
        "resolution_mn_ka_ev_sigma": _finite(found.resolution_sigma_ev),
        "resolution_source": found.resolution_source,
        "escape_peaks_scale": _finite(found.escape_scale),
        "pile_up_fraction": _finite(found.pile_up),
        **_calibration(found.calibration),
        "profile_error": float(found.profile_error),
        "findings": [
            {
                "element": f.element,
                "status": f.status,
                "lines": list(f.lines),
                "line_energy_ev": f.line_energy_ev if f.lines else None,
                "net_counts": float(f.net_counts),
                "net_counts_sigma": _finite(f.sigma),
                "significance_sigma": float(f.significance),
                "alternatives": list(f.alternatives),
                "note": f.note,
            }
            for f in found.findings
        ],
    }


def _calibration(calibration) -> dict:
    """The energy axis's offset and gain measured on the lines, ± 1σ (None when not measured or
    not applied), and in words."""
    return {
        "energy_offset_ev": calibration.offset_ev if calibration.ok else None,
        "energy_offset_ev_sigma": _finite(calibration.offset_sigma_ev),
        "energy_gain": None if calibration.gain_note or not calibration.ok else calibration.gain,
        "energy_gain_sigma": None if calibration.gain_note else _finite(calibration.gain_sigma),
        "energy_calibration": calibration.describe(),
    }


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _energy(line: str) -> float:
    """Energy of ``line`` (``"Fe_Kb"``), eV."""
    from insitu_tem.analysis.eds.lines import line_energy_ev

    element, _, family = line.partition("_")
    return line_energy_ev(element, family)


@dataclass(frozen=True)
class LineMap:
    """Net counts of one X-ray line at every probe of a spectrum image.

    Attributes
    ----------
    line : str
        ``"Fe_Ka"``.
    energy_ev : float
        The line's energy, eV.
    counts, sigma : ndarray
        (scan rows, scan columns) net counts and their 1σ (counting statistics), counts.
    ok : bool
    reason : str
        Why the map is not measured (its windows leave the energy range), when ``ok`` is False.
    """

    line: str
    energy_ev: float
    counts: np.ndarray
    sigma: np.ndarray
    ok: bool = True
    reason: str = ""


def line_map(dataset: Dataset, line: str, *, identification: dict | None = None) -> LineMap:
    """The net-count map of ``line`` (``"Fe_Ka"``) over ``dataset``'s spectrum image as
    ``insitu-tem eds`` maps it: its windows from the detector FWHM at Mn Kα the
    ``identification`` (a result value) measured (None: :data:`DEFAULT_RESOLUTION_MN_KA_EV`),
    on the energy axis it corrected.

    Raises
    ------
    DataError
        When ``dataset`` is not a spectrum image calibrated in eV.
    """
    from insitu_tem.analysis.eds.lines import xray_line
    from insitu_tem.analysis.eds.maps import line_maps

    if len(dataset.navigation_axes) != 2:
        raise DataError("a line map needs a spectrum image (a scan of rows and columns)")
    energies = energies_ev(dataset, **axis_correction(identification))
    if not np.all(np.isfinite(energies)):
        raise DataError("the X-ray energy axis is not calibrated in eV; set a calibration")
    fwhm = (identification or {}).get("resolution_mn_ka_ev") or DEFAULT_RESOLUTION_MN_KA_EV
    xray = xray_line(line, resolution_mn_ka_ev=fwhm)
    maps = line_maps(dataset.array, energies, (xray,))
    variance = (
        maps.variance[0] if maps.variance is not None else np.full(maps.maps[0].shape, np.nan)
    )
    return LineMap(
        line,
        xray.energy_ev,
        np.asarray(maps.maps[0], float),
        np.sqrt(np.asarray(variance, float)),
        ok=bool(maps.ok),
        reason=maps.reason,
    )


def counts_map(dataset: Dataset) -> np.ndarray:
    """Total X-ray counts at every probe of a spectrum image, (scan rows, scan columns)."""
    if len(dataset.navigation_axes) != 2:
        raise DataError("a counts map needs a spectrum image (a scan of rows and columns)")
    return np.asarray(dataset.array.sum(axis=-1, dtype=np.float64), dtype=float)
