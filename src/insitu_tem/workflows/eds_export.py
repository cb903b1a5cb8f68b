"""Files of the EELS panel's EDS form (the Export buttons under its table): the identification
and composition as ``insitu-tem eds --identify`` writes them in its JSON, the table as CSV, and
the line maps as float32 TIFFs calibrated in the scan's units. Every file goes through
:func:`~insitu_tem.io.outputs.output_file`: never over an input or a microscope data file,
written through a temporary name."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.io.outputs import output_file
from insitu_tem.analysis.eds.spectrum_region import axis_correction, energies_ev
from insitu_tem.workflows.eds_quantify import line_of

PANEL_ONLY = ("counts", "continuum", "model", "composition")
"""Keys of the panel's identification value that ``insitu-tem eds``'s ``identification`` lacks
(the curves it draws, the composition written beside)."""
FINDING_PANEL_ONLY = ("line_energies_ev", "line_labels")
COMPOSITION_KEYS = ("elements", "lines", "totals", "totals_sigma")
"""Keys of the composition ``insitu-tem eds`` writes at the top level of its JSON."""
CSV_COLUMNS = (
    "element",
    "status",
    "line",
    "line_energy_ev",
    "net_counts",
    "net_counts_sigma",
    "significance_sigma",
    "atomic_percent",
    "atomic_percent_sigma",
    "weight_percent",
    "weight_percent_sigma",
    "alternatives",
    "note",
)


def identify_document(value: dict, file: str) -> dict:
    """The JSON document of ``insitu-tem eds FILE --identify`` for the panel's "eds.identify"
    result ``value`` of ``file``: ``identified`` (elements by status), ``identification``, the
    elements quantified with their summed net counts and ``quantification`` (Cliff–Lorimer, here
    also at. % ± 1σ), ``ok`` and ``reason``; the map arrays are written as TIFFs instead."""
    identification = {k: v for k, v in value.items() if k not in PANEL_ONLY}
    identification["findings"] = [
        {k: v for k, v in finding.items() if k not in FINDING_PANEL_ONLY}
        for finding in value["findings"]
    ]
    identified = {
        status: [f["element"] for f in value["findings"] if f["status"] == status]
        for status in ("present", "ambiguous", "not detected")
    }
    composition = value.get("composition") or {"ok": False, "reason": "not computed"}
    quantification = {
        k: v
        for k, v in composition.items()
        if k not in COMPOSITION_KEYS + ("ok", "reason", "windows")
    }
    reasons = [r for r in (value["reason"], composition.get("reason", "")) if r]
    return {
        "file": file,
        **{k: composition[k] for k in COMPOSITION_KEYS if k in composition},
        "quantification": quantification,
        "identified": identified,
        "identification": identification,
        "ok": bool(value["ok"] and composition["ok"]),
        "reason": "; ".join(reasons),
    }


def write_json(path: str | Path, document: dict) -> Path:
    """Write ``document`` as strict JSON (NaN refused: the panel's values hold None)."""
    with output_file(path, option="file") as temporary:
        temporary.write_text(json.dumps(document, indent=1, allow_nan=False), encoding="utf-8")
    return Path(path)


def write_csv(path: str | Path, value: dict) -> Path:
    """Write the table of the panel's "eds.identify" ``value``: one row per element (its main
    line), :data:`CSV_COLUMNS`, empty where not measured (the composition of elements not
    present)."""
    composition = value.get("composition") or {}
    with output_file(path, option="file") as temporary:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for finding in value["findings"]:
                writer.writerow(_csv_row(finding, composition))
    return Path(path)


def _csv_row(finding: dict, composition: dict) -> list:
    element = finding["element"]

    def quantity(key: str):
        return _blank((composition.get(key) or {}).get(element))

    return [
        element,
        finding["status"],
        (finding["lines"] or [""])[0],
        _blank(finding["line_energy_ev"]),
        _blank(finding["net_counts"]),
        _blank(finding["net_counts_sigma"]),
        _blank(finding["significance_sigma"]),
        quantity("atomic_percent"),
        quantity("atomic_percent_sigma"),
        quantity("weight_percent"),
        quantity("weight_percent_sigma"),
        " / ".join(finding["alternatives"]),
        finding["note"],
    ]


def _blank(number) -> str:
    return "" if number is None else repr(float(number))


def write_line_maps(folder: str | Path, dataset: Dataset, identification: dict) -> list[Path]:
    """Write the net-count map of each line of the composition's windows of ``identification``
    (a result value: :func:`~insitu_tem.workflows.eds_quantify.composition_value`'s windows on
    the energy axis it corrected) over ``dataset``'s spectrum image and its 1σ as float32 TIFFs
    (``Fe_Ka.tif``, ``Fe_Ka_sigma.tif``), the scan's pixel size in ImageJ's calibration; return
    the paths.

    Raises
    ------
    DataError
        When ``dataset`` is not a spectrum image calibrated in eV, or ``windows`` is empty.
    insitu_tem.io.outputs.OutputError
        When a file would replace an input or a microscope data file.
    """
    import tifffile

    from insitu_tem.analysis.eds.maps import line_maps

    if len(dataset.navigation_axes) != 2:
        raise DataError("line maps need a spectrum image (a scan of rows and columns)")
    energies = energies_ev(dataset, **axis_correction(identification))
    if not np.all(np.isfinite(energies)):
        raise DataError("the X-ray energy axis is not calibrated in eV; set a calibration")
    windows = (identification.get("composition") or {}).get("windows") or []
    if not windows:
        raise DataError("no line to map: no element is present")
    lines = tuple(line_of(window) for window in windows)
    maps = line_maps(dataset.array, energies, lines)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    axis = dataset.navigation_axes[-1]
    step = axis.scale if axis.calibrated else 1.0
    calibration = {
        "resolution": (1.0 / step, 1.0 / step),
        "metadata": {"unit": axis.units if axis.calibrated else "pixel", "axes": "YX"},
    }
    written = []
    for line, counts, variance in zip(lines, maps.maps, maps.variance):
        sigma = np.sqrt(np.clip(np.asarray(variance, float), 0, None))
        for name, values in ((line.name, counts), (f"{line.name}_sigma", sigma)):
            path = folder / f"{name}.tif"
            with output_file(path, option="folder") as temporary:
                tifffile.imwrite(
                    temporary, np.asarray(values, np.float32), imagej=True, **calibration
                )
            written.append(path)
    return written
