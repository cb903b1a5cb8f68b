"""What the EELS panel draws for X-ray (EDS) spectra, from the session: the summed spectrum of
the region in effect (view keys ``eds.source`` and ``eds.box``, the session's probe), the
identification stored for that region, and its line markers. The export draws the same, so an
exported EDS spectrum is the one on screen."""

from __future__ import annotations

import numpy as np

from insitu_tem.figures.probe_numbers import region_text
from insitu_tem.analysis.eds.spectrum_region import (
    axis_correction,
    energies_ev,
    on_axis_ev,
    summed_spectrum,
)
from insitu_tem.core.model import Dataset
from insitu_tem.core.session import Session
from insitu_tem.core.uncertainty_text import value_with_sigma
from insitu_tem.figures.compose import ProfileView
from insitu_tem.figures.eels_markers import project_elements

IDENTIFICATION = "eds.identify"
"""The session's result holding the identification of the spectrum shown."""
FROM_KEV = 0.15
"""X-ray energy from which the spectrum is shown, keV: the lowest line searched (C Kα 0.28 keV)
lies above, the detector's noise peak at 0 keV below."""
STATUS_COLOURS = {"present": "#2ca02c", "ambiguous": "#ff7f0e", "not detected": "#7f7f7f"}
"""Colour of each status's line markers in an exported figure."""
STATUS_STYLES = {"present": "-", "ambiguous": "--", "not detected": ":"}
"""Line style of each status's markers, as on screen (solid, dashed, dotted)."""


def central_box(rows: int, cols: int) -> list[int]:
    """The region first drawn on a ``rows`` × ``cols`` spectrum image, [row0, row1, col0, col1]
    (half-open, scan px): its central half."""
    return [
        rows // 4,
        max(3 * rows // 4, rows // 4 + 1),
        cols // 4,
        max(3 * cols // 4, cols // 4 + 1),
    ]


def shown_region(session: Session, dataset: Dataset) -> dict | None:
    """The region summed (:mod:`insitu_tem.analysis.eds.spectrum_region`'s form) for the source the
    session's view chose: None for the sum, the session's probe, or the drawn box (its central
    half until one is drawn); a probe or a box only on a spectrum image."""
    source = session.view("eds.source") or "sum"
    if len(dataset.navigation_axes) != 2 or source == "sum":
        return None
    if source == "probe":
        return {"probe": min(session.probe, dataset.n_items - 1)}
    return {"box": list(session.view("eds.box") or central_box(*dataset.shape[:2]))}


def typed_elements(session: Session, dataset: Dataset) -> tuple[str, ...]:
    """The elements always reported: those typed in the Elements box (the file's until then)."""
    return tuple(project_elements(session.view("eels.elements"), dataset.metadata))


def identification_value(session: Session, dataset: Dataset, region: dict | None) -> dict | None:
    """The identification stored for ``region`` with the elements and settings in effect (the
    one the panel shows), when it is current."""
    result = session.result(IDENTIFICATION)
    if result is None or session.result_status(IDENTIFICATION) != "current":
        return None
    chosen = {
        **session.parameters(IDENTIFICATION),
        "region": region,
        "elements": list(typed_elements(session, dataset)),
    }
    stored = {key: result.parameters.get(key) for key in chosen}
    stored["elements"] = list(stored["elements"] or [])
    return result.value if stored == chosen else None


def marker_lines(finding: dict, identification: dict | None = None) -> list[tuple[float, str, str]]:
    """(energy keV, label, line name) of every line of ``finding``'s family, where it lies on
    the spectrum's recorded axis (moved by the offset and gain the ``identification`` measured):
    the main line labelled with the element, its status when not present and the alternatives of
    an ambiguous one; the others unlabelled."""
    labels = finding.get("line_labels") or []
    text = labels[0] if labels else finding["element"]
    if finding["status"] == "ambiguous":
        alternatives = finding["alternatives"]
        text += "?" + (f" (or {' / '.join(alternatives)})" if alternatives else "")
    elif finding["status"] == "not detected":
        text += " (not detected)"
    correction = axis_correction(identification)
    energies = [on_axis_ev(e, **correction) for e in finding.get("line_energies_ev") or []]
    names = finding.get("lines") or []
    return [
        (energy / 1000.0, text if i == 0 else "", name)
        for i, (energy, name) in enumerate(zip(energies, names))
    ]


def shown_findings(value: dict | None, typed: tuple[str, ...]) -> list[dict]:
    """The findings marked on the spectrum: present and ambiguous ones, and those not detected
    only for the elements the user typed (or the file names)."""
    return [
        finding
        for finding in (value or {}).get("findings", ())
        if finding["status"] != "not detected" or finding["element"] in typed
    ]


def energies_kev(dataset: Dataset) -> np.ndarray:
    """Channel energies, keV (channel numbers without an eV calibration)."""
    energies = energies_ev(dataset)
    if np.all(np.isfinite(energies)):
        return energies / 1000.0
    return np.arange(energies.size, dtype=float)


def xray_spectrum_view(session: Session, dataset: Dataset) -> ProfileView:
    """The EDS spectrum of the region in effect as the panel shows it: counts on the X-ray energy
    (keV) from :data:`FROM_KEV`, the fitted continuum and the identified lines marked (solid
    present, dashed ambiguous, dotted not detected), the threshold they were tested at noted."""
    region = shown_region(session, dataset)
    counts = summed_spectrum(dataset, region)
    x = energies_kev(dataset)
    calibrated = dataset.signal_axes[-1].units == "eV"
    keep = x >= FROM_KEV if calibrated else np.ones(x.size, bool)
    value = identification_value(session, dataset, region)
    lines = []
    if value is not None and value["ok"] and len(value["continuum"]) == x.size:
        lines.append(("continuum", x[keep], np.asarray(value["continuum"], float)[keep], "-"))
    markers = [
        (energy, label, STATUS_COLOURS[f["status"]], STATUS_STYLES[f["status"]])
        for f in shown_findings(value, typed_elements(session, dataset))
        for energy, label, _ in marker_lines(f, value)
    ]
    note = "" if value is None else _threshold_note(value)
    return ProfileView(
        x[keep],
        [("", counts[keep], None)],
        x_label="X-ray energy (keV)" if calibrated else "Channel",
        y_label="Counts",
        title=f"EDS, {region_text(dataset.n_items, region)}",
        lines=lines,
        labelled_markers=markers,
        note=note,
        note_right=True,
    )


def threshold_text(value: dict) -> str:
    """The significance a line needed in an "eds.identify" result value, and why; the detector
    resolution the lines were fitted with, and where it comes from."""
    fwhm, sigma = value["resolution_mn_ka_ev"], value.get("resolution_mn_ka_ev_sigma")
    resolution = f"{fwhm:.0f} eV" if sigma is None else value_with_sigma(fwhm, sigma) + " eV"
    source = value.get("resolution_source", "")
    return (
        f"threshold {value['threshold_sigma']:.2f} σ: {value['false_alarm_per_spectrum']:g} "
        f"false lines per spectrum over {value['families_tested']} line families; FWHM at Mn Kα "
        f"{resolution}{f' ({source})' if source else ''}"
    )


def _threshold_note(value: dict) -> str:
    if not value["ok"]:
        return f"not identified: {value['reason']}"
    return threshold_text(value).replace("; ", "\n").replace(": ", "\n").replace(" (", "\n(")
